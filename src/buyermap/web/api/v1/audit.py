"""``/api/v1/audit``: the audit log of changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from buyermap.schemas.audit import AuditPage
from buyermap.schemas.common import MAX_INT
from buyermap.services import audit as svc
from buyermap.web.deps import SessionDep

router = APIRouter(tags=["audit"])


@router.get("/audit", summary="The audit log")
def list_audit(
    session: SessionDep,
    entity: Annotated[
        str | None,
        Query(max_length=60, description="Only this kind of record (a table, e.g. accounts)."),
    ] = None,
    entity_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only this record (with entity).")
    ] = None,
    actor: Annotated[str | None, Query(max_length=320, description="Only this user's.")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Entries older than this id (paging).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=svc.MAX_LIMIT, description="At most this many.")] = 100,
) -> AuditPage:
    """Changes to the records people edit, newest first: who, when, which record and field,
    the values before and after (null for personal fields, whose values are never logged).
    Files brought in by import are listed as import runs, not here."""
    return svc.entries(
        session, entity=entity, entity_id=entity_id, actor=actor, before=before, limit=limit
    )
