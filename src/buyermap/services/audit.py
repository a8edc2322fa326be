"""Reading the audit log (:mod:`buyermap.db.audit` writes it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.audit import audited_tables
from buyermap.db.models import AuditEntry
from buyermap.errors import InvalidValueError
from buyermap.schemas.audit import AuditEntryOut, AuditPage

MAX_LIMIT = 1000


def entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> AuditPage:
    """Logged changes, newest first, optionally of one kind of record (``entity``, a table
    such as ``accounts``), one record (with ``entity_id``) or one actor."""
    valid = audited_tables()
    if entity is not None and entity not in valid:
        raise InvalidValueError(
            f"entity {entity!r} is not logged; choose one of {', '.join(valid)}",
            details={"field": "entity", "value": entity, "valid": valid},
        )
    if entity_id is not None and entity is None:
        raise InvalidValueError(
            "a record id needs its kind: give entity (e.g. accounts) with it",
            details={"field": "entity_id", "value": entity_id},
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidValueError(
            f"limit {limit} must be between 1 and {MAX_LIMIT}",
            details={"field": "limit", "value": limit},
        )
    stmt = select(AuditEntry)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        entries=[AuditEntryOut.model_validate(r) for r in rows],
        next_before=rows[-1].id if more and rows else None,
    )
