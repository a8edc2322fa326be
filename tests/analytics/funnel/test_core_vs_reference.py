"""The compiled core agrees with the simple reference on random logs, in every mode."""

from __future__ import annotations

import random

import numba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buyermap.analytics.funnel.core import compute
from buyermap.analytics.funnel.query import FunnelMode
from tests.analytics.funnel.helpers import as_reference, sorted_events
from tests.analytics.funnel.reference import Event, reference_funnel
from tests.analytics.funnel.strategies import MODES, exclusions, funnel_cases, logs


def _check(
    events: list[Event],
    steps: list[str],
    window: int,
    mode: str,
    exclude: tuple[str, ...],
    shuffle_seed: int | None = None,
) -> None:
    arrays, labels = sorted_events(events, steps, exclude, shuffle_seed)
    got = as_reference(compute(arrays, len(steps), window * 1_000_000, FunnelMode(mode)), labels)
    assert got == reference_funnel(events, steps, window, mode, exclude)


@settings(max_examples=300, deadline=None)
@given(**funnel_cases)
def test_it_matches_the_reference_on_random_logs(
    events: list[Event], steps: list[str], window: int, mode: str, exclude: tuple[str, ...]
) -> None:
    _check(events, steps, window, mode, exclude)


@settings(max_examples=100, deadline=None)
@given(events=logs, mode=st.sampled_from(MODES), exclude=exclusions)
def test_it_matches_the_reference_when_everything_ties(
    events: list[Event], mode: str, exclude: tuple[str, ...]
) -> None:
    tied = [Event(e.entity, 5, e.name, e.by) for e in events]
    _check(tied, ["a", "b", "c", "d"], 3, mode, exclude)


@settings(max_examples=200, deadline=None)
@given(**funnel_cases, seed=st.integers(0, 1000))
def test_it_matches_the_reference_on_events_in_any_order(
    events: list[Event],
    steps: list[str],
    window: int,
    mode: str,
    exclude: tuple[str, ...],
    seed: int,
) -> None:
    _check(events, steps, window, mode, exclude, shuffle_seed=seed)


@pytest.mark.parametrize("mode", MODES)
def test_long_unordered_entities_and_sparse_ids_match_the_reference(mode: str) -> None:
    # more than the insertion-sort limit of events per entity, and 64-bit ids (4 passes)
    rng = random.Random(3)
    names = ["a", "b", "c", "d", "x", "o"]
    ids = [-(2**62), 7, 2**62 + 5]
    events = [
        Event(rng.choice(ids), rng.randrange(0, 30), rng.choice(names), rng.choice(["p", "q"]))
        for _ in range(300)
    ]
    _check(events, ["a", "b", "c", "d"], 6, mode, ("x",), shuffle_seed=1)


@settings(max_examples=50, deadline=None)
@given(events=logs, mode=st.sampled_from(MODES), exclude=exclusions)
def test_one_thread_or_all_threads_give_the_same_outcomes(
    events: list[Event], mode: str, exclude: tuple[str, ...]
) -> None:
    arrays, labels = sorted_events(events, ["a", "b", "c"], exclude, shuffle_seed=0)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = compute(arrays, 3, 4_000_000, FunnelMode(mode))
    finally:
        numba.set_num_threads(threads)
    many = compute(arrays, 3, 4_000_000, FunnelMode(mode))
    assert as_reference(many, labels) == as_reference(one, labels)
