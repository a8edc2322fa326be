"""The tally every engine's summary rests on: numpy's statistics from a few order
statistics, numpy's histogram rule, and Spark partitions that emit aggregates only."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from buyermap.analytics.funnel.duckdb_engine import encode_text
from buyermap.analytics.funnel.query import FunnelQuery
from buyermap.analytics.funnel.spark_engine import CELL, GAP, _partition_runner
from buyermap.analytics.funnel.tally import (
    histogram_bins,
    needed_ranks,
    quantiles,
    step_stats,
)

seconds = st.lists(
    st.floats(min_value=0, max_value=1_209_600, allow_nan=False) | st.sampled_from([0.0, 60.0]),
    min_size=1,
    max_size=60,
)


@given(seconds)
def test_median_and_p90_equal_numpys_from_the_order_statistics_only(values: list[float]) -> None:
    arr = np.array(values)
    ordered = np.sort(arr)
    ranks = set(needed_ranks(arr.size))

    def stat(rank: int) -> float:
        assert rank in ranks  # nothing else is read
        return float(ordered[rank])

    median, p90 = quantiles(arr.size, stat)
    assert median == float(np.median(arr))
    assert p90 == float(np.percentile(arr, 90))
    assert len(ranks) <= 4


@given(seconds)
def test_histogram_bins_follow_numpys_rule(values: list[float]) -> None:
    arr = np.array(values)
    index = histogram_bins(arr, 1_209_600, 10)
    expected, _ = np.histogram(arr, bins=np.linspace(0.0, 1_209_600.0, 11))
    assert np.bincount(index[index >= 0], minlength=10).tolist() == expected.tolist()
    assert step_stats(arr, 1_209_600, 10).histogram == expected.tolist()


def test_no_values_have_no_median() -> None:
    assert quantiles(0, lambda r: 0.0) == (None, None)
    assert needed_ranks(0) == []


def test_text_codes_follow_the_sorted_values_and_missing_is_minus_one() -> None:
    column = pa.chunked_array([pa.array(["b", None, "a"]), pa.array(["c", "a", None])])
    codes, labels = encode_text(column)
    assert labels == ["a", "b", "c"]
    assert codes.tolist() == [1, -1, 0, 2, 0, -1]


def test_spark_partitions_emit_aggregates_whose_size_does_not_grow_with_entities() -> None:
    query = FunnelQuery(steps=("a", "b"), window_seconds=3600, by="plan")

    def rows_for(entities: int) -> pa.Table:
        # every entity: a@0 (plan p), b@60
        ent = np.repeat(np.arange(entities, dtype=np.int64), 2)
        batch = pa.RecordBatch.from_pydict(
            {
                "ent": pa.array(ent),
                "t": pa.array(np.tile([0, 60_000_000], entities).astype(np.int64)),
                "code": pa.array(np.tile([0, 1], entities).astype(np.int8)),
                "by": pa.array(["p", None] * entities, pa.string()),
            }
        )
        return pa.Table.from_batches(list(_partition_runner(query)([batch])))

    small, large = rows_for(10), rows_for(10_000)
    assert small.num_rows == large.num_rows
    cells = large.filter(pc.equal(large.column("kind"), CELL))
    assert cells.column("n").to_pylist() == [10_000]
    gaps = large.filter(pc.equal(large.column("kind"), GAP))
    assert gaps.column("value").to_pylist() == [60.0]
    assert gaps.column("n").to_pylist() == [10_000]
