"""Notes and interviews: dated free text linked to accounts, contacts or deals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, Contact, Deal, Note
from buyermap.db.types import utcnow
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.schemas.entities import NoteCreate


def add_note(session: Session, *, data: NoteCreate) -> Note:
    if data.account_id is None and data.contact_id is None and data.deal_id is None:
        raise InvalidValueError("a note needs an account, a contact or a deal to belong to")
    for model, key in (
        (Account, data.account_id),
        (Contact, data.contact_id),
        (Deal, data.deal_id),
    ):
        if key is not None and session.get(model, key) is None:
            raise NotFoundError(f"no {model.__tablename__[:-1]} with id {key}")
    values = data.model_dump()
    values["occurred_at"] = data.occurred_at or utcnow()
    note = Note(**values)
    session.add(note)
    session.flush()
    return note


def notes_for(
    session: Session,
    *,
    account_id: int | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    limit: int = 50,
) -> list[Note]:
    stmt = select(Note)
    if account_id is not None:
        stmt = stmt.where(Note.account_id == account_id)
    if contact_id is not None:
        stmt = stmt.where(Note.contact_id == contact_id)
    if deal_id is not None:
        stmt = stmt.where(Note.deal_id == deal_id)
    return list(session.scalars(stmt.order_by(Note.occurred_at.desc(), Note.id).limit(limit)))
