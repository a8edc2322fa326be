"""Write every record of a kind to CSV or XLSX, in columns that import back unchanged.

References use our ids (``account_external_id``, ``company_external_id``, ``deal``): importing
an export into a fresh workspace stores each ``id`` as an external id (system ``import``),
so the references of the files imported after it resolve.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    Contact,
    ContactRelationship,
    ContentAsset,
    Deal,
    ExternalRef,
    KnowledgeValue,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    SupplierCriterion,
    Touchpoint,
    User,
)
from buyermap.domain.enums import EntityKind
from buyermap.domain.knowledge import show_value
from buyermap.domain.number_formats import number_format
from buyermap.errors import InvalidValueError
from buyermap.io.records import ACCOUNT_FIELDS, CONTACT_FIELDS

Table = tuple[list[str], list[list[Any]]]


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _with_json(
    base: list[str], records: list[tuple[list[Any], dict[str, Any], dict[str, Any]]]
) -> Table:
    custom_keys = sorted({k for _, c, _ in records for k in c})
    extra_keys = sorted({k for _, _, e in records for k in e} - set(base))
    header = base + [f"custom.{k}" for k in custom_keys] + extra_keys
    rows = [
        [*row, *(c.get(k) for k in custom_keys), *(e.get(k) for k in extra_keys)]
        for row, c, e in records
    ]
    return header, rows


def _owner_names(session: Session) -> dict[int, str]:
    """Each user's email, or name when it has none (how owners import back)."""
    return dict(session.execute(select(User.id, func.coalesce(User.email, User.name))).all())


def _accounts(session: Session) -> Table:
    owners = _owner_names(session)
    base = ["id", *ACCOUNT_FIELDS, "owner"]
    records = [
        (
            [
                a.id,
                *(getattr(a, f) for f in ACCOUNT_FIELDS),
                owners.get(a.owner_id) if a.owner_id else None,
            ],
            a.custom or {},
            a.extra or {},
        )
        for a in session.scalars(select(Account).order_by(Account.id))
    ]
    return _with_json(base, records)


def _contacts(session: Session) -> Table:
    company: dict[int, int] = {}
    stmt = (
        select(AccountContact.contact_id, AccountContact.account_id)
        .where(AccountContact.end_date.is_(None))
        .order_by(AccountContact.is_primary, AccountContact.id)
    )
    for cid, aid in session.execute(stmt):
        company[cid] = aid
    base = ["id", *CONTACT_FIELDS, "company_external_id"]
    records = [
        (
            [c.id, *(getattr(c, f) for f in CONTACT_FIELDS), company.get(c.id)],
            c.custom or {},
            c.extra or {},
        )
        for c in session.scalars(select(Contact).order_by(Contact.id))
    ]
    return _with_json(base, records)


def _deals(session: Session) -> Table:
    owners = _owner_names(session)
    stages = dict(session.execute(select(Stage.id, Stage.name)).all())
    pipelines = dict(session.execute(select(Pipeline.id, Pipeline.name)).all())
    reasons = dict(session.execute(select(LostReason.id, LostReason.name)).all())
    base = [
        "id",
        "name",
        "account_external_id",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "owner",
        "source",
        "channel",
        "opened_at",
        "expected_close",
        "closed_at",
        "status",
        "lost_reason",
    ]
    records = [
        (
            [
                d.id,
                d.name,
                d.account_id,
                pipelines.get(d.pipeline_id),
                stages.get(d.stage_id or -1),
                d.amount,
                d.currency,
                owners.get(d.owner_id) if d.owner_id else None,
                d.source,
                d.channel,
                d.opened_at,
                d.expected_close,
                d.closed_at,
                d.status,
                reasons.get(d.lost_reason_id) if d.lost_reason_id else None,
            ],
            d.custom or {},
            d.extra or {},
        )
        for d in session.scalars(select(Deal).order_by(Deal.id))
    ]
    return _with_json(base, records)


def _history(session: Session) -> Table:
    owners = _owner_names(session)
    stages = dict(session.execute(select(Stage.id, Stage.name)).all())
    opened = dict(session.execute(select(Deal.id, Deal.opened_at)).all())
    # The history format of ``buyermap pipeline stats|forecast --history``, with how far its
    # times can be trusted: the deal's opening date (empty = unknown) and snapshot changes.
    base = [
        "id",
        "deal_id",
        "from_stage",
        "stage",
        "changed_at",
        "amount",
        "changed_by",
        "opened_at",
        "is_snapshot",
    ]
    records: list[tuple[list[Any], dict[str, Any], dict[str, Any]]] = [
        (
            [
                c.id,
                c.deal_id,
                stages.get(c.from_stage_id) if c.from_stage_id else None,
                stages[c.to_stage_id],
                c.changed_at,
                c.amount,
                owners.get(c.changed_by_id) if c.changed_by_id else None,
                opened.get(c.deal_id),
                c.is_snapshot,
            ],
            {},
            c.extra or {},
        )
        for c in session.scalars(
            select(StageChange).order_by(
                StageChange.deal_id, StageChange.changed_at, StageChange.id
            )
        )
    ]
    return _with_json(base, records)


def _criteria(session: Session) -> Table:
    """The ``buyermap import supplier-criteria`` format: exported, it imports unchanged."""
    header = ["account_domain", "criterion", "operator", "value", "weight", "must_have"]
    rows = [
        [domain, c.criterion, c.operator, c.value, c.weight, "yes" if c.must_have else "no"]
        for c, domain in session.execute(
            select(SupplierCriterion, Account.domain)
            .join(Account, Account.id == SupplierCriterion.account_id)
            .order_by(Account.domain, SupplierCriterion.id)
        ).tuples()
    ]
    return header, rows


COMMITTEE_HEADER = [
    "deal_external_id",
    "deal_id",
    "account_domain",
    "contact_email",
    "role",
    "influence",
    "attitude",
    "formal_position",
    "real_position",
    "relation",
    "notes",
    "source",
    "verified_at",
]


def _committee(session: Session) -> Table:
    """The ``buyermap import committee`` format: exported, it imports unchanged. A deal's
    members name the deal (its CRM id too, when it has one); an account's standing group
    names the account's domain."""
    refs: dict[int, str] = {}
    for entity_id, value in session.execute(
        select(ExternalRef.entity_id, ExternalRef.value)
        .where(ExternalRef.entity == "deal")
        .order_by(ExternalRef.id)
    ):
        refs.setdefault(entity_id, value)
    rows: list[list[Any]] = []
    for m, email, domain in session.execute(
        select(CommitteeMember, Contact.email, Account.domain)
        .join(Contact, Contact.id == CommitteeMember.contact_id)
        .outerjoin(Account, Account.id == CommitteeMember.account_id)
        .order_by(CommitteeMember.deal_id.is_(None), CommitteeMember.deal_id, CommitteeMember.id)
    ):
        rows.append(
            [
                refs.get(m.deal_id) if m.deal_id is not None else None,
                m.deal_id,
                domain if m.deal_id is None else None,
                email,
                m.role,
                m.influence,
                m.attitude,
                m.formal_position,
                m.real_position,
                m.relation,
                m.evidence,
                m.source,
                m.verified_at.isoformat(sep=" ") if m.verified_at is not None else None,
            ]
        )
    return list(COMMITTEE_HEADER), rows


KNOWLEDGE_HEADER = ["account_domain", "field", "value", "contact_email", "verified_at"]


def _knowledge(session: Session) -> Table:
    """The ``buyermap import knowledge`` format (lists joined with ``;``)."""
    rows: list[list[Any]] = []
    for v, domain, email in session.execute(
        select(KnowledgeValue, Account.domain, Contact.email)
        .join(Account, Account.id == KnowledgeValue.account_id)
        .outerjoin(Contact, Contact.id == KnowledgeValue.contact_id)
        .order_by(KnowledgeValue.account_id, KnowledgeValue.id)
    ):
        rows.append(
            [
                domain,
                v.field_key,
                show_value(v.value) if isinstance(v.value, list | bool) else v.value,
                email,
                v.verified_at.isoformat(sep=" ") if v.verified_at is not None else None,
            ]
        )
    return list(KNOWLEDGE_HEADER), rows


def _touchpoints(session: Session) -> Table:
    """The ``buyermap import touchpoints`` format (contact_email,url,at,channel): exported,
    it imports unchanged."""
    rows = [
        [email, asset_url, t.at, t.channel or None]
        for t, email, asset_url in session.execute(
            select(Touchpoint, Contact.email, ContentAsset.url)
            .join(Contact, Contact.id == Touchpoint.contact_id)
            .join(ContentAsset, ContentAsset.id == Touchpoint.asset_id)
            .order_by(Touchpoint.at, Touchpoint.id)
        )
    ]
    return ["contact_email", "url", "at", "channel"], rows


RELATIONSHIPS_HEADER = ["from_email", "to_email", "type", "evidence", "strength", "source"]


def _relationships(session: Session) -> Table:
    """The ``buyermap import relationships`` format: exported, it imports unchanged."""
    src, dst = aliased(Contact), aliased(Contact)
    rows: list[list[Any]] = [
        [a, b, t.kind, t.evidence, t.strength, t.source]
        for t, a, b in session.execute(
            select(ContactRelationship, src.email, dst.email)
            .join(src, src.id == ContactRelationship.from_contact_id)
            .join(dst, dst.id == ContactRelationship.to_contact_id)
            .order_by(ContactRelationship.id)
        )
    ]
    return list(RELATIONSHIPS_HEADER), rows


EXPORTERS = {
    EntityKind.ACCOUNTS: _accounts,
    EntityKind.CONTACTS: _contacts,
    EntityKind.DEALS: _deals,
    EntityKind.STAGE_HISTORY: _history,
    EntityKind.SUPPLIER_CRITERIA: _criteria,
    EntityKind.COMMITTEE: _committee,
    EntityKind.KNOWLEDGE: _knowledge,
    EntityKind.TOUCHPOINTS: _touchpoints,
    EntityKind.RELATIONSHIPS: _relationships,
}


def _rows(rows: list[list[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [_text(v) for v in row]


def export_file(session: Session, *, entity: EntityKind, path: Path) -> int:
    """Write all records of ``entity`` to ``path`` (.csv or .xlsx); returns the row count."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidValueError(f"cannot export to {path.name!r}; use a .csv or .xlsx file name")
    header, rows = EXPORTERS[entity](session)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(_rows(rows))
        return len(rows)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(entity.value)
    sheet.append(header)
    for row in _rows(rows):
        cells = []
        for column, value in zip(header, row, strict=False):
            cell = WriteOnlyCell(sheet, value=value)
            fmt = number_format(column, value)
            if fmt is not None:
                cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    book.save(path)
    return len(rows)
