"""The Spark engine gives the same results as DuckDB (local[1], small seeded logs)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from buyermap.analytics.funnel import FunnelMode, FunnelQuery, run_funnel
from tests.analytics.funnel.helpers import write_events
from tests.analytics.funnel.reference import Event

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")

NAMES = ["a", "a", "b", "b", "c", "c", "d", "x", "o"]


def seeded_log(seed: int, entities: int = 40, per_entity: int = 12) -> list[Event]:
    rng = random.Random(seed)
    out = []
    for entity in range(1, entities + 1):
        ts = rng.randrange(0, 3 * 86400)
        for _ in range(rng.randrange(1, per_entity)):
            ts += rng.choice([0, 0, 1, 5, 60, 3600])
            out.append(Event(entity, ts, rng.choice(NAMES), rng.choice(["p", "q", None])))
    return out


def comparable(path: Path, query: FunnelQuery, engine: str) -> dict[str, Any]:
    data = run_funnel(path, query, engine=engine).to_dict()
    data.pop("engine")
    data["provenance"].pop("created_at")
    return data


@pytest.mark.parametrize("mode", list(FunnelMode))
def test_spark_matches_duckdb(spark: Any, tmp_path: Path, mode: FunnelMode) -> None:
    path = write_events(seeded_log(7), tmp_path / "events.parquet")
    query = FunnelQuery(
        steps=("a", "b", "c", "d"), window_seconds=3600, mode=mode, exclude=("x",), by="plan"
    )
    expected = comparable(path, query, "duckdb")
    assert expected["counts"][1] > 0
    assert comparable(path, query, "spark") == expected


def test_spark_matches_duckdb_on_csv_with_text_entities(spark: Any, tmp_path: Path) -> None:
    events = seeded_log(11)
    table = pq.read_table(write_events(events, tmp_path / "tmp.parquet"))
    # every 25th row has no user: counted as dropped, identically on both engines
    names = pa.array(
        [None if i % 25 == 0 else f"user-{e.entity:03d}" for i, e in enumerate(events)]
    )
    table = table.set_column(0, "user_id", names)
    path = tmp_path / "events.csv"
    pacsv.write_csv(table, path)
    query = FunnelQuery(steps=("a", "b", "c"), window_seconds=600, by="plan")
    expected = comparable(path, query, "duckdb")
    assert any("were left out" in w for w in expected["warnings"])
    assert comparable(path, query, "spark") == expected
    assert comparable(path, query, "python") == expected
