"""Parsing windows and steps, and the query's own checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buyermap.analytics.funnel.errors import BadStepsError, BadWindowError
from buyermap.analytics.funnel.query import FunnelQuery, parse_steps, parse_window
from buyermap.errors import BuyermapError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("12h", 43200),
        ("14d", 1_209_600),
        ("2w", 1_209_600),
        ("3600", 3600),
        ("45s", 45),
        (" 7D ", 604_800),
    ],
)
def test_it_reads_windows(text: str, seconds: int) -> None:
    assert parse_window(text) == seconds


@pytest.mark.parametrize("text", ["", "14x", "-1d", "0", "1.5d", "d", "14 days"])
def test_it_rejects_bad_windows(text: str) -> None:
    with pytest.raises(BadWindowError) as info:
        parse_window(text)
    assert isinstance(info.value, BuyermapError)
    assert repr(text) in info.value.message or "positive" in info.value.message


@given(st.integers(1, 10**6), st.sampled_from(["s", "m", "h", "d", "w"]))
def test_window_round_trip(n: int, unit: str) -> None:
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    assert parse_window(f"{n}{unit}") == n * factor


def test_it_reads_steps() -> None:
    assert parse_steps(" a, b ,c,,") == ("a", "b", "c")


def test_it_rejects_repeated_steps_and_exclusions_that_are_steps() -> None:
    with pytest.raises(BadStepsError, match="listed twice"):
        FunnelQuery(steps=("a", "b", "a"), window_seconds=10)
    with pytest.raises(BadStepsError, match="both a step and an exclusion"):
        FunnelQuery(steps=("a", "b"), window_seconds=10, exclude=("b",))
    with pytest.raises(BadStepsError, match="at least one step"):
        FunnelQuery(steps=(), window_seconds=10)
