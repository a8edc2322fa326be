"""Known answers: the worked examples of docs/funnels.md, one journey per person."""

from __future__ import annotations

from pathlib import Path

import pytest

from buyermap.analytics.funnel.core import compute
from buyermap.analytics.funnel.query import FunnelMode
from tests.analytics.funnel.helpers import as_reference, sorted_events
from tests.analytics.funnel.reference import Event, reference_funnel

STEPS = ["a", "b", "c", "d"]


def journey(*events: tuple[int, str]) -> list[Event]:
    """One entity's events as (seconds, name)."""
    return [Event(1, ts, name, None) for ts, name in events]


def level(
    events: list[Event],
    mode: str = "default",
    window: int = 10,
    exclude: tuple[str, ...] = (),
    steps: list[str] = STEPS,
) -> int:
    arrays, labels = sorted_events(events, steps, exclude)
    out = as_reference(compute(arrays, len(steps), window * 1_000_000, FunnelMode(mode)), labels)
    assert out == reference_funnel(events, steps, window, mode, exclude)
    return out[1].level if out else 0


def test_other_events_are_ignored_in_default_mode() -> None:
    assert level(journey((0, "a"), (1, "o"), (2, "b"), (3, "d"), (4, "c"))) == 3


def test_the_window_is_inclusive_and_counted_from_the_first_step() -> None:
    assert level(journey((0, "a"), (5, "b"), (10, "c")), window=10) == 3
    assert level(journey((0, "a"), (5, "b"), (11, "c")), window=10) == 2


def test_a_later_first_step_can_start_a_longer_chain() -> None:
    assert level(journey((0, "a"), (8, "a"), (12, "b"), (15, "c")), window=10) == 3


def test_same_timestamp_steps_advance_in_step_order_except_in_strict_increase() -> None:
    tied = journey((5, "b"), (5, "a"), (5, "c"))
    assert level(tied) == 3
    assert level(tied, mode="strict_increase") == 1
    assert level(journey((5, "a"), (5, "b"), (6, "b")), mode="strict_increase") == 2


def test_strict_order_breaks_on_any_event_that_is_not_the_next_step() -> None:
    assert level(journey((0, "a"), (1, "b"), (2, "d"), (3, "c")), mode="strict_order") == 2
    assert level(journey((0, "a"), (1, "o"), (2, "b")), mode="strict_order") == 1
    assert level(journey((0, "a"), (1, "b"), (2, "b"), (3, "c")), mode="strict_order") == 2
    # another event sharing the next step's timestamp is ordered before it, so it breaks
    assert level(journey((0, "a"), (1, "o"), (1, "b")), mode="strict_order") == 1
    # ... but not before the first step
    assert level(journey((1, "o"), (1, "a"), (2, "b")), mode="strict_order") == 2


def test_strict_deduplication_stops_at_a_repeated_step() -> None:
    # ClickHouse's example: A-B-C-B-D reaches 3
    abcbd = journey((0, "a"), (1, "b"), (2, "c"), (3, "b"), (4, "d"))
    assert level(abcbd, mode="strict_deduplication") == 3
    assert level(abcbd) == 4
    assert level(journey((0, "a"), (1, "b"), (2, "b"), (3, "c")), mode="strict_deduplication") == 2
    # steps not reached yet are ignored; a new first step starts a new chain
    assert level(journey((0, "a"), (1, "c"), (2, "b"), (3, "c")), mode="strict_deduplication") == 3
    assert level(journey((0, "a"), (1, "a"), (2, "b")), mode="strict_deduplication") == 2


@pytest.mark.parametrize("mode", ["default", "strict_increase", "strict_deduplication"])
def test_an_exclusion_cuts_the_chain_after_it(mode: str) -> None:
    events = journey((0, "a"), (1, "b"), (2, "x"), (3, "c"))
    assert level(events, mode=mode, exclude=("x",)) == 2
    # a first step after the exclusion starts afresh
    events = journey((0, "a"), (1, "x"), (2, "a"), (3, "b"))
    assert level(events, mode=mode, exclude=("x",)) == 2
    # an exclusion at the first step's timestamp is ordered before it: no effect
    assert level(journey((0, "x"), (0, "a"), (1, "b")), mode=mode, exclude=("x",)) == 2
    # at a later step's timestamp it is ordered before that step: it cuts
    assert level(journey((0, "a"), (1, "x"), (1, "b")), mode=mode, exclude=("x",)) == 1


def test_time_to_convert_uses_the_earliest_completion_and_the_latest_start() -> None:
    events = journey((0, "a"), (3, "a"), (4, "b"), (9, "b"))
    arrays, labels = sorted_events(events, ["a", "b"], ())
    out = as_reference(compute(arrays, 2, 10_000_000, FunnelMode.DEFAULT), labels)
    assert out[1].seconds == (0.0, 1.0)


def test_entities_without_the_first_step_are_not_in_the_funnel() -> None:
    assert level(journey((0, "b"), (1, "c"))) == 0


DOCS = Path(__file__).resolve().parents[3] / "docs" / "funnels.md"
MODES = ["default", "strict_increase", "strict_order", "strict_deduplication"]


def _doc_examples() -> list[tuple[str, bool, list[int]]]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("### Worked examples", 1)[1].split("Time to convert:", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and cells[1].isdigit():
            events = cells[0].split("`")[1]
            rows.append((events, "--exclude x" in cells[0], [int(c) for c in cells[1:]]))
    return rows


def test_the_docs_table_has_examples() -> None:
    assert len(_doc_examples()) >= 10


@pytest.mark.parametrize(("events", "exclude", "levels"), _doc_examples())
def test_the_worked_examples_in_the_docs_hold(
    events: str, exclude: bool, levels: list[int]
) -> None:
    parsed = [(int(t), name) for t, name in (item.split(":") for item in events.split())]
    got = [level(journey(*parsed), mode=mode, exclude=("x",) if exclude else ()) for mode in MODES]
    assert got == levels
