"""The CRMs' standard stage sets and matching the stage names of a file to them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import norm, validate_pipeline
from buyermap.domain.stage_sets import (
    STAGE_SETS,
    find_spec,
    ordered_like,
    stage_names,
    stage_set_matching,
)
from buyermap.errors import InvalidValueError


@pytest.mark.parametrize("set_name", sorted(STAGE_SETS))
def test_every_stage_set_is_a_valid_pipeline_ending_in_won_and_lost(set_name: str) -> None:
    stages = STAGE_SETS[set_name]
    validate_pipeline(stages)
    assert [s.kind for s in stages[-2:]] == [StageKind.WON, StageKind.LOST]
    assert all(s.kind is StageKind.OPEN for s in stages[:-2])


def test_salesforce_stages_carry_the_default_probabilities() -> None:
    assert [(s.name, s.probability) for s in STAGE_SETS["salesforce"]] == [
        ("Prospecting", 0.10),
        ("Qualification", 0.10),
        ("Needs Analysis", 0.20),
        ("Value Proposition", 0.50),
        ("Id. Decision Makers", 0.60),
        ("Perception Analysis", 0.70),
        ("Proposal/Price Quote", 0.75),
        ("Negotiation/Review", 0.90),
        ("Closed Won", 1.0),
        ("Closed Lost", 0.0),
    ]


def test_hubspot_stages_have_their_internal_values_as_alternative_names() -> None:
    pairs = [
        (s.name, stage_names("hubspot", s.name)[1:], s.probability) for s in STAGE_SETS["hubspot"]
    ]
    assert pairs == [
        ("Appointment Scheduled", ("appointmentscheduled",), 0.2),
        ("Qualified To Buy", ("qualifiedtobuy",), 0.4),
        ("Presentation Scheduled", ("presentationscheduled",), 0.6),
        ("Decision Maker Bought-In", ("decisionmakerboughtin",), 0.8),
        ("Contract Sent", ("contractsent",), 0.9),
        ("Closed Won", ("closedwon",), 1.0),
        ("Closed Lost", ("closedlost",), 0.0),
    ]


def test_pipedrive_adds_won_and_lost_stages_to_its_open_stages() -> None:
    assert [s.name for s in STAGE_SETS["pipedrive"]] == [
        "Qualified",
        "Contact Made",
        "Demo Scheduled",
        "Proposal Made",
        "Negotiations Started",
        "Won",
        "Lost",
    ]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Closed Won", "closedwon"),
        ("closed-won", "closedwon"),
        ("  CLOSED_won ", "closedwon"),
        ("Qualified to Buy", "qualifiedtobuy"),
        ("Proposal/Price Quote", "proposalpricequote"),
        ("Id. Decision Makers", "iddecisionmakers"),
    ],
)
def test_norm_ignores_case_spaces_and_punctuation(name: str, key: str) -> None:
    assert norm(name) == key


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"], "hubspot"),
        (["Qualified To Buy", "Contract Sent", "Closed Won"], "hubspot"),
        (["Prospecting", "Negotiation/Review", "Closed Won", "Closed Lost"], "salesforce"),
        (["Qualified", "Contact Made", "Demo Scheduled", "Won", "Lost"], "pipedrive"),
        (["Closed Won", "Closed Lost"], None),
        (["Intro call", "Pilot"], None),
        ([], None),
    ],
)
def test_it_says_which_stage_set_most_names_come_from(
    names: list[str], expected: str | None
) -> None:
    assert stage_set_matching(names) == expected


def test_it_orders_names_like_the_set_keeping_unknown_ones_before_the_terminal_stages() -> None:
    seen = ["closedlost", "Pilot", "contractsent", "appointmentscheduled", "closedwon", "Trial"]
    assert ordered_like("hubspot", seen) == [
        "appointmentscheduled",
        "contractsent",
        "Pilot",
        "Trial",
        "closedwon",
        "closedlost",
    ]


def test_ordering_keeps_the_first_spelling_of_a_name_seen_twice() -> None:
    assert ordered_like("salesforce", ["Closed Won", "closed-won", "Prospecting"]) == [
        "Prospecting",
        "Closed Won",
    ]


def test_find_spec_finds_a_stage_by_internal_value() -> None:
    spec = find_spec("hubspot", "decisionmakerboughtin")
    assert spec is not None
    assert (spec.name, spec.probability) == ("Decision Maker Bought-In", 0.8)
    assert find_spec("hubspot", "Prospecting") is None


def test_an_unknown_stage_set_is_refused_naming_the_valid_ones() -> None:
    with pytest.raises(InvalidValueError, match=r"'zoho'.*salesforce, hubspot, pipedrive"):
        ordered_like("zoho", ["a"])


@given(st.lists(st.sampled_from([s.name for s in STAGE_SETS["salesforce"]]), unique=True))
def test_ordering_a_permutation_of_set_names_gives_the_set_order(names: list[str]) -> None:
    order = [s.name for s in STAGE_SETS["salesforce"]]
    assert ordered_like("salesforce", names) == sorted(names, key=order.index)
