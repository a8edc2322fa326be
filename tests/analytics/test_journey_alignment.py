"""The journey-stage rule of the alignment analysis: known answers and properties."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from buyermap.analytics.journeys.alignment import (
    AlignmentInput,
    AlignmentQuery,
    DealTrack,
    Touch,
    derive_stages,
    next_stage,
    run_alignment,
)

STAGES = ("problem_awareness", "concept_search", "education", "concept_choice", "purchase")
ORDER = {s: i for i, s in enumerate(STAGES)}


def test_a_first_touch_of_a_two_stage_asset_starts_at_its_earlier_stage() -> None:
    assert next_stage(ORDER, None, ("concept_choice", "concept_search")) == "concept_search"


def test_an_asset_listing_the_current_stage_keeps_it() -> None:
    assert next_stage(ORDER, "concept_choice", ("concept_search", "concept_choice")) == (
        "concept_choice"
    )


def test_an_asset_elsewhere_moves_to_its_nearest_stage_earlier_on_a_tie() -> None:
    assert next_stage(ORDER, "purchase", ("concept_search", "concept_choice")) == "concept_choice"
    assert next_stage(ORDER, "education", ("concept_search", "concept_choice")) == "concept_search"


def test_an_asset_for_every_stage_keeps_the_stage_and_places_nobody_first() -> None:
    assert next_stage(ORDER, "education", ()) == "education"
    assert next_stage(ORDER, None, ()) is None


assets = st.lists(st.sampled_from(STAGES), max_size=3, unique=True).map(tuple)


@given(st.lists(assets, min_size=1, max_size=20))
def test_each_derived_stage_is_the_assets_own_or_the_one_held_before(
    seq: list[tuple[str, ...]],
) -> None:
    start = datetime(2026, 1, 1)
    touches = [Touch(1, start + timedelta(days=i), a) for i, a in enumerate(seq)]
    derived = derive_stages(ORDER, touches)
    before: str | None = None
    for asset, stage in zip(seq, derived, strict=True):
        if asset:
            assert stage in asset
            if before in asset:
                assert stage == before
        else:
            assert stage == before
        before = stage


@given(st.lists(st.sampled_from(STAGES), min_size=1, max_size=15))
def test_single_stage_assets_give_their_stage_and_every_touch_lands_once(
    seq: list[str],
) -> None:
    start = datetime(2026, 1, 1)
    touches = tuple(Touch(1, start + timedelta(days=i), (s,)) for i, s in enumerate(seq))
    track = DealTrack(1, start, None, ((start, "Lead"),))
    data = AlignmentInput(STAGES, ("Lead",), {}, touches, {1: "it"}, {1: (track,)})
    result = run_alignment(AlignmentQuery(), data)
    assert [row[0] for row in result.counts] == [seq.count(s) for s in STAGES]
    assert result.off_mapping_share == 1.0
    visits = sum(st.visits for st in result.time_in_stage["it"])
    changes = sum(1 for a, b in itertools.pairwise(seq) if a != b)
    assert visits == changes
