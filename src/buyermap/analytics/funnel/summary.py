"""From per-entity outcomes (any engine) to a :class:`FunnelResult`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from buyermap.analytics.base import Provenance
from buyermap.analytics.funnel.core import Outcomes
from buyermap.analytics.funnel.query import FunnelQuery, TrendPeriod
from buyermap.analytics.funnel.result import FunnelResult, StepTiming, TrendPoint

_DAY_US = 86_400 * 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _counts(level: npt.NDArray[np.int16], k: int) -> list[int]:
    """Entities reaching at least step j, for j = 1..k."""
    return _grouped_counts(np.zeros(level.shape[0], dtype=np.int64), level, 1, k)[0]


def _grouped_counts(
    group: npt.NDArray[np.int64], level: npt.NDArray[np.int16], n_groups: int, k: int
) -> list[list[int]]:
    """Per group, entities reaching at least step j (one bincount for all groups)."""
    flat = group * (k + 1) + level.astype(np.int64)
    per_level = np.bincount(flat, minlength=n_groups * (k + 1)).reshape(n_groups, k + 1)
    at_least = np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1]
    return [[int(x) for x in row[1 : k + 1]] for row in at_least]


def _timing(step: str, values: npt.NDArray[np.float64], window: int, bins: int) -> StepTiming:
    edges = np.linspace(0.0, float(window), bins + 1)
    hist, _ = np.histogram(values, bins=edges)
    return StepTiming(
        step=step,
        n=int(values.size),
        median_seconds=float(np.median(values)) if values.size else None,
        p90_seconds=float(np.percentile(values, 90)) if values.size else None,
        histogram_edges_seconds=[float(e) for e in edges],
        histogram_counts=[int(c) for c in hist],
    )


def _period_starts(entry_ts: npt.NDArray[np.int64], period: TrendPeriod) -> npt.NDArray[np.int64]:
    day = np.floor_divide(entry_ts, _DAY_US)
    if period is TrendPeriod.WEEK:
        day = day - (day + 3) % 7  # 1970-01-01 was a Thursday; weeks start on Monday
    return day


def summarise(
    outcomes: Outcomes,
    query: FunnelQuery,
    *,
    engine: str,
    n_events: int,
    provenance: Provenance,
    by_labels: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> FunnelResult:
    k = len(query.steps)
    counts = _counts(outcomes.level, k)
    timings = [
        _timing(step, outcomes.step_seconds[j], query.window_seconds, query.histogram_bins)
        for j, step in enumerate(query.steps[1:], start=1)
    ]
    by: dict[str, list[int]] = {}
    if query.by is not None and outcomes.by is not None:
        rows = _grouped_counts(outcomes.by.astype(np.int64), outcomes.level, len(by_labels), k)
        by = {label: row for label, row in zip(by_labels, rows, strict=True) if row[0]}
    days = _period_starts(outcomes.entry_ts, query.trend)
    if days.size and int(days.max()) - int(days.min()) < 100_000:
        starts = np.arange(int(days.min()), int(days.max()) + 1)
        group = days - starts[0]
    else:  # a very long span: group the periods that occur only
        starts, inverse = np.unique(days, return_inverse=True)
        group = inverse.astype(np.int64)
    rows = _grouped_counts(group, outcomes.level, starts.size, k)
    trend = [
        TrendPoint(period_start=(_EPOCH + timedelta(days=int(day))).date().isoformat(), counts=row)
        for day, row in zip(starts, rows, strict=True)
        if row[0]
    ]
    return FunnelResult(
        steps=list(query.steps),
        counts=counts,
        window_seconds=query.window_seconds,
        mode=query.mode.value,
        exclude=list(query.exclude),
        engine=engine,
        n_events=n_events,
        timings=timings,
        trend_period=query.trend.value,
        trend=trend,
        provenance=provenance,
        by_column=query.by,
        by=by,
        warnings=list(warnings),
    )
