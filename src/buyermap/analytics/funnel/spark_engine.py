"""The same funnel on Apache Spark: Spark reads, encodes and partitions by entity;
each partition's events are grouped and walked by the shared compiled core in ``mapInArrow``.

Spark is optional (``pip install buyermap[spark]``, Java 17+). The engine reuses the active
Spark session when there is one, otherwise it starts a local one (``BUYERMAP_SPARK_MASTER``,
default ``local[*]``), always with the session time zone set to UTC so that timestamps
mean what they mean in DuckDB.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from buyermap.analytics.funnel.core import (
    EXCLUDED,
    MISSING,
    OTHER,
    EngineOutput,
    Events,
    Outcomes,
    compute,
)
from buyermap.analytics.funnel.errors import EngineUnavailableError
from buyermap.analytics.funnel.loading import EventSource
from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery

OUTPUT_SCHEMA = "level short, entry_ts long, by string, seconds array<double>, n long"


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin"))))


def spark_session() -> Any:
    """The active session, or a new local one (UTC)."""
    if not java_available():
        raise EngineUnavailableError(
            "the spark engine needs Java 17+ (java not found on PATH and no JAVA_HOME)"
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineUnavailableError(
            "the spark engine needs pyspark: pip install 'buyermap[spark]'"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(os.environ.get("BUYERMAP_SPARK_MASTER", "local[*]"))
        .appName("buyermap-funnel")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def _partition_runner(query: FunnelQuery) -> Any:
    k, window_us, mode = len(query.steps), query.window_us, query.mode
    with_by = query.by is not None

    def run_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))
        if table.num_rows == 0:
            return
        # Rows without an entity or a time are counted (reported as dropped), not used.
        usable = pc.and_(table.column("ent").is_valid(), table.column("t").is_valid())
        dropped = table.num_rows - pc.sum(usable).as_py()
        table = table.filter(usable)
        ent = table.column("ent").combine_chunks()
        if not pa.types.is_integer(ent.type):
            ent = pc.dictionary_encode(ent).indices
        code = table.column("code").to_numpy().astype(np.int8)
        by_raw = table.column("by").to_pylist() if with_by else []
        labels = sorted({MISSING if v is None else str(v) for v in by_raw})
        position = {label: i for i, label in enumerate(labels)}
        by = (
            np.array([position[MISSING if v is None else str(v)] for v in by_raw], np.int32)
            if with_by
            else None
        )
        events = Events(
            entity=ent.to_numpy(zero_copy_only=False).astype(np.int64),
            ts=table.column("t").to_numpy().astype(np.int64),
            code=code,
            by=by,
        )
        out = compute(events, k, window_us, mode)
        steps = np.bincount(code[code >= 0].astype(np.int64), minlength=k)[:k]
        yield pa.RecordBatch.from_pydict(
            {
                "level": pa.array(out.level, pa.int16()),
                "entry_ts": pa.array(out.entry_ts, pa.int64()),
                "by": pa.array(
                    [labels[int(c)] for c in out.by] if out.by is not None else [None] * len(out),
                    pa.string(),
                ),
                "seconds": pa.array(list(out.seconds_matrix()), pa.list_(pa.float64())),
                "n": pa.array([-1] * len(out), pa.int64()),
            }
        )
        # One extra row per partition carries the event counts (level -1).
        yield pa.RecordBatch.from_pydict(
            {
                "level": pa.array([-1], pa.int16()),
                "entry_ts": pa.array([dropped], pa.int64()),
                "by": pa.array([None], pa.string()),
                "seconds": pa.array([[float(x) for x in steps]], pa.list_(pa.float64())),
                "n": pa.array([len(events)], pa.int64()),
            }
        )

    return run_partition


def run(source: EventSource, query: FunnelQuery) -> EngineOutput:
    from pyspark.sql import functions as F  # noqa: N812

    spark = spark_session()
    path = str(source.path)
    if source.format == "parquet":
        df = spark.read.parquet(path)
    else:
        df = spark.read.csv(path, header=True, inferSchema=True)
    event = F.col(f"`{query.event_column}`").cast("string")
    code = F.lit(OTHER)
    for x in query.exclude:
        code = F.when(event == x, F.lit(EXCLUDED)).otherwise(code)
    for i, s in reversed(list(enumerate(query.steps))):
        code = F.when(event == s, F.lit(i)).otherwise(code)
    time_col = F.col(f"`{query.time_column}`")
    kind = source.time_kind(query.time_column)
    if kind == "numeric":
        micros = F.round(time_col.cast("double") * 1_000_000).cast("long")
    else:
        micros = F.unix_micros(time_col.cast("timestamp"))
    ent_col = F.col(f"`{query.entity_column}`")
    ent = ent_col.cast("long") if source.is_integer(query.entity_column) else ent_col.cast("string")
    by = (
        F.when(code == 0, F.col(f"`{query.by}`").cast("string"))
        if query.by is not None
        else F.lit(None).cast("string")
    )
    rows = df.select(
        ent.alias("ent"), micros.alias("t"), code.cast("byte").alias("code"), by.alias("by")
    )
    if query.mode is not FunnelMode.STRICT_ORDER:
        rows = rows.where(F.col("code") != OTHER)
    parts = max(1, spark.sparkContext.defaultParallelism)
    by_entity = rows.repartition(parts, "ent")
    result = by_entity.mapInArrow(_partition_runner(query), OUTPUT_SCHEMA).toArrow()
    return _collect(result, query)


def _collect(table: pa.Table, query: FunnelQuery) -> EngineOutput:
    k = len(query.steps)
    level = table.column("level").to_numpy(zero_copy_only=False).astype(np.int16)
    meta = level < 0
    seconds_rows = table.column("seconds").to_pylist()
    step_events = np.zeros(k, dtype=np.int64)
    for i in np.flatnonzero(meta):
        step_events += np.asarray(seconds_rows[i], dtype=np.int64)
    n_events = int(table.column("n").to_numpy(zero_copy_only=False)[meta].sum())
    entry = table.column("entry_ts").to_numpy(zero_copy_only=False)
    dropped = int(entry[meta].sum())
    keep = np.flatnonzero(~meta)
    by_raw = table.column("by").to_pylist()
    labels: list[str] = []
    by = None
    if query.by is not None:
        labels = sorted({str(by_raw[i]) for i in keep})
        position = {label: i for i, label in enumerate(labels)}
        by = np.array([position[str(by_raw[i])] for i in keep], dtype=np.int32)
    seconds = np.array([seconds_rows[i] for i in keep], dtype=np.float64).reshape(-1, k)
    outcomes = Outcomes(
        entity=np.arange(keep.size, dtype=np.int64),
        level=level[keep],
        entry_ts=entry[keep].astype(np.int64),
        by=by,
        step_seconds=[seconds[level[keep] > j, j] for j in range(k)],
    )
    return EngineOutput(
        outcomes=outcomes,
        n_events=n_events,
        step_events=[int(x) for x in step_events],
        by_labels=labels,
        dropped_rows=dropped,
    )
