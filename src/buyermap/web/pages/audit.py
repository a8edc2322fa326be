"""``/audit``: the audit log as sentences -- who added, changed or deleted which record,
when, from what to what (never a personal field's values), newest first, by kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from buyermap.db.audit import audited_tables
from buyermap.domain.enums import DataClass
from buyermap.domain.labels import label
from buyermap.schemas.audit import AuditEntryOut
from buyermap.schemas.common import MAX_INT
from buyermap.services import audit as svc
from buyermap.web.deps import SessionDep
from buyermap.web.templating import render

router = APIRouter()

PAGE = 50
# table -> (the record in words, the page of one record, if the workbench has one)
RECORDS: dict[str, tuple[str, str | None]] = {
    "accounts": ("account", "/accounts/"),
    "contacts": ("contact", "/contacts/"),
    "deals": ("deal", "/deals/"),
    "notes": ("note", None),
    "committee_members": ("buying-committee member", None),
    "contact_relationships": ("tie between two people", None),
    "knowledge_values": ("account knowledge value", None),
    "persona_profiles": ("persona's words", None),
    "journeys": ("journey map", None),
    "journey_lines": ("journey map line", None),
    "content_assets": ("content asset", None),
    "seller_profile": ("seller profile entry", None),
    "supplier_criteria": ("supplier criterion", None),
}
VERBS = {"create": "added", "update": "changed", "delete": "deleted"}


@dataclass(frozen=True, slots=True)
class Line:
    """One entry in words."""

    entry: AuditEntryOut
    record: str
    href: str | None
    field: str | None
    hidden: str | None  # why the values are not shown (a personal field), or None

    @property
    def verb(self) -> str:
        return VERBS.get(self.entry.action, self.entry.action)


def _line(entry: AuditEntryOut) -> Line:
    word, page = RECORDS.get(entry.entity, (label(entry.entity).lower(), None))
    record = f"{word} {entry.entity_id}" if entry.entity_id is not None else word
    href = f"{page}{entry.entity_id}" if page and entry.entity_id is not None else None
    hidden = None
    if entry.data_class:
        hidden = f"{label(DataClass(entry.data_class))} data: its values are not logged"
    field = entry.field.replace("_", " ") if entry.field else None
    return Line(entry, record, href, field, hidden)


@router.get("/audit", summary="Changes")
def audit_page(
    request: Request,
    session: SessionDep,
    entity: Annotated[str | None, Query(max_length=60)] = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    """The audit log in sentences, newest first, 50 a page, optionally of one kind."""
    kinds = [(t, RECORDS.get(t, (label(t), None))[0]) for t in audited_tables()]
    chosen = entity if entity in dict(kinds) else None
    page = svc.entries(session, entity=chosen, before=before, limit=PAGE)
    return render(
        request,
        "audit.html",
        {
            "lines": [_line(e) for e in page.entries],
            "next_before": page.next_before,
            "kinds": kinds,
            "entity": chosen,
            "unknown": entity if entity and chosen is None else None,
            "paged": before is not None,
        },
    )
