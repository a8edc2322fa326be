"""What a funnel's summary rests on, in a form whose size does not grow with the entities.

A :class:`Tally` holds entity counts per (breakdown value, trend period, level) cell and,
per step from the second, the time-to-convert statistics. Local engines build it from
their per-entity outcomes (:func:`tally_outcomes`); the Spark engine builds it on the
cluster from mergeable partial aggregates (entity counts per cell, and the exact count of
each distinct time-to-convert value). Both compute the median and the 90th percentile from
the same order statistics with the same arithmetic (:func:`quantiles`, numpy's ``linear``
method), and the histogram with the same bin rule (:func:`histogram_bins`), so the engines
agree to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from buyermap.analytics.funnel.core import Outcomes
from buyermap.analytics.funnel.query import FunnelQuery, TrendPeriod

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

DAY_US = 86_400 * 1_000_000
P90 = 0.9
_DENSE_CELLS = 1 << 24  # count cells in a dense array up to this many, else sort


@dataclass(frozen=True, slots=True)
class StepStats:
    """Seconds from the first step to one step, over the entities reaching it."""

    n: int
    median: float | None
    p90: float | None
    histogram: list[int]  # entities per bin of histogram_edges()


@dataclass(frozen=True, slots=True)
class Tally:
    """Entities per (breakdown code, period, level) cell, and the step statistics."""

    by: I64  # code into the engine's by_labels (0 when there is no breakdown)
    period: I64  # the period's first day (days since 1970-01-01)
    level: I64  # steps reached, 1..k
    entities: I64
    steps: list[StepStats]  # for steps 2..k


def period_starts(entry_ts: I64, period: TrendPeriod) -> I64:
    """Days since the epoch of the day or week (starting on Monday, UTC) of each time (us)."""
    day = np.floor_divide(entry_ts, DAY_US)
    if period is TrendPeriod.WEEK:
        day = day - (day + 3) % 7  # 1970-01-01 was a Thursday; weeks start on Monday
    return day.astype(np.int64, copy=False)


def histogram_edges(window_seconds: int, bins: int) -> F64:
    return np.linspace(0.0, float(window_seconds), bins + 1)


def histogram_bins(values: F64, window_seconds: int, bins: int) -> I64:
    """The bin of each value (``np.histogram``'s rule: [e_i, e_i+1), the last bin closed);
    -1 outside the edges."""
    edges = histogram_edges(window_seconds, bins)
    index = np.searchsorted(edges, values, side="right").astype(np.int64) - 1
    index[values == edges[-1]] = bins - 1
    index[(index < 0) | (index >= bins)] = -1
    return index


def _p90_position(n: int) -> tuple[int, int, float]:
    """numpy's ``linear`` percentile: the two order statistics and the weight of the second."""
    virtual = (n - 1) * P90
    lower = math.floor(virtual)
    if virtual >= n - 1:  # the last value (n == 1)
        return n - 1, n - 1, virtual - lower
    return lower, lower + 1, virtual - lower


def needed_ranks(n: int) -> list[int]:
    """The (0-based) order statistics the median and the 90th percentile of n values read."""
    if n == 0:
        return []
    lower, upper, _ = _p90_position(n)
    return sorted({(n - 1) // 2, n // 2, lower, upper})


def quantiles(n: int, stat: Callable[[int], float]) -> tuple[float | None, float | None]:
    """(median, 90th percentile) of n values, given their order statistics ``stat(rank)``;
    the same arithmetic as ``np.median`` and ``np.percentile(..., 90)``."""
    if n == 0:
        return None, None
    median = stat(n // 2) if n % 2 else (stat(n // 2 - 1) + stat(n // 2)) / 2
    lower, upper, t = _p90_position(n)
    a, b = stat(lower), stat(upper)
    diff = b - a
    p90 = b - diff * (1 - t) if t >= 0.5 else a + diff * t
    return median, p90


def step_stats(values: F64, window_seconds: int, bins: int) -> StepStats:
    ranks = needed_ranks(values.size)
    part = np.partition(values, ranks) if ranks else values
    median, p90 = quantiles(values.size, lambda r: float(part[r]))
    index = histogram_bins(values, window_seconds, bins)
    hist = np.bincount(index[index >= 0], minlength=bins)
    return StepStats(n=int(values.size), median=median, p90=p90, histogram=[int(c) for c in hist])


def cells(by: I64, period: I64, level: I64) -> tuple[I64, I64, I64, I64]:
    """The distinct (by, period, level) triples and how many entities have each."""
    if by.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    low = int(period.min())
    span = int(period.max()) - low + 1
    n_by, n_level = int(by.max()) + 1, int(level.max()) + 1
    if n_by * span * n_level <= _DENSE_CELLS:
        key = (by * span + (period - low)) * n_level + level
        counts = np.bincount(key, minlength=n_by * span * n_level)
        present = np.flatnonzero(counts)
        rest, lv = np.divmod(present, n_level)
        b, p = np.divmod(rest, span)
        return b, p + low, lv, counts[present].astype(np.int64)
    rows, counts = np.unique(np.stack([by, period, level], axis=1), axis=0, return_counts=True)
    return rows[:, 0], rows[:, 1], rows[:, 2], counts.astype(np.int64)


def tally_outcomes(outcomes: Outcomes, query: FunnelQuery) -> Tally:
    """The tally of per-entity outcomes (local engines)."""
    by = (
        outcomes.by.astype(np.int64)
        if outcomes.by is not None
        else np.zeros(len(outcomes), np.int64)
    )
    period = period_starts(outcomes.entry_ts, query.trend)
    b, p, lv, n = cells(by, period, outcomes.level.astype(np.int64))
    steps = [
        step_stats(outcomes.step_seconds[j], query.window_seconds, query.histogram_bins)
        for j in range(1, len(query.steps))
    ]
    return Tally(by=b, period=p, level=lv, entities=n, steps=steps)
