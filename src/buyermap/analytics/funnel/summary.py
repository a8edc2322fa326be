"""From a :class:`~buyermap.analytics.funnel.tally.Tally` (any engine) to a result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from buyermap.analytics.base import Provenance
from buyermap.analytics.funnel.query import FunnelQuery
from buyermap.analytics.funnel.result import FunnelResult, StepTiming, TrendPoint
from buyermap.analytics.funnel.tally import I64, StepStats, Tally, histogram_edges

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _grouped_counts(
    group: I64, level: I64, entities: I64, n_groups: int, k: int
) -> list[list[int]]:
    """Per group, entities reaching at least step j, from (group, level, entities) cells."""
    per_level = np.zeros(n_groups * (k + 1), dtype=np.int64)
    np.add.at(per_level, group * (k + 1) + level, entities)
    at_least = np.cumsum(per_level.reshape(n_groups, k + 1)[:, ::-1], axis=1)[:, ::-1]
    return [[int(x) for x in row[1 : k + 1]] for row in at_least]


def _timing(step: str, stats: StepStats, query: FunnelQuery) -> StepTiming:
    edges = histogram_edges(query.window_seconds, query.histogram_bins)
    return StepTiming(
        step=step,
        n=stats.n,
        median_seconds=stats.median,
        p90_seconds=stats.p90,
        histogram_edges_seconds=[float(e) for e in edges],
        histogram_counts=stats.histogram,
    )


def summarise(
    tally: Tally,
    query: FunnelQuery,
    *,
    engine: str,
    n_events: int,
    provenance: Provenance,
    by_labels: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> FunnelResult:
    k = len(query.steps)
    level, entities = tally.level, tally.entities
    counts = _grouped_counts(np.zeros_like(level), level, entities, 1, k)[0]
    timings = [
        _timing(step, stats, query)
        for step, stats in zip(query.steps[1:], tally.steps, strict=True)
    ]
    by: dict[str, list[int]] = {}
    if query.by is not None:
        rows = _grouped_counts(tally.by, level, entities, len(by_labels), k)
        by = {label: row for label, row in zip(by_labels, rows, strict=True) if row[0]}
    days = tally.period
    if days.size and int(days.max()) - int(days.min()) < 100_000:
        starts = np.arange(int(days.min()), int(days.max()) + 1)
        group = days - starts[0]
    else:  # a very long span: group the periods that occur only
        starts, inverse = np.unique(days, return_inverse=True)
        group = inverse.astype(np.int64)
    rows = _grouped_counts(group, level, entities, starts.size, k)
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
