"""Checks that the ids a write refers to exist: 422 naming the field, not a database error."""

from __future__ import annotations

from sqlalchemy.orm import Session

from buyermap.db.base import Base
from buyermap.db.models import Account, Contact, Deal, User
from buyermap.errors import InvalidValueError

_KINDS: dict[type[Base], str] = {
    Account: "account",
    Contact: "contact",
    Deal: "deal",
    User: "user",
}


def require_ref(session: Session, model: type[Base], ref_id: int | None, *, field: str) -> None:
    """Refuse a write whose ``field`` names a record that does not exist (None is no reference)."""
    if ref_id is None or session.get(model, ref_id) is not None:
        return
    kind = _KINDS.get(model, model.__name__.lower())
    raise InvalidValueError(
        f"{field}: no {kind} with id {ref_id}",
        details={"field": field, "value": ref_id},
    )
