"""The account-knowledge seam: the template, each account's value tier, completeness and
next best things to learn, and what we know of one account.

One document per question, shared by ``buyermap knowledge ... --json``, ``/api/v1`` and the
pages. Rules: :mod:`buyermap.domain.knowledge`; data: :mod:`buyermap.services.knowledge`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, KnowledgeValue
from buyermap.db.types import utcnow
from buyermap.domain.knowledge import (
    BLOCK_WORDS,
    DEFAULT_QUANTILES,
    TIERS,
    Block,
    FieldDef,
    completeness,
    next_best,
    required_fields,
    show_value,
    tier_thresholds,
    value_tier,
)
from buyermap.errors import NotFoundError
from buyermap.schemas.common import UtcOut
from buyermap.services import knowledge as svc
from buyermap.settings import parse_tier_floors

DEFAULT_STALE_DAYS = 365


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldDoc(_Doc):
    key: str
    label: str
    block: str = Field(description="company, decision_group or decision_maker")
    type: str = Field(description="text, number, money, date, choice, list, url or yes_no")
    data_class: str = Field(
        description="identity, professional, personal_profile or special_category"
    )
    enabled: bool
    from_tier: str = Field(description="The lowest value tier it is worth collecting for")
    cost: int = Field(description="Effort to learn it, 1 (a minute's look) to 5")
    worth: int = Field(description="How much it helps a sale, 1 to 5")
    choices: list[str]
    custom: bool
    legal_basis: str | None = Field(description="Special categories: the recorded basis")
    legal_basis_by: str | None
    legal_basis_at: UtcOut | None


class TemplateDocument(_Doc):
    fields: list[FieldDoc]


class NextBestDoc(_Doc):
    key: str
    label: str
    score: float = Field(description="worth x tier margin / cost; higher first")
    why: str


class ValueParts(_Doc):
    won: float = Field(description="Won revenue (amounts as recorded)")
    expected: float = Field(description="Expected value of open deals (stage win rates)")
    fit: float | None = Field(description="The latest avatar's fit, 0-1; null: not scored")


class AccountCompleteness(_Doc):
    account_id: int
    name: str
    domain: str | None
    value: float = Field(description="Won revenue + expected value (+ fit x typical won)")
    value_parts: ValueParts
    value_tier: str = Field(description="A (key), B, C or D")
    required: list[str] = Field(description="Field keys worth collecting for its tier")
    filled: list[str] = Field(description="Required keys we know")
    completeness: float | None = Field(description="Filled over required, 0-1")
    next_best: list[NextBestDoc]
    stale: list[str] = Field(description="Keys whose value was not verified in time")


class CompletenessDocument(_Doc):
    accounts: list[AccountCompleteness]
    thresholds: dict[str, float | None] = Field(description="The lowest value of A, B and C")
    thresholds_from: str = Field(description="setting, or quantiles of the workspace")
    typical_won: float = Field(description="Median won revenue of accounts with any")
    stale_days: int
    as_of: UtcOut


class ValueDoc(_Doc):
    key: str
    label: str
    type: str
    data_class: str
    enabled: bool
    required: bool
    contact_id: int | None
    contact: str | None = Field(description="The decision maker it is about")
    value: Any = Field(description="As stored (lists, numbers, true/false, text)")
    shown: str | None = Field(description="The value in words")
    verified_at: UtcOut | None
    stale: bool
    version: int | None


class BlockDoc(_Doc):
    block: str
    label: str
    fields: list[ValueDoc]


class PersonDoc(_Doc):
    contact_id: int
    name: str
    email: str | None
    role: str


class AccountKnowledge(_Doc):
    account: AccountCompleteness
    decision_makers: list[PersonDoc]
    blocks: list[BlockDoc]


def field_doc(f: FieldDef) -> FieldDoc:
    return FieldDoc(
        key=f.key,
        label=f.label,
        block=f.block.value,
        type=f.type.value,
        data_class=f.data_class.value,
        enabled=f.enabled,
        from_tier=f.from_tier,
        cost=f.cost,
        worth=f.worth,
        choices=list(f.choices),
        custom=f.custom,
        legal_basis=f.legal_basis,
        legal_basis_by=f.legal_basis_by,
        legal_basis_at=f.legal_basis_at,
    )


def template_document(session: Session) -> TemplateDocument:
    return TemplateDocument(fields=[field_doc(f) for f in svc.template(session)])


def _when(v: KnowledgeValue) -> datetime:
    return v.verified_at or v.updated_at


class _Context:
    """What every account's completeness needs, read once."""

    def __init__(
        self, session: Session, *, tiers: str | None, stale_days: int, now: datetime | None
    ) -> None:
        self.now = now or utcnow()
        self.stale_before = self.now - timedelta(days=stale_days)
        self.stale_days = stale_days
        self.fields = svc.template(session)
        self.values, self.typical = svc.account_values(session)
        totals = {aid: v.total(self.typical) for aid, v in self.values.items()}
        self.totals = totals
        if tiers:
            self.thresholds = parse_tier_floors(tiers)
            self.source = "setting"
        else:
            self.thresholds = tier_thresholds(totals.values(), DEFAULT_QUANTILES)
            self.source = "quantiles"

    def account(
        self,
        account: Account,
        values: list[KnowledgeValue],
        makers: list[svc.Person],
    ) -> AccountCompleteness:
        total = self.totals.get(account.id, 0.0)
        tier = value_tier(total, self.thresholds)
        required = required_fields(self.fields, tier, has_decision_maker=bool(makers))
        people = {p.contact_id for p in makers}
        by_key: dict[str, set[int | None]] = defaultdict(set)
        stale: set[str] = set()
        for v in values:
            by_key[v.field_key].add(v.contact_id)
            if _when(v) < self.stale_before:
                stale.add(v.field_key)
        filled = [
            f.key
            for f in required
            if (
                people and people <= by_key.get(f.key, set())
                if f.block is Block.DECISION_MAKER
                else None in by_key.get(f.key, set())
            )
        ]
        parts = self.values.get(account.id)
        return AccountCompleteness(
            account_id=account.id,
            name=account.name,
            domain=account.domain,
            value=total,
            value_parts=ValueParts(
                won=parts.won if parts else 0.0,
                expected=parts.expected if parts else 0.0,
                fit=parts.fit if parts else None,
            ),
            value_tier=tier,
            required=[f.key for f in required],
            filled=filled,
            completeness=completeness(required, filled),
            next_best=[
                NextBestDoc(key=n.key, label=n.label, score=n.score, why=n.why)
                for n in next_best(required, filled, tier)
            ],
            stale=sorted(stale),
        )

    def thresholds_doc(self) -> dict[str, float | None]:
        return {
            t: (None if x == float("inf") else round(x, 2))
            for t, x in zip(TIERS, self.thresholds, strict=False)
        }


def _account(session: Session, domain: str) -> Account:
    found = session.scalar(select(Account).where(func.lower(Account.domain) == domain.lower()))
    if found is None:
        raise NotFoundError(
            f"no account with domain {domain!r}: give the domain of one of the workspace's "
            "accounts (buyermap list accounts)",
            details={"field": "account"},
        )
    return found


def completeness_document(
    session: Session,
    *,
    domain: str | None = None,
    account_id: int | None = None,
    tiers: str | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
) -> CompletenessDocument:
    """Every account (or the one asked for) by value, highest first."""
    ctx = _Context(session, tiers=tiers, stale_days=stale_days, now=now)
    if domain is not None:
        accounts = [_account(session, domain)]
    elif account_id is not None:
        one = session.get(Account, account_id)
        if one is None:
            raise NotFoundError(f"no account with id {account_id}", details={"field": "account"})
        accounts = [one]
    else:
        accounts = list(session.scalars(select(Account).order_by(Account.id)))
    ids = [a.id for a in accounts]
    values: dict[int, list[KnowledgeValue]] = defaultdict(list)
    for v in svc.values_of(session, account_ids=ids):
        values[v.account_id].append(v)
    makers = svc.decision_makers(session, account_ids=ids)
    docs = [ctx.account(a, values.get(a.id, []), makers.get(a.id, [])) for a in accounts]
    docs.sort(key=lambda d: (-d.value, d.account_id))
    return CompletenessDocument(
        accounts=docs,
        thresholds=ctx.thresholds_doc(),
        thresholds_from=ctx.source,
        typical_won=round(ctx.typical, 2),
        stale_days=stale_days,
        as_of=ctx.now,
    )


def account_knowledge(
    session: Session,
    *,
    domain: str | None = None,
    account_id: int | None = None,
    tiers: str | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
) -> AccountKnowledge:
    """What we know of one account, block by block (a decision-maker field once per
    decision maker), with its completeness against its tier."""
    at = now or utcnow()
    doc = completeness_document(
        session, domain=domain, account_id=account_id, tiers=tiers, stale_days=stale_days, now=at
    )
    one = doc.accounts[0]
    fields = svc.template(session)
    makers = svc.decision_makers(session, account_ids=[one.account_id]).get(one.account_id, [])
    stored = {
        (v.field_key, v.contact_id): v for v in svc.values_of(session, account_ids=[one.account_id])
    }
    required = set(one.required)
    before = at - timedelta(days=stale_days)
    blocks: list[BlockDoc] = []
    for block in Block:
        rows: list[ValueDoc] = []
        for f in (x for x in fields if x.block is block):
            subjects: list[svc.Person | None] = (
                list(makers) if block is Block.DECISION_MAKER else [None]
            )
            for person in subjects:
                cid = person.contact_id if person else None
                v = stored.get((f.key, cid))
                if v is None and not f.enabled:
                    continue  # a disabled field with nothing kept is not shown
                rows.append(
                    ValueDoc(
                        key=f.key,
                        label=f.label,
                        type=f.type.value,
                        data_class=f.data_class.value,
                        enabled=f.enabled,
                        required=f.key in required,
                        contact_id=cid,
                        contact=person.name if person else None,
                        value=v.value if v else None,
                        shown=show_value(v.value) if v else None,
                        verified_at=_when(v) if v else None,
                        stale=bool(v and _when(v) < before),
                        version=v.version if v else None,
                    )
                )
        blocks.append(BlockDoc(block=block.value, label=BLOCK_WORDS[block], fields=rows))
    return AccountKnowledge(
        account=one,
        decision_makers=[
            PersonDoc(contact_id=p.contact_id, name=p.name, email=p.email, role=p.role)
            for p in makers
        ],
        blocks=blocks,
    )
