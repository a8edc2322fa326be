"""Account knowledge: ``/api/v1/knowledge/template``, ``/api/v1/knowledge/completeness``
and ``/api/v1/accounts/{id}/knowledge``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from buyermap.errors import ConflictError
from buyermap.schemas.common import MAX_INT
from buyermap.schemas.knowledge import FieldCreate, FieldPatch, ValuePut
from buyermap.seams import knowledge as seam
from buyermap.services import committee as committee_svc
from buyermap.services import knowledge as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.api.v1.versions import CONFLICT, IfMatchDep, with_version
from buyermap.web.deps import WRITE, SessionDep, SettingsDep

router = APIRouter(tags=["account knowledge"])

FieldKey = Annotated[str, Path(min_length=1, max_length=60, description="A template field's key")]


@router.get("/knowledge/template", summary="The knowledge template")
def get_template(session: SessionDep) -> seam.TemplateDocument:
    """Every field with its block, type, data class, enabled, from_tier, cost and worth;
    the same document as ``buyermap knowledge template --json``."""
    return seam.template_document(session)


@router.post(
    "/knowledge/template",
    status_code=status.HTTP_201_CREATED,
    summary="Add a custom knowledge field",
    dependencies=[WRITE],
)
def add_field(session: SessionDep, data: FieldCreate) -> seam.FieldDoc:
    """A custom field (never a special category); 409 when the key is taken."""
    if data.key in {f.key for f in svc.template(session)}:
        raise ConflictError(
            f"the template has a field {data.key!r} already: change it with PATCH",
            details={"field": "key"},
        )
    field = svc.change_field(
        session,
        key=data.key,
        data=svc.FieldChange(
            label=data.label,
            block=data.block,
            type=data.type,
            data_class=data.data_class,
            from_tier=data.from_tier,
            cost=data.cost,
            worth=data.worth,
            choices=list(data.choices),
        ),
    )
    return seam.field_doc(field)


@router.patch("/knowledge/template/{key}", summary="Change a knowledge field", dependencies=[WRITE])
def patch_field(session: SessionDep, key: FieldKey, data: FieldPatch) -> seam.FieldDoc:
    """Enable (a special category needs ``legal_basis``; it is recorded with ``by`` and
    the time) or disable a field, or change its from_tier, cost, worth or label."""
    svc.field_of(session, key=key)
    if any(v is not None for v in (data.from_tier, data.cost, data.worth, data.label)):
        svc.change_field(
            session,
            key=key,
            data=svc.FieldChange(
                from_tier=data.from_tier, cost=data.cost, worth=data.worth, label=data.label
            ),
        )
    if data.enabled is True:
        svc.enable_field(
            session, key=key, legal_basis=data.legal_basis, by=data.by or "web workbench"
        )
    elif data.enabled is False:
        svc.disable_field(session, key=key)
    return seam.field_doc(svc.field_of(session, key=key))


@router.get("/knowledge/completeness", summary="Accounts by value with their completeness")
def get_completeness(
    session: SessionDep,
    settings: SettingsDep,
    account_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only this account.")
    ] = None,
) -> seam.CompletenessDocument:
    """Every account by value (highest first): tier, required and filled keys,
    completeness, next best things to learn with why, stale keys; the same document as
    ``buyermap knowledge completeness --json``."""
    return seam.completeness_document(
        session,
        account_id=account_id,
        tiers=settings.knowledge_tiers,
        stale_days=settings.knowledge_stale_days,
    )


@router.get("/accounts/{account_id}/knowledge", summary="What we know of an account")
def get_account_knowledge(
    session: SessionDep, settings: SettingsDep, account_id: PathId
) -> seam.AccountKnowledge:
    """The account's completeness and every field block by block (decision-maker fields
    once per decision maker) with value, data class, verification and staleness."""
    return seam.account_knowledge(
        session,
        account_id=account_id,
        tiers=settings.knowledge_tiers,
        stale_days=settings.knowledge_stale_days,
    )


@router.put(
    "/accounts/{account_id}/knowledge/{key}",
    summary="Keep a value of an account's knowledge",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def put_value(
    session: SessionDep,
    settings: SettingsDep,
    account_id: PathId,
    key: FieldKey,
    data: ValuePut,
    version: IfMatchDep,
) -> seam.AccountKnowledge:
    """Keep what we know for one field (422 for a disabled field or a value its type does
    not take, naming what it takes); a stale version is 409. Answers the account's
    knowledge, so completeness is seen to move."""
    data = with_version(data, version)
    account = committee_svc.get_account(session, account_id=account_id)
    svc.set_value(
        session,
        account=account,
        key=key,
        raw=data.value,
        contact_id=data.contact_id,
        verified_at=data.verified_at,
        source=data.source,
        version=data.version,
    )
    return seam.account_knowledge(
        session,
        account_id=account_id,
        tiers=settings.knowledge_tiers,
        stale_days=settings.knowledge_stale_days,
    )


@router.delete(
    "/accounts/{account_id}/knowledge/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget a value",
    dependencies=[WRITE],
)
def delete_value(
    session: SessionDep,
    account_id: PathId,
    key: FieldKey,
    contact_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Decision-maker fields")
    ] = None,
) -> Response:
    """Forget the value kept for the field (and person); 404 when none is kept."""
    committee_svc.get_account(session, account_id=account_id)
    svc.remove_value(session, account_id=account_id, key=key, contact_id=contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
