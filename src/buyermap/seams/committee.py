"""The buying-committee seam: a committee with shares, completeness and risks; the risk
list over open deals; what wins; the role catalogue and required roles.

One document per question, shared by ``buyermap committee ... --json``, ``/api/v1`` and the
pages. Rules: :mod:`buyermap.domain.committee`; data: :mod:`buyermap.services.committee`;
what wins: :mod:`buyermap.analytics.committee`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from buyermap.analytics.committee import what_wins
from buyermap.analytics.committee_risks import risk_table
from buyermap.db.models import CommitteeMember, Pipeline
from buyermap.db.types import utcnow
from buyermap.domain.committee import (
    DEFAULT_LABELS,
    DEFAULT_STALE_DAYS,
    HIGH_INFLUENCE,
    DealFacts,
    MemberFacts,
    Requirement,
    completeness,
    influence_shares,
    risks,
)
from buyermap.errors import NotFoundError
from buyermap.schemas.common import UtcOut
from buyermap.services import committee as svc

RiskSort = Literal["risk", "amount", "deal"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Flag(_Doc):
    code: str = Field(description="Stable code, e.g. no_economic_buyer, missing_role:legal")
    message: str = Field(description="The risk in words")
    contact_ids: list[int] = Field(default_factory=list, description="The people it is about")


class CompletenessDoc(_Doc):
    required: list[str] = Field(description="Roles the deal's stage requires")
    filled: list[str]
    missing: list[str]
    share: float | None = Field(description="Filled over required, 0-1; null: none required")


class MemberDoc(_Doc):
    id: int
    contact_id: int
    name: str
    email: str | None
    role: str
    role_label: str
    influence: int | None = Field(description="1 (low) to 5 (high) as typed; null: not rated")
    share: float | None = Field(description="Share of the decision in this committee, 0-1")
    attitude: str
    formal_position: str | None
    real_position: str | None
    relation: str | None = Field(description="How they relate to us")
    evidence: str | None
    source: str | None
    verified_at: UtcOut | None
    added_stage: str | None = Field(description="The deal's stage when they joined")
    left_on: str | None = Field(description="The day their position at the account ended")
    version: int


class CommitteeDocument(_Doc):
    deal_id: int | None
    account_id: int | None
    name: str = Field(description="The deal's name, or the account's for a standing group")
    stage: str | None
    members: list[MemberDoc]
    completeness: CompletenessDoc | None = Field(description="Deals only")
    flags: list[Flag] = Field(description="The deal's risks (open deals only)")


class RiskDeal(_Doc):
    deal_id: int
    external_id: str | None
    name: str
    stage: str | None
    account: str | None
    amount: float | None
    currency: str
    amount_at_risk: float = Field(description="The deal's amount when it has a risk, else 0")
    members: int
    completeness: CompletenessDoc
    flags: list[Flag]


class RisksDocument(_Doc):
    deals: list[RiskDeal] = Field(description="Every open deal (or the one asked for)")
    flagged: int = Field(description="How many of them have at least one risk")
    amount_at_risk: dict[str, float] = Field(description="Amount at risk per currency")
    sort: str
    stale_days: int
    as_of: UtcOut


class WinGroupDoc(_Doc):
    cut: str = Field(description="coverage, economic_buyer or top_attitude")
    group: str
    label: str
    n: int
    won: int
    win_rate: float | None
    low: float | None = Field(description="95% Wilson interval, lower end")
    high: float | None
    enough: bool = Field(description="At least the minimum of deals to read the rate")
    words: str


class WinsDocument(_Doc):
    closed: int
    won: int
    groups: list[WinGroupDoc]
    findings: list[str]
    caveat: str
    version: str


class RoleDoc(_Doc):
    key: str
    label: str
    default: bool
    active: bool


class RolesDocument(_Doc):
    roles: list[RoleDoc]


class RequirementDoc(_Doc):
    role: str
    label: str
    stage: str = Field(description="Required from this stage on")
    position: int = Field(description="The stage's place among the open stages (0 first)")


class RequiredRolesDocument(_Doc):
    pipeline_id: int
    pipeline: str
    defaults: bool = Field(description="True: the default rules matched to this pipeline")
    required: list[RequirementDoc]


# -- builders --------------------------------------------------------------------------------


def _flags(found: Sequence[object]) -> list[Flag]:
    return [
        Flag(code=f.code, message=f.message, contact_ids=list(f.contact_ids))  # type: ignore[attr-defined]
        for f in found
    ]


def _completeness(
    deal: DealFacts, members: Sequence[MemberFacts], roles: frozenset[str] | None = None
) -> CompletenessDoc:
    c = completeness(deal, members, roles=roles)
    return CompletenessDoc(
        required=list(c.required), filled=list(c.filled), missing=list(c.missing), share=c.share
    )


class _Requirements:
    """Each pipeline's requirements and stage places, read once per request."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pipelines = svc.pipelines_by_id(session)
        self._cache: dict[int, tuple[tuple[Requirement, ...], dict[int, int]]] = {}

    def of(self, pipeline_id: int) -> tuple[tuple[Requirement, ...], dict[int, int]]:
        if pipeline_id not in self._cache:
            pipeline = self.pipelines[pipeline_id]
            found, _ = svc.requirements(self.session, pipeline=pipeline)
            opened = sorted(pipeline.stages, key=lambda s: s.position)
            places = {s.id: i for i, s in enumerate(x for x in opened if x.kind == "open")}
            self._cache[pipeline_id] = (tuple(found), places)
        return self._cache[pipeline_id]

    def facts(self, row: svc.DealRow) -> DealFacts:
        return replace(
            self.stage_facts(row.pipeline_id, row.stage_id, row.stage),
            deal_id=row.id,
            account=row.account,
        )

    def stage_facts(self, pipeline_id: int, stage_id: int | None, stage: str | None) -> DealFacts:
        """What a deal's stage makes of it, for any deal of ``pipeline_id`` there."""
        found, places = self.of(pipeline_id)
        return DealFacts(
            deal_id=0,
            stage=stage,
            position=places.get(stage_id) if stage_id is not None else None,
            requirements=found,
        )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the list is built: with 100,000 deals there are
    millions of live rows, flags and documents, and each collection walks all of them
    (measured: 8 of 16 s). Nothing here makes reference cycles; reference counting frees
    the rest as usual, and collection resumes (if it was on) when the list is done.

    What was built while collection was off is handed straight to the oldest generation
    (``gc.freeze`` then ``gc.unfreeze``): left in the youngest, the first collection after
    would walk all of the finished document once more (measured: 1.3 s of 6.8 s), though
    reference counting is what frees it when the caller lets it go."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def risk_list(
    session: Session,
    *,
    deal_id: int | None = None,
    sort: RiskSort = "risk",
    stale_days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
) -> RisksDocument:
    """Every open deal's committee risks (or deal ``deal_id``'s, which must be open)."""
    with _gc_paused():
        return _risk_list(session, deal_id=deal_id, sort=sort, stale_days=stale_days, now=now)


def _risk_list(
    session: Session,
    *,
    deal_id: int | None,
    sort: RiskSort,
    stale_days: int,
    now: datetime | None,
) -> RisksDocument:
    at = now or utcnow()
    reqs = _Requirements(session)
    asked = sorted({r.role for p in reqs.pipelines for r in reqs.of(p)[0]})
    deals, members = svc.open_deal_frames(
        session,
        deal_ids=None if deal_id is None else [deal_id],
        roles=asked,
        stale_before=at - timedelta(days=stale_days),
        high=HIGH_INFLUENCE,
    )
    if deal_id is not None and deals.is_empty():
        raise NotFoundError(
            f"no open deal with id {deal_id}: risks are for open deals; closed ones are in "
            "buyermap committee wins",
            details={"field": "deal"},
        )
    labels = {**DEFAULT_LABELS, **{r.key: r.label for r in svc.role_entries(session, hidden=True)}}
    result = risk_table(
        deals,
        members,
        asked=asked,
        facts=reqs.stage_facts,
        now=at,
        stale_days=stale_days,
        labels=labels,
    )
    ranked = result.deals
    if sort == "amount":
        ranked = ranked.sort(
            ["amount_at_risk", "n_flags", "deal_id"], descending=[True, True, False]
        )
    elif sort == "risk":
        ranked = ranked.sort(
            ["n_flags", "amount_at_risk", "deal_id"], descending=[True, True, False]
        )
    at_risk = (
        ranked.filter(pl.col("amount_at_risk") != 0)
        .group_by("currency", maintain_order=True)
        .agg(pl.col("amount_at_risk").sum())
    )
    # each distinct completeness validated once and the instance shared (pydantic takes a
    # model instance as it is): 100,000 deals have a handful, and left as a struct column
    # their conversion to dicts alone took 0.9 s
    shared = [CompletenessDoc.model_validate(c) for c in result.completeness]
    rows = ranked.drop("n_flags").to_dicts()
    for row in rows:
        row["flags"] = result.flags.get(row["deal_id"], [])
        row["completeness"] = shared[row.pop("completeness_key")]
    # plain dicts, validated once with the document (pydantic's core is fastest so)
    return RisksDocument.model_validate(
        {
            "deals": rows,
            "flagged": len(result.flags),
            "amount_at_risk": dict(at_risk.iter_rows()),
            "sort": sort,
            "stale_days": stale_days,
            "as_of": at,
        }
    )


def _member_doc(
    m: CommitteeMember, share: float | None, labels: dict[str, str], left: str | None
) -> MemberDoc:
    return MemberDoc(
        id=m.id,
        contact_id=m.contact_id,
        name=m.contact.full_name,
        email=m.contact.email,
        role=m.role,
        role_label=labels.get(m.role, m.role.replace("_", " ")),
        influence=m.influence,
        share=share,
        attitude=m.attitude,
        formal_position=m.formal_position,
        real_position=m.real_position,
        relation=m.relation,
        evidence=m.evidence,
        source=m.source,
        verified_at=m.verified_at,
        added_stage=m.added_stage,
        left_on=left,
        version=m.version,
    )


def deal_committee(
    session: Session,
    *,
    deal_id: int,
    stale_days: int = DEFAULT_STALE_DAYS,
    now: datetime | None = None,
) -> CommitteeDocument:
    """A deal's committee: members with their shares, completeness and (open deals) risks."""
    members = svc.deal_members(session, deal_id=deal_id)
    deal_row = svc.deal_row(session, deal_id=deal_id)
    reqs = _Requirements(session)
    facts = reqs.facts(deal_row)
    people = svc.facts_of(session, members=members, account_id=deal_row.account_id)
    labels = {r.key: r.label for r in svc.role_entries(session, hidden=True)}
    shares = influence_shares([m.influence for m in members])
    flags = (
        risks(facts, people, now=now or utcnow(), stale_days=stale_days, labels=labels)
        if deal_row.open
        else []
    )
    return CommitteeDocument(
        deal_id=deal_id,
        account_id=deal_row.account_id,
        name=deal_row.name,
        stage=deal_row.stage,
        members=[
            _member_doc(m, s, labels, p.left_on)
            for m, s, p in zip(members, shares, people, strict=True)
        ],
        completeness=_completeness(facts, people),
        flags=_flags(flags),
    )


def account_committee(
    session: Session, *, domain: str | None = None, account_id: int | None = None
) -> CommitteeDocument:
    """An account's standing decision group (members with no deal), with their shares."""
    account = (
        svc.find_account(session, domain=domain)
        if domain is not None
        else svc.get_account(session, account_id=account_id or 0)
    )
    members = svc.account_members(session, account_id=account.id)
    people = svc.facts_of(session, members=members, account_id=account.id)
    labels = {r.key: r.label for r in svc.role_entries(session, hidden=True)}
    shares = influence_shares([m.influence for m in members])
    return CommitteeDocument(
        deal_id=None,
        account_id=account.id,
        name=account.name,
        stage=None,
        members=[
            _member_doc(m, s, labels, p.left_on)
            for m, s, p in zip(members, shares, people, strict=True)
        ],
        completeness=None,
        flags=[],
    )


def wins(session: Session) -> WinsDocument:
    """What wins, from the workspace's closed deals (refused below the evidence floor)."""
    result = what_wins(svc.closed_deal_facts(session), stage_order=svc.stage_order(session))
    return WinsDocument(
        closed=result.closed,
        won=result.won,
        groups=[
            WinGroupDoc(
                cut=g.cut,
                group=g.group,
                label=g.label,
                n=g.n,
                won=g.won,
                win_rate=g.win_rate,
                low=g.low,
                high=g.high,
                enough=g.enough,
                words=g.words,
            )
            for g in result.groups
        ],
        findings=list(result.findings),
        caveat=result.caveat,
        version=result.version,
    )


def roles(session: Session, *, hidden: bool = False) -> RolesDocument:
    return RolesDocument(
        roles=[
            RoleDoc(key=r.key, label=r.label, default=r.default, active=r.active)
            for r in svc.role_entries(session, hidden=hidden)
        ]
    )


def required_roles(session: Session, *, pipeline: Pipeline) -> RequiredRolesDocument:
    found, defaults = svc.requirements(session, pipeline=pipeline)
    labels = {r.key: r.label for r in svc.role_entries(session, hidden=True)}
    return RequiredRolesDocument(
        pipeline_id=pipeline.id,
        pipeline=pipeline.name,
        defaults=defaults,
        required=[
            RequirementDoc(
                role=r.role, label=labels.get(r.role, r.role), stage=r.stage, position=r.position
            )
            for r in found
        ],
    )
