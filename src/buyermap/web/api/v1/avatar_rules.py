"""``/api/v1/avatars/{name}/rules``: rules avatars, saved and versioned; accepting a
learned avatar's proposed rules; a rules file in and out (docs/avatar.md, "Rules avatars").

Writes are validated by the seam's one checker: a bad rule answers 422 naming the rule,
the field and the bad value, with what would be valid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile, status
from pydantic import AfterValidator

from buyermap.errors import AvatarInputError
from buyermap.schemas.common import valid_text
from buyermap.seams.avatar_rules import (
    AcceptRequest,
    RulesAvatarDoc,
    RulesRequest,
    accept_rules,
    export_rules,
    import_rules,
    put_rules,
    rules_avatar,
)
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.uploads import discard, save_upload

router = APIRouter(tags=["avatar rules"])

NameParam = Annotated[str, AfterValidator(valid_text)]
VersionParam = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="A version; default: the newest.")
]


@router.get("/avatars/{name}/rules", summary="Get a rules avatar")
def get_rules(session: SessionDep, name: NameParam, version: VersionParam = None) -> RulesAvatarDoc:
    """The rules avatar's rules in words, tier cuts, versions, the fields rules can judge
    and what its probability means (the document ``buyermap avatar rules show --json``
    prints)."""
    return rules_avatar(session, name=name, version=version)


@router.put(
    "/avatars/{name}/rules",
    summary="Create or replace a rules avatar (a new version)",
    dependencies=[WRITE],
)
def put(session: SessionDep, name: NameParam, request: RulesRequest) -> RulesAvatarDoc:
    """Save the rules as a new version of ``name`` (version 1 when new) and rescore every
    account. 422 names the bad rule, field and value; 409 when ``name`` is a learned
    avatar."""
    return put_rules(session, name=name, request=request).document


@router.post(
    "/avatars/{name}/accept-rules",
    status_code=status.HTTP_201_CREATED,
    summary="Accept a learned avatar's proposed rules into a rules avatar",
    dependencies=[WRITE],
)
def accept(
    session: SessionDep, name: NameParam, request: AcceptRequest, version: VersionParam = None
) -> RulesAvatarDoc:
    """Make (or add to) the rules avatar ``save`` from the proposed rules of the learned
    avatar ``name`` (all, or those numbered in ``rules``, from 1)."""
    return accept_rules(session, learned=name, request=request, version=version).document


@router.post(
    "/avatars/{name}/rules/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import a rules file into a rules avatar (a new version)",
    dependencies=[WRITE],
)
async def import_file(
    session: SessionDep,
    settings: SettingsDep,
    name: NameParam,
    file: UploadFile,
    partial: Annotated[bool, Form()] = False,
) -> RulesAvatarDoc:
    """A CSV or XLSX with columns ``field,operator,value,weight,kind,reason``. Any bad row
    answers 422 with every rejected row (``details.rejected``) and saves nothing, unless
    ``partial``: then the good rows are saved and the bad ones listed in ``rejected``."""
    upload = await save_upload(settings, file)
    try:
        done = import_rules(
            session, path=upload.path, name=name, partial=partial, file_name=upload.name
        )
    finally:
        discard(upload)
    if done.saved is None:
        rows = [r.model_dump() for r in done.rejected]
        first = f"; row {rows[0]['row']}: {rows[0]['reason']}" if rows else ""
        raise AvatarInputError(
            f"{len(rows)} rows of {upload.name!r} rejected, nothing saved{first}"
            if rows
            else f"{upload.name!r} has no rules",
            details={"rejected": rows},
        )
    return done.saved.document


@router.get(
    "/avatars/{name}/rules.csv",
    summary="Export a rules avatar's rules (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The rules, re-importable"}},
)
def export(session: SessionDep, name: NameParam, version: VersionParam = None) -> Response:
    """The rules as ``field,operator,value,weight,kind,reason``: importing it again gives
    the same rules."""
    return Response(
        export_rules(session, name=name, version=version),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rules.csv"'},
    )
