"""The risk list runs the committee rules set-wise (polars) over every open deal; each deal's
own committee runs the domain function over its loaded members. On random committees, on
SQLite and PostgreSQL, both give every deal the same flags (codes, words, people, order)
and the same completeness."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from buyermap.db.models import CommitteeMember, Deal, Stage
from buyermap.domain.committee import DEFAULT_ROLES
from buyermap.domain.enums import Attitude
from buyermap.schemas.entities import ContactCreate
from buyermap.seams.committee import deal_committee, risk_list
from buyermap.services.contacts import create_contact
from buyermap.services.workspace import Workspace
from tests.seams.test_committee_seam import seed

NOW = datetime(2026, 12, 1)
member = st.fixed_dictionaries(
    {
        "role": st.sampled_from([k for k, _ in DEFAULT_ROLES]),
        "influence": st.none() | st.integers(1, 5),
        "attitude": st.sampled_from([a.value for a in Attitude]),
        "verified_days": st.none() | st.integers(0, 500),
    }
)
# per deal: a stage (by place among the pipeline's open stages) and members by person index
committee = st.tuples(st.integers(0, 4), st.dictionaries(st.integers(0, 6), member, max_size=7))


def test_the_risk_list_gives_each_deal_the_flags_of_its_own_committee(
    workspace: Workspace,
) -> None:
    with workspace.sessions() as s, s.begin():
        world = seed(s)
        # a person known only by email: the name falls back to it in both paths
        anon = create_contact(
            s, data=ContactCreate(email="anon@zabka.pl", account_id=world.accounts["zabka"])
        ).id
        people = [*sorted(world.contacts.values()), anon]
        stages = list(
            s.scalars(select(Stage.id).where(Stage.kind == "open").order_by(Stage.position))
        )
    deals = sorted(world.deals.values())

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(committees=st.lists(committee, min_size=len(deals), max_size=len(deals)))
    def agree(committees: list[tuple[int, dict[int, dict[str, Any]]]]) -> None:
        with workspace.sessions() as s, s.begin():
            s.execute(delete(CommitteeMember))
            for deal_id, (stage, members) in zip(deals, committees, strict=True):
                s.get_one(Deal, deal_id).stage_id = stages[stage % len(stages)]
                for who, m in members.items():
                    days = m["verified_days"]
                    s.add(
                        CommitteeMember(
                            deal_id=deal_id,
                            contact_id=people[who],
                            role=m["role"],
                            influence=m["influence"],
                            attitude=m["attitude"],
                            verified_at=None if days is None else NOW - timedelta(days=days),
                        )
                    )
        with workspace.sessions() as s:
            listed = risk_list(s, sort="deal", now=NOW)
            assert [d.deal_id for d in listed.deals] == deals
            for d in listed.deals:
                own = deal_committee(s, deal_id=d.deal_id, now=NOW)
                assert [f.model_dump() for f in d.flags] == [f.model_dump() for f in own.flags]
                assert own.completeness == d.completeness
                assert d.members == len(own.members)
            assert listed.flagged == sum(1 for d in listed.deals if d.flags)

    agree()
