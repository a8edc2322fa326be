"""Notes and interviews: dated free text linked to accounts, contacts or deals.

Keyword-only functions taking the session; they flush, the caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, Contact, Deal, Note
from buyermap.db.types import utcnow
from buyermap.domain.enums import NoteKind
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.schemas.notes import NoteCreate, NoteUpdate
from buyermap.services.listing import Listed, ListQuery, ListSpec, run_list
from buyermap.services.versions import check_delete_version, check_version, take_version

# The records a note can belong to, by the name of its link.
PARENTS: dict[str, type[Account] | type[Contact] | type[Deal]] = {
    "account_id": Account,
    "contact_id": Contact,
    "deal_id": Deal,
}

NOTE_SORTS: dict[str, Any] = {
    "occurred_at": Note.occurred_at,
    "kind": Note.kind,
    "title": Note.title,
    "source": Note.source,
    "id": Note.id,
}
NOTE_LIST = ListSpec(
    sortable=NOTE_SORTS,
    searchable=[Note.title, Note.body, Note.source],
    default_sort="-occurred_at",
    tiebreak=Note.id,
)


def _require_parent(session: Session, *, link: str, key: int) -> None:
    model = PARENTS[link]
    if session.get(model, key) is None:
        raise NotFoundError(
            f"no {model.__tablename__[:-1]} with id {key}", details={"field": link, "id": key}
        )


def add_note(session: Session, *, data: NoteCreate) -> Note:
    """Store a note; it must belong to an account, a contact or a deal that exists."""
    links = {link: getattr(data, link) for link in PARENTS}
    if all(key is None for key in links.values()):
        raise InvalidValueError("a note needs an account, a contact or a deal to belong to")
    for link, key in links.items():
        if key is not None:
            _require_parent(session, link=link, key=key)
    values = data.model_dump()
    values["occurred_at"] = data.occurred_at or utcnow()
    note = Note(**values)
    session.add(note)
    session.flush()
    return note


def get_note(session: Session, *, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise NotFoundError(f"no note with id {note_id}")
    return note


def list_notes(
    session: Session,
    *,
    query: ListQuery,
    account_id: int | None = None,
    contact_id: int | None = None,
    deal_id: int | None = None,
    kind: NoteKind | None = None,
) -> Listed[Note]:
    """A page of the notes of one record (404 when it does not exist), newest first.

    Searches title, body and source; sorts by occurred_at, kind, title, source or id.
    """
    stmt = select(Note)
    for link, key in (("account_id", account_id), ("contact_id", contact_id), ("deal_id", deal_id)):
        if key is not None:
            _require_parent(session, link=link, key=key)
            stmt = stmt.where(getattr(Note, link) == key)
    if kind is not None:
        stmt = stmt.where(Note.kind == kind.value)
    return run_list(session, stmt, spec=NOTE_LIST, query=query)


def update_note(session: Session, *, note_id: int, data: NoteUpdate) -> Note:
    """Change the fields given; the records the note belongs to stay."""
    note = get_note(session, note_id=note_id)
    changes = data.model_dump(exclude_unset=True)
    check_version(note, expected=take_version(changes), changes=changes, what="note")
    for field, value in changes.items():
        setattr(note, field, value)
    session.flush()
    return note


def delete_note(session: Session, *, note_id: int, expected_version: int | None = None) -> None:
    """Delete the note (only the note); a stale ``expected_version`` is refused (409)."""
    note = get_note(session, note_id=note_id)
    check_delete_version(note, expected=expected_version, what="note")
    session.delete(note)
    session.flush()


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
