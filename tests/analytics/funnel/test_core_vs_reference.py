"""The vectorised core agrees with the simple reference on random logs, in every mode."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from buyermap.analytics.funnel.core import compute
from buyermap.analytics.funnel.query import FunnelMode
from tests.analytics.funnel.helpers import as_reference, sorted_events
from tests.analytics.funnel.reference import Event, reference_funnel
from tests.analytics.funnel.strategies import MODES, exclusions, logs, step_lists, windows


def _check(
    events: list[Event], steps: list[str], window: int, mode: str, exclude: tuple[str, ...]
) -> None:
    arrays, labels = sorted_events(events, steps, exclude)
    got = as_reference(compute(arrays, len(steps), window * 1_000_000, FunnelMode(mode)), labels)
    assert got == reference_funnel(events, steps, window, mode, exclude)


@settings(max_examples=300, deadline=None)
@given(
    events=logs,
    steps=step_lists,
    window=windows,
    mode=st.sampled_from(MODES),
    exclude=exclusions,
)
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


@settings(max_examples=100, deadline=None)
@given(
    events=logs,
    mode=st.sampled_from(MODES),
    exclude=exclusions,
    threads=st.integers(2, 4),
)
def test_cutting_the_events_by_entity_for_threads_changes_nothing(
    events: list[Event], mode: str, exclude: tuple[str, ...], threads: int
) -> None:
    arrays, labels = sorted_events(events, ["a", "b", "c"], exclude)
    one = compute(arrays, 3, 4_000_000, FunnelMode(mode), threads=1)
    many = compute(arrays, 3, 4_000_000, FunnelMode(mode), threads=threads, parallel_min_events=1)
    assert as_reference(many, labels) == as_reference(one, labels)
