"""Turning declarative event logs into files and sorted arrays, and outcomes into dicts."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from buyermap.analytics.funnel.core import EXCLUDED, MISSING, OTHER, Events, Outcomes
from tests.analytics.funnel.reference import EntityResult, Event

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z: tests put events at T0 + small offsets


def sorted_events(
    events: list[Event],
    steps: list[str],
    exclude: tuple[str, ...],
    shuffle_seed: int | None = None,
) -> tuple[Events, list[str]]:
    """The events as arrays sorted by (entity, ts, code), or shuffled with ``shuffle_seed``."""

    def code(name: str) -> int:
        if name in steps:
            return steps.index(name)
        return EXCLUDED if name in exclude else OTHER

    rows = sorted(((e.entity, e.ts, code(e.name), e.by) for e in events), key=lambda r: r[:3])
    labels = sorted({MISSING if r[3] is None else r[3] for r in rows})
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(rows)
    return (
        Events(
            entity=np.array([r[0] for r in rows], dtype=np.int64),
            ts=np.array([r[1] * 1_000_000 for r in rows], dtype=np.int64),
            code=np.array([r[2] for r in rows], dtype=np.int8),
            by=np.array(
                [labels.index(MISSING if r[3] is None else r[3]) for r in rows],
                dtype=np.int32,
            ),
        ),
        labels,
    )


def as_reference(out: Outcomes, labels: list[str], t0: int = 0) -> dict[int, EntityResult]:
    result = {}
    matrix = out.seconds_matrix()
    for i in range(len(out)):
        seconds = tuple(None if math.isnan(x) else float(x) for x in matrix[i].tolist())
        by = labels[int(out.by[i])] if out.by is not None else None
        result[int(out.entity[i])] = EntityResult(
            level=int(out.level[i]),
            entry_ts=int(out.entry_ts[i]) // 1_000_000 - t0,
            by=by,
            seconds=seconds,
        )
    return result


def event_table(events: list[Event]) -> pa.Table:
    return pa.table(
        {
            "user_id": pa.array([e.entity for e in events], pa.int64()),
            "event": pa.array([e.name for e in events], pa.string()),
            "ts": pa.array([(T0 + e.ts) * 1_000_000 for e in events], pa.timestamp("us")),
            "plan": pa.array([e.by for e in events], pa.string()),
        }
    )


def write_events(events: list[Event], path: Path) -> Path:
    table = event_table(events)
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)
    return path
