"""Pure pipeline rules: stage names, pipeline validity, the stage timeline."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import (
    Move,
    StageSpec,
    stage_kind_from_name,
    stage_timeline,
    validate_pipeline,
)
from buyermap.errors import InvalidValueError


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Closed Won", StageKind.WON),
        ("closedwon", StageKind.WON),
        ("  WON ", StageKind.WON),
        ("Closed   Lost", StageKind.LOST),
        ("lost", StageKind.LOST),
        ("Proposal", StageKind.OPEN),
        ("Won over", StageKind.OPEN),
    ],
)
def test_it_recognises_terminal_stages_by_name(name: str, kind: StageKind) -> None:
    assert stage_kind_from_name(name) is kind


def test_it_rejects_duplicate_stage_names_whatever_the_case() -> None:
    stages = [
        StageSpec("Lead"),
        StageSpec("lead"),
        StageSpec("W", StageKind.WON),
        StageSpec("L", StageKind.LOST),
    ]
    with pytest.raises(InvalidValueError, match="appears twice"):
        validate_pipeline(stages)


def test_it_rejects_a_probability_outside_zero_to_one() -> None:
    stages = [
        StageSpec("Lead", probability=1.5),
        StageSpec("W", StageKind.WON),
        StageSpec("L", StageKind.LOST),
    ]
    with pytest.raises(InvalidValueError, match=r"probability 1\.5; use a value from 0 to 1"):
        validate_pipeline(stages)


T0 = datetime(2024, 1, 1)
moves = st.lists(
    st.builds(
        Move,
        to_stage=st.sampled_from(["Lead", "Qualified", "Proposal", "Closed Won"]),
        at=st.integers(0, 10_000).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=30,
)


@given(moves)
def test_timeline_visits_tile_the_time_from_first_to_last_move(ms: list[Move]) -> None:
    visits = stage_timeline(ms)
    assert len(visits) == len(ms)
    if not visits:
        return
    assert visits[-1].end is None
    for a, b in itertools.pairwise(visits):
        assert a.end == b.start
        assert a.start <= b.start
    now = max(m.at for m in ms)
    total = sum(v.days(now) for v in visits)
    assert total == pytest.approx((now - min(m.at for m in ms)).total_seconds() / 86400)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Wygrana", StageKind.WON),
        ("Przegrana", StageKind.LOST),
        ("Vyhráno", StageKind.WON),
        ("Elvesztett", StageKind.LOST),
        ("Câștigat", StageKind.WON),
        ("Tapað", StageKind.LOST),
        ("Voitettu", StageKind.WON),
        ("Negocjacje", StageKind.OPEN),
    ],
)
def test_won_and_lost_stages_are_recognised_in_our_markets_languages(
    name: str, kind: StageKind
) -> None:
    assert stage_kind_from_name(name) == kind
