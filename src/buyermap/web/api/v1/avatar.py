"""``/api/v1/avatars``: learn the customer avatar, the saved avatars, scores (docs/avatar.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, UploadFile, status
from pydantic import AfterValidator

from buyermap.schemas.avatars import AvatarPublic, AvatarSummary
from buyermap.schemas.common import valid_text
from buyermap.seams.avatar import (
    AvatarLearned,
    AvatarPersonas,
    AvatarScored,
    AvatarSource,
    LearnRequest,
    avatar_list,
    avatar_of,
    avatar_personas,
    learn_avatar,
    score_avatar,
)
from buyermap.web.deps import COMPUTES_ONLY, WRITE, SessionDep, SettingsDep
from buyermap.web.uploads import discard, save_upload

router = APIRouter(tags=["avatars"])

NameParam = Annotated[str, AfterValidator(valid_text)]
VersionParam = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="A version; default: the newest.")
]


@router.post(
    "/avatars/learn",
    status_code=status.HTTP_201_CREATED,
    summary="Learn the customer avatar (the CLI's document)",
    dependencies=[WRITE],
)
def learn(session: SessionDep, request: LearnRequest) -> AvatarLearned:
    """Learn the avatar from the workspace's accounts (buyers: accounts with a won deal;
    the others: accounts whose deals are all lost); with ``save`` store it under that name
    (a new version) with every account's score. The answer is the document
    ``buyermap avatar learn --json`` prints.

    Refuses with 422 as the CLI does with exit code 2 (``insufficient_evidence`` below 30
    positive or 30 negative accounts, naming how many it needs)."""
    return learn_avatar(session, request).document


@router.get("/avatars", summary="List saved avatars")
def list_avatars(session: SessionDep) -> list[AvatarSummary]:
    """Every saved avatar version, by name, newest version first."""
    return [AvatarSummary.model_validate(a) for a in avatar_list(session)]


@router.get("/avatars/{name}", summary="Get a saved avatar")
def get_avatar(session: SessionDep, name: NameParam, version: VersionParam = None) -> AvatarPublic:
    """The avatar (its newest version unless ``version``): settings and the learning's
    document (AUC with its interval, tiers, traits, proposed rules, warnings)."""
    return AvatarPublic.model_validate(avatar_of(session, name=name, version=version))


@router.post("/avatars/{name}/score", summary="Score the accounts", dependencies=[WRITE])
def score_accounts(
    session: SessionDep, name: NameParam, version: VersionParam = None
) -> AvatarScored:
    """Score every account of the workspace with the avatar and store the scores (accounts
    added since it was learned are scored too); the answer is the document
    ``buyermap avatar score --json`` prints (without ``out``)."""
    return score_avatar(session, name=name, version=version).document


@router.post(
    "/avatars/{name}/score.csv",
    summary="Score a prospect file (CSV out)",
    dependencies=[COMPUTES_ONLY],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The file with fit added"}},
)
async def score_file(
    session: SessionDep,
    settings: SettingsDep,
    name: NameParam,
    file: UploadFile,
    id_column: Annotated[str | None, Form(max_length=120)] = None,
    version: VersionParam = None,
) -> Response:
    """Score an uploaded CSV or XLSX of companies without importing it: the same rows with
    ``fit``, ``probability``, ``tier`` and ``reasons`` added (the id column first)."""
    upload = await save_upload(settings, file)
    try:
        found = score_avatar(
            session,
            name=name,
            version=version,
            source=AvatarSource(path=upload.path, id_column=id_column or None),
        )
    finally:
        discard(upload)
    stem = upload.name.rsplit(".", 1)[0]
    return Response(
        found.table.write_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}-scored.csv"'},
    )


@router.get("/avatars/{name}/personas", summary="The avatar's top tier across personas")
def get_avatar_personas(
    session: SessionDep, name: NameParam, version: VersionParam = None
) -> AvatarPersonas:
    """How the avatar's top tier (A) splits across the personas of the active run (over
    contacts: the contacts it scores A; over accounts: the contacts at accounts its stored
    scores put in A): the document ``buyermap avatar personas --json`` prints. 404 without
    a persona run; 422 for an avatar learned from a file or not yet scored."""
    return avatar_personas(session, name=name, version=version)
