"""Build the demo workspace: plan everything in memory (seeded), then bulk-insert it.

``plan_demo`` is pure (no database), so tests can check the planted structure quickly;
``build_demo`` writes a plan into a session with Core bulk inserts and does not commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    Contact,
    ContactRelationship,
    Deal,
    ExternalRef,
    Note,
    StageChange,
    SurveyAnswer,
    User,
)
from buyermap.demo.champions import plant_champions_left
from buyermap.demo.committees import plan_committees, plan_notes
from buyermap.demo.common import PlanContext, Row
from buyermap.demo.companies import AccountPlan, plan_accounts, plan_users
from buyermap.demo.constants import DEFAULT_AS_OF, LOST_REASONS
from buyermap.demo.deals import DealPlan, plan_deals
from buyermap.demo.fields import declare_demo_fields
from buyermap.demo.people import PeoplePlan, plan_people, plan_survey
from buyermap.demo.ties import plan_committee_ties
from buyermap.domain.enums import DealStatus
from buyermap.services.pipelines import default_pipeline, get_or_create_lost_reason

Progress = Callable[[str, int, int], None]
HUBSPOT = "hubspot"


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build wrote."""

    seed: int
    scale: float
    as_of: datetime
    users: int
    accounts: int
    contacts: int
    positions: int
    relationships: int
    deals: int
    stage_changes: int
    committee_members: int
    notes: int
    survey_answers: int
    external_refs: int
    open_deals: int
    won_deals: int
    lost_deals: int

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int) and k != "seed"}


@dataclass(frozen=True)
class DemoPlan:
    ctx: PlanContext
    users: list[Row]
    accounts: AccountPlan
    people: PeoplePlan
    survey: list[Row]
    deals: DealPlan
    committees: list[Row]
    notes: list[Row]


STEPS = ("plan people", "plan deals", "users & accounts", "contacts", "deals", "notes & survey")


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def plan_demo(
    *,
    seed: int = 7,
    scale: float = 1.0,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> DemoPlan:
    """Everything the demo holds, as rows that point at each other by list index."""
    if not scale > 0:
        raise ValueError(f"scale must be above 0, got {scale}")
    tick = progress or (lambda _label, _done, _total: None)
    ctx = PlanContext(seed=seed, scale=scale, as_of=_naive_utc(as_of or DEFAULT_AS_OF))
    tick(STEPS[0], 0, len(STEPS))
    users, territories = plan_users(ctx)
    accounts = plan_accounts(ctx, territories)
    people = plan_people(ctx, accounts)
    survey = plan_survey(ctx, people)
    tick(STEPS[1], 1, len(STEPS))
    deals = plan_deals(ctx, accounts, len(users))
    committees = plan_committees(ctx, deals, people)
    people.relationships.extend(plan_committee_ties(ctx, committees, people.relationships))
    people = plant_champions_left(ctx, accounts, deals, people, committees)
    notes = plan_notes(ctx, people, deals, committees)
    return DemoPlan(ctx, users, accounts, people, survey, deals, committees, notes)


def _public(row: Row) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _insert_ids(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, list(rows)))


def _insert(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), list(rows))


def _hubspot_refs(entity: str, ids: list[int], offset: int) -> list[dict[str, Any]]:
    return [
        {"entity": entity, "entity_id": i, "system": HUBSPOT, "value": str(offset + 37 * k)}
        for k, i in enumerate(ids)
    ]


def build_demo(
    session: Session,
    *,
    seed: int = 7,
    scale: float = 1.0,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Write a seeded demo workspace into ``session`` (no commit: the caller owns it).

    Same ``seed``, ``scale`` and ``as_of`` give the same data. ``progress(label, done,
    total)`` is called as the build goes. The planted structure is in docs/demo-data.md.
    """
    tick = progress or (lambda _label, _done, _total: None)
    plan = plan_demo(seed=seed, scale=scale, as_of=as_of, progress=tick)
    total = len(STEPS)
    tick(STEPS[2], 2, total)
    pipeline = default_pipeline(session)
    declare_demo_fields(session)
    stage_ids = {s.name: s.id for s in pipeline.stages}
    stage_kinds = {s.name: s.kind for s in pipeline.stages}  # a deal's status is its stage's kind
    reason_ids = {r: get_or_create_lost_reason(session, name=r).id for r in LOST_REASONS}

    user_ids = _insert_ids(session, User, plan.users)
    acc_rows = plan.accounts.rows
    acc_ids: list[int] = [0] * len(acc_rows)
    for want_parent in (False, True):
        idx = [i for i, r in enumerate(acc_rows) if (r["_parent"] is not None) == want_parent]
        rows = [
            _public(acc_rows[i])
            | {
                "owner_id": user_ids[plan.accounts.owners[i]],
                "parent_id": acc_ids[acc_rows[i]["_parent"]] if want_parent else None,
            }
            for i in idx
        ]
        for i, new_id in zip(idx, _insert_ids(session, Account, rows), strict=True):
            acc_ids[i] = new_id

    tick(STEPS[3], 3, total)
    people = plan.people
    contact_ids = _insert_ids(session, Contact, [_public(r) for r in people.contacts])
    _insert(
        session,
        AccountContact,
        [
            _public(p)
            | {"account_id": acc_ids[p["_account"]], "contact_id": contact_ids[p["_contact"]]}
            for p in people.positions
        ],
    )
    _insert(
        session,
        ContactRelationship,
        [
            {"evidence": None, "source": None}
            | _public(r)
            | {"from_contact_id": contact_ids[r["_from"]], "to_contact_id": contact_ids[r["_to"]]}
            for r in people.relationships
        ],
    )

    tick(STEPS[4], 4, total)
    deal_rows = []
    for row, moves in zip(plan.deals.rows, plan.deals.moves, strict=True):
        last = moves[-1].stage
        status = DealStatus(stage_kinds[last])
        deal_rows.append(
            _public(row)
            | {
                "account_id": acc_ids[row["_account"]],
                "owner_id": user_ids[row["_owner"]],
                "pipeline_id": pipeline.id,
                "stage_id": stage_ids[last],
                "status": status.value,
                "closed_at": moves[-1].at if status != DealStatus.OPEN else None,
                "lost_reason_id": reason_ids[row["_lost_reason"]] if row["_lost_reason"] else None,
            }
        )
    deal_ids = _insert_ids(session, Deal, deal_rows)
    changes = [
        {
            "deal_id": deal_ids[d],
            "from_stage_id": stage_ids[moves[k - 1].stage] if k else None,
            "to_stage_id": stage_ids[m.stage],
            "changed_at": m.at,
            "changed_by_id": user_ids[m.by],
            "amount": m.amount,
        }
        for d, moves in enumerate(plan.deals.moves)
        for k, m in enumerate(moves)
    ]
    _insert(session, StageChange, changes)
    _insert(
        session,
        CommitteeMember,
        [
            _public(c)
            | {
                "account_id": acc_ids[c["_account"]],
                "deal_id": deal_ids[c["_deal"]],
                "contact_id": contact_ids[c["_contact"]],
            }
            for c in plan.committees
        ],
    )

    tick(STEPS[5], 5, total)
    notes = [
        _public(n)
        | {
            "account_id": acc_ids[n["_account"]] if n["_account"] is not None else None,
            "contact_id": contact_ids[n["_contact"]],
            "deal_id": deal_ids[n["_deal"]] if n["_deal"] is not None else None,
        }
        for n in plan.notes
    ]
    _insert(session, Note, notes)
    survey = [_public(s) | {"contact_id": contact_ids[s["_contact"]]} for s in plan.survey]
    _insert(session, SurveyAnswer, survey)
    refs = (
        _hubspot_refs("account", acc_ids, 5_100_000_000)
        + _hubspot_refs("contact", contact_ids, 1_200_000)
        + _hubspot_refs("deal", deal_ids, 9_800_000_000)
    )
    _insert(session, ExternalRef, refs)
    session.flush()
    tick("done", total, total)
    statuses = [r["status"] for r in deal_rows]
    return DemoSummary(
        seed=seed,
        scale=scale,
        as_of=plan.ctx.as_of,
        users=len(user_ids),
        accounts=len(acc_ids),
        contacts=len(contact_ids),
        positions=len(people.positions),
        relationships=len(people.relationships),
        deals=len(deal_ids),
        stage_changes=len(changes),
        committee_members=len(plan.committees),
        notes=len(notes),
        survey_answers=len(survey),
        external_refs=len(refs),
        open_deals=statuses.count(DealStatus.OPEN.value),
        won_deals=statuses.count(DealStatus.WON.value),
        lost_deals=statuses.count(DealStatus.LOST.value),
    )
