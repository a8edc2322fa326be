"""The same funnel on Apache Spark: Spark reads, encodes and partitions by entity;
each partition's events are grouped and walked by the shared compiled core in ``mapInArrow``,
and each partition emits partial aggregates (entities per breakdown value, period and level;
the count of each distinct time-to-convert value per step; event counts) that Spark merges
with a ``groupBy``. The driver reads a few small tables: the merged cells, histograms, and
the handful of order statistics the median and 90th percentile need, found on the cluster
with a running count. Nothing per entity reaches the driver.

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
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from buyermap.analytics.funnel.core import EXCLUDED, OTHER, EngineOutput, Outcomes
from buyermap.analytics.funnel.duckdb_engine import encode_text, to_output
from buyermap.analytics.funnel.errors import EngineUnavailableError
from buyermap.analytics.funnel.loading import EventSource
from buyermap.analytics.funnel.query import FunnelMode, FunnelQuery
from buyermap.analytics.funnel.tally import (
    StepStats,
    Tally,
    histogram_bins,
    needed_ranks,
    quantiles,
    tally_outcomes,
)

# What each partition emits: partial aggregates, never one row per entity. ``kind`` says
# which columns mean what (see _partial_rows); Spark sums ``n`` over the other columns.
PARTIAL_SCHEMA = "kind byte, by string, period long, level short, value double, bin short, n long"
CELL, GAP, STEP, META = 0, 1, 2, 3  # kinds
_EVENTS, _DROPPED = 0.0, 1.0  # META rows: value says which count n is
_KEYS = ["kind", "by", "period", "level", "value", "bin"]


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


def _partial_rows(out: EngineOutput, query: FunnelQuery) -> pa.RecordBatch:
    """One partition's outcomes as partial aggregates: entities per (breakdown value, period,
    level) cell (CELL), the count of each distinct time-to-convert value per step with its
    histogram bin (GAP), events per step (STEP), events read and rows dropped (META)."""
    tally = tally_outcomes(out.outcomes, query)
    labels = out.by_labels
    kind: list[int] = [CELL] * tally.entities.size
    by: list[str | None] = (
        [labels[int(c)] for c in tally.by]
        if query.by is not None
        else ([None] * tally.entities.size)
    )
    period = tally.period.tolist()
    level = tally.level.tolist()
    value = [0.0] * tally.entities.size
    bins = [0] * tally.entities.size
    n = tally.entities.tolist()
    for j in range(1, len(query.steps)):
        values, counts = np.unique(out.outcomes.step_seconds[j], return_counts=True)
        kind += [GAP] * values.size
        by += [None] * values.size
        period += [0] * values.size
        level += [j] * values.size
        value += values.tolist()
        bins += histogram_bins(values, query.window_seconds, query.histogram_bins).tolist()
        n += counts.tolist()
    extra = [(STEP, j, 0.0, c) for j, c in enumerate(out.step_events)]
    extra += [(META, 0, _EVENTS, out.n_events), (META, 0, _DROPPED, out.dropped_rows)]
    for kd, lv, val, c in extra:
        kind.append(kd)
        by.append(None)
        period.append(0)
        level.append(lv)
        value.append(val)
        bins.append(0)
        n.append(c)
    return pa.RecordBatch.from_pydict(
        {
            "kind": pa.array(kind, pa.int8()),
            "by": pa.array(by, pa.string()),
            "period": pa.array(period, pa.int64()),
            "level": pa.array(level, pa.int16()),
            "value": pa.array(value, pa.float64()),
            "bin": pa.array(bins, pa.int16()),
            "n": pa.array(n, pa.int64()),
        }
    )


def _partition_runner(query: FunnelQuery) -> Any:
    with_by = query.by is not None

    def run_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = pa.Table.from_batches(list(batches))
        if table.num_rows == 0:
            return
        ent = table.column("ent").combine_chunks()
        if not pa.types.is_integer(ent.type):
            ent = pc.dictionary_encode(ent).indices
        # Rows without an entity or a time are counted (reported as dropped), not used.
        usable = pc.and_(ent.is_valid(), table.column("t").is_valid())
        by, labels = encode_text(table.column("by")) if with_by else (None, [])
        out = to_output(
            ent.fill_null(0).to_numpy(zero_copy_only=False),
            table.column("t").fill_null(0).to_numpy(),
            table.column("code").to_numpy(),
            by,
            labels,
            query,
            usable=usable.to_numpy(zero_copy_only=False),
        )
        yield _partial_rows(out, query)

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
    partials = by_entity.mapInArrow(_partition_runner(query), PARTIAL_SCHEMA)
    # The cluster merges the partitions' aggregates; the driver reads a few small tables.
    reduced = partials.groupBy(*_KEYS).agg(F.sum("n").alias("n")).persist()
    try:
        return _collect(spark, reduced, query)
    finally:
        reduced.unpersist()


def _lookup(stats: dict[tuple[int, int], float], step: int, rank: int) -> float:
    return stats[(step, rank)]


def _collect(spark: Any, reduced: Any, query: FunnelQuery) -> EngineOutput:
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    k = len(query.steps)
    small = reduced.where(F.col("kind") != GAP).toArrow()
    hist = (
        reduced.where(F.col("kind") == GAP).groupBy("level", "bin").agg(F.sum("n").alias("n"))
    ).toArrow()
    kind = small.column("kind").to_numpy()
    level = small.column("level").to_numpy().astype(np.int64)
    n = small.column("n").to_numpy().astype(np.int64)
    value = small.column("value").to_numpy()
    step_events = np.zeros(k, np.int64)
    np.add.at(step_events, level[kind == STEP], n[kind == STEP])
    meta = kind == META
    n_events = int(n[meta & (value == _EVENTS)].sum())
    dropped = int(n[meta & (value == _DROPPED)].sum())
    cell = np.flatnonzero(kind == CELL)
    by_text = small.column("by").to_pylist()
    labels = sorted({str(by_text[i]) for i in cell}) if query.by is not None else []
    position = {label: i for i, label in enumerate(labels)}
    by_code = np.array(
        [position[str(by_text[i])] if query.by is not None else 0 for i in cell], np.int64
    )
    histograms = np.zeros((k, query.histogram_bins), np.int64)
    h_level = hist.column("level").to_numpy().astype(np.int64)
    h_bin = hist.column("bin").to_numpy().astype(np.int64)
    h_n = hist.column("n").to_numpy().astype(np.int64)
    inside = h_bin >= 0
    np.add.at(histograms, (h_level[inside], h_bin[inside]), h_n[inside])
    reaching = np.zeros(k, np.int64)
    np.add.at(reaching, h_level, h_n)
    # The order statistics the median and 90th percentile need, found on the cluster: a
    # running count over each step's distinct values (sorted), matched with the ranks.
    wanted = [(j, r) for j in range(1, k) for r in needed_ranks(int(reaching[j]))]
    stats: dict[tuple[int, int], float] = {}
    if wanted:
        ranks = spark.createDataFrame(wanted, "level short, r long")
        running = (
            Window.partitionBy("level")
            .orderBy("value")
            .rowsBetween(Window.unboundedPreceding, Window.currentRow)
        )
        gaps = reduced.where(F.col("kind") == GAP).select(
            "level", "value", "n", F.sum("n").over(running).alias("upto")
        )
        found = gaps.join(
            ranks,
            (gaps.level == ranks.level) & (gaps.upto - gaps.n <= ranks.r) & (ranks.r < gaps.upto),
        ).select(gaps.level, ranks.r, gaps.value)
        for row in found.collect():
            stats[(int(row[0]), int(row[1]))] = float(row[2])
    steps = []
    for j in range(1, k):
        median, p90 = quantiles(int(reaching[j]), partial(_lookup, stats, j))
        steps.append(
            StepStats(
                n=int(reaching[j]),
                median=median,
                p90=p90,
                histogram=[int(c) for c in histograms[j]],
            )
        )
    tally = Tally(
        by=by_code,
        period=small.column("period").to_numpy().astype(np.int64)[cell],
        level=level[cell],
        entities=n[cell],
        steps=steps,
    )
    return EngineOutput(
        outcomes=Outcomes.empty(k, query.by is not None),
        n_events=n_events,
        step_events=[int(x) for x in step_events],
        by_labels=labels,
        dropped_rows=dropped,
        tally=tally,
    )
