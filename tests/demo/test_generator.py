"""The demo generator: deterministic, scalable, consistent stage history, on both backends."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    Contact,
    Deal,
    ExternalRef,
    Note,
    Stage,
    StageChange,
    SurveyAnswer,
)
from buyermap.demo import DemoSummary, plan_demo, wipe_workspace, workspace_has_data
from buyermap.demo.constants import DEFAULT_AS_OF, N_ACCOUNTS, N_DEALS
from buyermap.services.deals import refresh_deal_state
from buyermap.services.pipelines import default_pipeline


def _count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_same_seed_gives_the_same_plan() -> None:
    one, two = plan_demo(seed=3, scale=0.05), plan_demo(seed=3, scale=0.05)
    assert one.accounts.rows == two.accounts.rows
    assert one.people.contacts == two.people.contacts
    assert one.deals.rows == two.deals.rows
    assert one.deals.moves == two.deals.moves
    assert one.notes == two.notes
    assert one.survey == two.survey


def test_a_different_seed_gives_different_data() -> None:
    one, two = plan_demo(seed=3, scale=0.05), plan_demo(seed=4, scale=0.05)
    assert [r["name"] for r in one.accounts.rows] != [r["name"] for r in two.accounts.rows]
    assert one.deals.moves != two.deals.moves


def test_dates_are_relative_to_as_of() -> None:
    as_of = datetime(2025, 3, 1)
    plan = plan_demo(seed=3, scale=0.05, as_of=as_of)
    assert plan.ctx.as_of == as_of
    assert all(m.at <= as_of for moves in plan.deals.moves for m in moves)
    assert plan_demo(seed=3, scale=0.05).ctx.as_of == DEFAULT_AS_OF


def test_sizes_follow_the_scale() -> None:
    small, double = plan_demo(scale=0.05), plan_demo(scale=0.1)
    assert len(small.accounts.rows) == round(N_ACCOUNTS * 0.05)
    assert len(double.accounts.rows) == round(N_ACCOUNTS * 0.1)
    assert len(small.deals.rows) == round(N_DEALS * 0.05)
    assert len(double.deals.rows) == round(N_DEALS * 0.1)
    ratio = len(double.people.contacts) / len(small.people.contacts)
    assert 1.7 < ratio < 2.3


def test_it_writes_the_plan_into_the_workspace(session: Session, small_demo: DemoSummary) -> None:
    plan = plan_demo(seed=7, scale=0.05)
    assert small_demo.accounts == _count(session, Account) == len(plan.accounts.rows)
    assert small_demo.contacts == _count(session, Contact) == len(plan.people.contacts)
    assert small_demo.deals == _count(session, Deal) == len(plan.deals.rows)
    assert small_demo.stage_changes == _count(session, StageChange)
    assert small_demo.notes == _count(session, Note) > 0
    assert small_demo.survey_answers == _count(session, SurveyAnswer) > 0
    assert small_demo.committee_members == _count(session, CommitteeMember) > 0
    assert _count(session, ExternalRef) == small_demo.external_refs
    names = list(session.scalars(select(Account.name).order_by(Account.id).limit(5)))
    # Accounts without a parent are written first, in plan order.
    assert names == [r["name"] for r in plan.accounts.rows if r["_parent"] is None][:5]
    first_deal = session.scalars(select(Deal).order_by(Deal.id).limit(1)).one()
    assert first_deal.name == plan.deals.rows[0]["name"]
    assert first_deal.amount == plan.deals.rows[0]["amount"]


def test_people_changed_jobs_and_email_on_the_account_domain(
    session: Session, small_demo: DemoSummary
) -> None:
    ended = session.scalar(
        select(func.count()).select_from(AccountContact).where(AccountContact.end_date.is_not(None))
    )
    assert ended is not None
    assert ended > 0
    rows = session.execute(
        select(Contact.email, Account.domain)
        .join(AccountContact, AccountContact.contact_id == Contact.id)
        .join(Account, Account.id == AccountContact.account_id)
        .where(AccountContact.end_date.is_(None))
    ).all()
    assert rows
    assert all(f"{email}".endswith(f"@{domain}") for email, domain in rows)


def test_every_deal_history_is_consistent(session: Session, small_demo: DemoSummary) -> None:
    stages = {s.id: s for s in default_pipeline(session).stages}
    deals = {d.id: d for d in session.scalars(select(Deal))}
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in session.scalars(
        select(StageChange).order_by(StageChange.deal_id, StageChange.changed_at, StageChange.id)
    ):
        history[change.deal_id].append(change)
    assert set(history) == set(deals)
    for deal_id, changes in history.items():
        deal = deals[deal_id]
        first = stages[changes[0].to_stage_id]
        assert first.name == "Lead"
        assert changes[0].changed_at == deal.opened_at
        assert changes[0].from_stage_id is None
        positions = [stages[c.to_stage_id].position for c in changes]
        assert positions == sorted(set(positions)), f"deal {deal_id} moves back or repeats"
        for prev, change in itertools.pairwise(changes):
            assert change.from_stage_id == prev.to_stage_id
            assert stages[prev.to_stage_id].kind == "open"
        last = stages[changes[-1].to_stage_id]
        assert deal.stage_id == last.id
        assert deal.status == last.kind
        assert deal.closed_at == (changes[-1].changed_at if last.kind != "open" else None)
        assert (deal.lost_reason_id is not None) == (last.kind == "lost")
        assert deal.amount == changes[-1].amount


def test_refresh_deal_state_agrees_with_the_generator(
    session: Session, small_demo: DemoSummary
) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        return [
            tuple(r)
            for r in session.execute(
                select(Deal.id, Deal.stage_id, Deal.status, Deal.closed_at).order_by(Deal.id)
            )
        ]

    before = snapshot()
    refresh_deal_state(session, deal_ids=[d for d, *_ in before])  # type: ignore[misc]
    assert snapshot() == before


def test_wipe_empties_the_workspace(session: Session, small_demo: DemoSummary) -> None:
    assert workspace_has_data(session)
    wipe_workspace(session)
    assert not workspace_has_data(session)
    assert _count(session, Stage) == 0


def test_a_new_workspace_holds_no_data(session: Session) -> None:
    default_pipeline(session)
    assert not workspace_has_data(session)
