"""Avatars in the workspace (SQLite and PostgreSQL): the accounts' table and outcomes,
versions per name, scores replaced per avatar."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AvatarScore, Deal
from buyermap.demo import build_demo
from buyermap.errors import NotFoundError
from buyermap.services import avatars as svc


@pytest.fixture
def demo(session: Session) -> Session:
    build_demo(session, seed=7, scale=0.05)
    return session


def test_outcomes_are_won_deals_against_accounts_whose_deals_are_all_lost(demo: Session) -> None:
    table = svc.accounts_table(demo, year=2026)
    outcome = dict(zip(table["account_id"].to_list(), table["outcome"].to_list(), strict=True))
    statuses: dict[int, set[str]] = {}
    for deal in demo.scalars(select(Deal).where(Deal.account_id.is_not(None))):
        assert deal.account_id is not None
        statuses.setdefault(deal.account_id, set()).add(deal.status)
    for account_id, label in outcome.items():
        seen = statuses.get(account_id, set())
        if "won" in seen:
            assert label == "won"
        elif seen == {"lost"}:
            assert label == "lost"
        else:  # open deals only, a lost and an open one, or none: scored, not trained on
            assert label is None
    assert {"won", "lost", None} <= set(outcome.values())


def test_the_table_holds_the_accounts_own_fields_and_no_deal_outcome_as_a_feature(
    demo: Session,
) -> None:
    table = svc.accounts_table(demo, year=2026)
    account = demo.scalars(select(Account).order_by(Account.id)).first()
    assert account is not None
    row = table.row(0, named=True)
    assert row["industry"] == account.industry
    assert row["employees"] == account.employees
    if account.founded_year is not None:
        assert row["years_on_market"] == 2026 - account.founded_year
    assert row["part_of_holding"] == ("yes" if account.parent_id else "no")
    assert "segment" in table.columns  # a declared custom field, by its type
    assert not {"status", "amount", "stage", "won"} & set(table.columns)


def test_saving_a_name_again_makes_a_new_version(session: Session) -> None:
    first = svc.save_avatar(
        session, name="icp", kind="learned", source="workspace", source_hash="a" * 64,
        settings={}, model={"kind": "learned"}, metrics={},
    )  # fmt: skip
    second = svc.save_avatar(
        session, name="icp", kind="learned", source="leads.csv", source_hash="b" * 64,
        settings={}, model={"kind": "learned"}, metrics={},
    )  # fmt: skip
    assert (first.version, second.version) == (1, 2)
    assert svc.require_avatar(session, name="icp").id == second.id
    assert svc.require_avatar(session, name="icp", version=1).id == first.id
    assert [a.version for a in svc.list_avatars(session)] == [2, 1]


def test_an_unknown_avatar_is_not_found_naming_the_saved_ones(session: Session) -> None:
    svc.save_avatar(
        session, name="icp", kind="learned", source="workspace", source_hash="a" * 64,
        settings={}, model={}, metrics={},
    )  # fmt: skip
    with pytest.raises(NotFoundError, match=r"no avatar 'other'.*saved avatars: 'icp'"):
        svc.require_avatar(session, name="other")


def test_scores_of_an_avatar_are_replaced_not_added(demo: Session) -> None:
    avatar = svc.save_avatar(
        demo, name="icp", kind="learned", source="workspace", source_hash="a" * 64,
        settings={}, model={}, metrics={},
    )  # fmt: skip
    ids = list(demo.scalars(select(Account.id).order_by(Account.id).limit(3)))
    rows = [
        {"account_id": i, "fit": 50.0, "probability": 0.5, "tier": "B", "reasons": []} for i in ids
    ]
    assert svc.save_scores(demo, avatar=avatar, rows=rows) == 3
    assert svc.save_scores(demo, avatar=avatar, rows=rows[:2]) == 2
    stored = demo.scalars(select(AvatarScore).where(AvatarScore.avatar_id == avatar.id)).all()
    assert sorted(s.account_id for s in stored) == ids[:2]
