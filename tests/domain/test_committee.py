"""Known answers for the committee rules: shares, required roles by stage, completeness and
every risk code."""

from __future__ import annotations

from datetime import datetime

import pytest

from buyermap.domain.committee import (
    DEFAULT_ROLES,
    DealFacts,
    MemberFacts,
    Requirement,
    completeness,
    default_requirements,
    influence_shares,
    resolve_attitude,
    resolve_role,
    risks,
)
from buyermap.domain.enums import Attitude

NOW = datetime(2026, 12, 1, 12, 0)
STAGES = ["Lead", "Qualified", "Discovery", "Proposal", "Negotiation"]
REQS = tuple(default_requirements(STAGES))


def deal(stage: str = "Proposal") -> DealFacts:
    return DealFacts(
        deal_id=1,
        stage=stage,
        position=STAGES.index(stage),
        requirements=REQS,
        account="Żabka Śląsk",
    )


def member(
    cid: int,
    role: str,
    influence: int | None = 3,
    attitude: str = "supporter",
    *,
    name: str | None = None,
    verified_at: datetime | None = None,
    left_on: str | None = None,
) -> MemberFacts:
    return MemberFacts(
        contact_id=cid,
        name=name or f"Person {cid}",
        role=role,
        influence=influence,
        attitude=attitude,
        verified_at=verified_at,
        left_on=left_on,
    )


# A healthy committee at Proposal: champion and economic buyer, both known supporters.
HEALTHY = [member(1, "champion"), member(2, "economic_buyer", 5)]


def codes(stage: str, members: list[MemberFacts], stale_days: int = 180) -> list[str]:
    return [f.code for f in risks(deal(stage), members, now=NOW, stale_days=stale_days)]


def test_it_flags_nothing_on_a_healthy_committee() -> None:
    assert codes("Proposal", HEALTHY) == []


def test_it_shares_influence_within_the_committee() -> None:
    assert influence_shares([5, 3, 2, None]) == [0.5, 0.3, 0.2, None]
    assert influence_shares([None, None]) == [None, None]


def test_it_places_default_requirements_by_name_or_by_relative_position() -> None:
    assert [(r.role, r.stage, r.position) for r in REQS] == [
        ("champion", "Discovery", 2),
        ("economic_buyer", "Proposal", 3),
        ("procurement", "Negotiation", 4),
    ]
    # Czech stage names: none of the default names; Discovery is the middle of five, so the
    # middle of three; Proposal 3/4 of the way (round(1.5) = 2), Negotiation the last.
    placed = default_requirements(["Kontakt", "Nabídka", "Jednání"])
    assert [(r.role, r.stage) for r in placed] == [
        ("champion", "Nabídka"),
        ("economic_buyer", "Jednání"),
        ("procurement", "Jednání"),
    ]
    assert default_requirements([]) == []


def test_it_counts_completeness_against_the_roles_the_stage_requires() -> None:
    early = completeness(deal("Qualified"), [])
    assert (early.required, early.share) == ((), None)
    mid = completeness(deal("Negotiation"), HEALTHY)
    assert mid.required == ("champion", "economic_buyer", "procurement")
    assert mid.missing == ("procurement",)
    assert mid.share == pytest.approx(2 / 3)


def test_it_flags_no_economic_buyer_only_at_or_past_the_stage_requiring_one() -> None:
    team = [member(1, "champion"), member(2, "end_user")]
    assert "no_economic_buyer" not in codes("Discovery", team)
    assert "no_economic_buyer" in codes("Proposal", team)
    assert "no_economic_buyer" in codes("Negotiation", team)
    # the economic buyer is never reported twice as a missing role
    assert "missing_role:economic_buyer" not in codes("Negotiation", team)


def test_it_flags_a_single_threaded_deal_and_an_empty_committee() -> None:
    assert codes("Lead", [member(1, "champion")]) == ["single_threaded"]
    flags = risks(deal("Lead"), [], now=NOW)
    assert [f.code for f in flags] == ["single_threaded"]
    assert "Nobody" in flags[0].message


def test_it_flags_an_opponent_with_a_strong_say_by_name() -> None:
    team = [*HEALTHY, member(3, "technical_evaluator", 4, "opponent", name="Jón Guðmundsson")]
    flags = risks(deal(), team, now=NOW)
    assert [f.code for f in flags] == ["opponent_high_influence"]
    assert "Jón Guðmundsson is an opponent" in flags[0].message
    assert flags[0].contact_ids == (3,)
    weak = [*HEALTHY, member(3, "technical_evaluator", 3, "opponent")]
    assert codes("Proposal", weak) == []


def test_it_flags_a_member_whose_position_at_the_account_ended() -> None:
    team = [member(1, "champion", name="Łucja Wójcik", left_on="2026-10-01"), HEALTHY[1]]
    flags = risks(deal(), team, now=NOW)
    assert [f.code for f in flags] == ["champion_left"]
    assert flags[0].message.startswith("Łucja Wójcik (champion) left Żabka Śląsk on 2026-10-01")


def test_it_flags_each_missing_role_with_its_key() -> None:
    team = [member(1, "economic_buyer"), member(2, "end_user")]
    assert codes("Negotiation", team) == ["missing_role:champion", "missing_role:procurement"]
    assert codes("Discovery", team) == ["missing_role:champion"]


def test_it_flags_a_strong_member_whose_attitude_is_unknown() -> None:
    team = [*HEALTHY, member(3, "decision_maker", 5, "unknown", name="Ilona Kovács")]
    flags = risks(deal(), team, now=NOW)
    assert [f.code for f in flags] == ["unknown_attitude_high_influence"]
    assert "Ilona Kovács" in flags[0].message
    assert codes("Proposal", [*HEALTHY, member(3, "end_user", 2, "unknown")]) == []


def test_it_flags_verification_older_than_the_setting() -> None:
    old = datetime(2026, 5, 1)
    team = [member(1, "champion", verified_at=old), HEALTHY[1]]
    assert codes("Proposal", team, stale_days=180) == ["stale_verification"]
    assert codes("Proposal", team, stale_days=365) == []
    flag = risks(deal(), team, now=NOW, stale_days=180)[0]
    assert "2026-05-01" in flag.message


def test_it_resolves_roles_and_attitudes_written_in_words() -> None:
    catalogue = dict(DEFAULT_ROLES)
    assert resolve_role("Economic buyer", catalogue) == "economic_buyer"
    assert resolve_role("ECONOMIC-BUYER", catalogue) == "economic_buyer"
    assert resolve_role("Champion", catalogue) == "champion"
    assert resolve_role("chief of vibes", catalogue) is None
    assert resolve_attitude("Supporter") is Attitude.SUPPORTER
    assert resolve_attitude("sceptical") is Attitude.SKEPTIC
    assert resolve_attitude("") is Attitude.UNKNOWN
    assert resolve_attitude("lukewarm") is None


def test_it_keeps_requirements_it_was_given() -> None:
    custom = (Requirement("legal", "Qualified", 1),)
    facts = DealFacts(deal_id=2, stage="Qualified", position=1, requirements=custom)
    flags = risks(facts, HEALTHY, now=NOW)
    assert [f.code for f in flags] == ["missing_role:legal"]
    assert "No legal on the committee" in flags[0].message
