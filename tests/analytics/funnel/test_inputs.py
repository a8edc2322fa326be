"""The files people have: plain text columns, CSV, text timestamps and ids, read in one scan."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from buyermap.analytics.funnel import FunnelMode, FunnelQuery, run_funnel


@pytest.mark.parametrize("mode", list(FunnelMode))
def test_plain_text_columns_in_csv_and_parquet_give_the_same_funnel(
    tmp_path: Path, mode: FunnelMode
) -> None:
    rows = [
        (f"u{i % 7}", name, f"2025-01-0{1 + i % 3} 10:00:{i:02d}", ["ads", "seo"][i % 2])
        for i, name in enumerate(["visit", "signup", "visit", "buy", "signup", "buy"] * 5)
    ]
    table = pa.table(
        {
            "user_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "ts": [r[2] for r in rows],
            "channel": [r[3] for r in rows],
        }
    )
    pq.write_table(table, tmp_path / "events.parquet")
    pacsv.write_csv(table, tmp_path / "events.csv")
    query = FunnelQuery(
        steps=("visit", "signup", "buy"), window_seconds=86400, by="channel", mode=mode
    )
    parquet = run_funnel(tmp_path / "events.parquet", query).to_dict()
    csv = run_funnel(tmp_path / "events.csv", query).to_dict()
    for data in (parquet, csv):
        data.pop("provenance")
    assert parquet == csv
    assert parquet["counts"][0] == 7  # text ids u0..u6, all visit
    assert set(parquet["by"]) <= {"ads", "seo"}
