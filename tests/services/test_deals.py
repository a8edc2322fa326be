"""Deals and their stage history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from buyermap.domain.enums import DealStatus, StageKind
from buyermap.domain.pipeline import StageSpec
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import (
    AccountCreate,
    DealCreate,
    NoteCreate,
    StageChangeCreate,
    StageChangeUpdate,
)
from buyermap.services import accounts, deals, notes, pipelines
from buyermap.services.workspace import init_workspace, workspace_status

T0 = datetime(2025, 1, 6, 9, 0)


def _deal(session: Session, name: str = "Big deal") -> int:
    acc = accounts.create_account(session, data=AccountCreate(name="Acme")).id
    return deals.create_deal(
        session, data=DealCreate(name=name, account_id=acc, amount=1000, opened_at=T0)
    ).id


def _move(session: Session, deal_id: int, stage: str, days: float, **kw: object) -> None:
    deals.move_deal(
        session,
        data=StageChangeCreate(
            deal_id=deal_id,
            to_stage=stage,
            changed_at=T0 + timedelta(days=days),
            **kw,
        ),
    )


def test_a_new_deal_enters_the_first_stage_of_the_default_pipeline(session: Session) -> None:
    deal = deals.get_deal(session, deal_id=_deal(session))
    assert deal.stage is not None
    assert deal.stage.name == "Lead"
    assert deal.status == DealStatus.OPEN
    [entry] = deals.stage_changes(session, deal_id=deal.id)
    assert entry.from_stage_id is None
    assert entry.changed_at == T0


def test_the_timeline_gives_days_spent_in_each_stage(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Qualified", 3)
    _move(session, deal_id, "Proposal", 10.5)
    _move(session, deal_id, "closed won", 20, amount=1500)
    timeline = deals.deal_timeline(session, deal_id=deal_id)
    now = T0 + timedelta(days=100)
    assert [(v.stage, round(v.days(now), 2)) for v in timeline] == [
        ("Lead", 3.0),
        ("Qualified", 7.5),
        ("Proposal", 9.5),
        ("Closed Won", 80.0),
    ]
    deal = deals.get_deal(session, deal_id=deal_id)
    assert deal.status == DealStatus.WON
    assert deal.closed_at == T0 + timedelta(days=20)
    assert deal.amount == 1500
    changes = deals.stage_changes(session, deal_id=deal_id)
    assert [c.from_stage.name if c.from_stage else None for c in changes] == [
        None,
        "Lead",
        "Qualified",
        "Proposal",
    ]


def test_the_last_stage_before_a_loss_and_its_reason_are_kept(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Discovery", 5)
    _move(session, deal_id, "Closed Lost", 9, lost_reason="Price  too high")
    deal = deals.get_deal(session, deal_id=deal_id)
    assert deal.status == DealStatus.LOST
    assert deal.lost_reason is not None
    assert deal.lost_reason.name == "Price too high"
    last = deals.stage_changes(session, deal_id=deal_id)[-1]
    assert last.from_stage is not None
    assert last.from_stage.name == "Discovery"


def test_it_rejects_an_unknown_stage_and_lists_the_valid_ones(session: Session) -> None:
    deal_id = _deal(session)
    with pytest.raises(NotFoundError, match=r"unknown stage 'Demo'.*Negotiation"):
        _move(session, deal_id, "Demo", 1)


def test_it_rejects_a_move_back_in_time(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Qualified", 5)
    with pytest.raises(InvalidValueError, match="earlier than the deal's last change"):
        _move(session, deal_id, "Proposal", 2)


def test_it_rejects_a_lost_reason_on_an_open_stage(session: Session) -> None:
    deal_id = _deal(session)
    with pytest.raises(InvalidValueError, match="not a lost stage"):
        _move(session, deal_id, "Qualified", 1, lost_reason="price")


def test_deleting_the_closing_change_reopens_the_deal(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Closed Won", 4)
    closing = deals.stage_changes(session, deal_id=deal_id)[-1]
    deals.delete_stage_change(session, change_id=closing.id)
    deal = deals.get_deal(session, deal_id=deal_id)
    assert deal.status == DealStatus.OPEN
    assert deal.closed_at is None
    assert deal.stage is not None
    assert deal.stage.name == "Lead"


def test_editing_a_change_time_reorders_the_history(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Qualified", 2)
    _move(session, deal_id, "Proposal", 4)
    qualified = deals.stage_changes(session, deal_id=deal_id)[1]
    deals.update_stage_change(
        session, change_id=qualified.id, data=StageChangeUpdate(changed_at=T0 + timedelta(days=6))
    )
    deal = deals.get_deal(session, deal_id=deal_id)
    assert deal.stage is not None
    assert deal.stage.name == "Qualified"
    names = [c.to_stage.name for c in deals.stage_changes(session, deal_id=deal_id)]
    assert names == ["Lead", "Proposal", "Qualified"]


def test_a_pipeline_needs_won_and_lost_stages(session: Session) -> None:
    with pytest.raises(InvalidValueError, match="no lost stage"):
        pipelines.create_pipeline(
            session,
            name="Short",
            stages=[StageSpec("Open"), StageSpec("Won", StageKind.WON)],
        )


def test_pipeline_names_are_unique(session: Session) -> None:
    init_workspace(session)
    with pytest.raises(ConflictError, match="Sales"):
        pipelines.create_pipeline(session, name="Sales", stages=pipelines.DEFAULT_STAGES)


def test_notes_must_belong_to_something(session: Session) -> None:
    with pytest.raises(InvalidValueError, match="needs an account, a contact or a deal"):
        notes.add_note(session, data=NoteCreate(body="hello"))


def test_status_counts_what_the_workspace_holds(session: Session) -> None:
    deal_id = _deal(session)
    _move(session, deal_id, "Closed Lost", 3)
    notes.add_note(session, data=NoteCreate(body="They found us too expensive", deal_id=deal_id))
    status = workspace_status(session, database="test")
    assert (status.accounts, status.deals, status.stage_changes, status.notes) == (1, 1, 2, 1)
    assert (status.open_deals, status.lost_deals) == (0, 1)


def test_account_deals_lists_every_deal_of_the_account_newest_first(session: Session) -> None:
    acc = accounts.create_account(session, data=AccountCreate(name="Acme")).id
    other = accounts.create_account(session, data=AccountCreate(name="Other")).id
    for day, account_id in ((1, acc), (3, acc), (2, other), (2, acc)):
        deals.create_deal(
            session,
            data=DealCreate(
                name=f"deal {day}", account_id=account_id, opened_at=T0 + timedelta(days=day)
            ),
        )
    assert [d.name for d in deals.account_deals(session, account_id=acc)] == [
        "deal 3",
        "deal 2",
        "deal 1",
    ]
