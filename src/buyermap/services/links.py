"""Names to link to: what analysis pages need to turn record ids into links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Deal


@dataclass(frozen=True, slots=True)
class DealLink:
    id: int | None  # None: no such deal in the workspace (a file's id); shown as text
    name: str


def deal_links(session: Session, *, ids: Sequence[str]) -> dict[str, DealLink]:
    """Deal names for workspace deal ids as analyses carry them (text), 500 per query."""
    numeric = sorted({int(i) for i in ids if i.isdigit()})
    names: dict[int, str] = {}
    for start in range(0, len(numeric), 500):
        chunk = numeric[start : start + 500]
        names |= dict(session.execute(select(Deal.id, Deal.name).where(Deal.id.in_(chunk))).all())
    return {
        i: DealLink(int(i), names[int(i)]) if i.isdigit() and int(i) in names else DealLink(None, i)
        for i in ids
    }
