"""Excel and PNG exports from ``buyermap pipeline stats|forecast --xlsx --png``, with the
``--json`` contract unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from buyermap.cli.app import app
from tests.charts.test_pipeline_charts import history

COLUMNS = ("deal_id", "stage", "changed_at", "amount", "segment", "owner", "lost_reason")


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "changes.csv"
    history().frame.select(COLUMNS).write_csv(path)
    return path


def _run(tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "ws.db"), "pipeline", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_write_one_sheet_per_table_and_a_png(tmp_path: Path) -> None:
    xlsx, png = tmp_path / "stats.xlsx", tmp_path / "stats.png"
    out = _run(
        tmp_path, "stats", "--history", str(_csv(tmp_path)), "--json",
        "--xlsx", str(xlsx), "--png", str(png),
    )  # fmt: skip
    assert json.loads(out)["provenance"]["analysis"] == "pipeline.stats"  # stdout stays JSON
    book = load_workbook(xlsx)
    assert book.sheetnames[:4] == ["Stages", "Cohorts", "Losses", "Stale deals"]
    assert {"By segment", "By owner", "About"} <= set(book.sheetnames)
    assert [c.value for c in book["Stages"]["A"]][1:] == ["Lead", "Qualified", "Proposal"]
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_the_forecast_writes_summary_fan_and_deals(tmp_path: Path) -> None:
    xlsx, png = tmp_path / "f.xlsx", tmp_path / "f.png"
    out = _run(
        tmp_path, "forecast", "--history", str(_csv(tmp_path)), "--as-of", "2025-12-31",
        "--horizon-days", "30", "--simulations", "300", "--bootstrap", "2", "--json",
        "--xlsx", str(xlsx), "--png", str(png),
    )  # fmt: skip
    body = json.loads(out)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Summary", "Fan by week", "Open deals", "At risk", "About"]
    summary = book["Summary"]
    assert summary["A2"].value == "open pipeline"
    assert abs(float(summary["B2"].value) - body["expected"]) < 0.01
    fan = book["Fan by week"]
    assert [fan.cell(r, 1).value for r in range(2, fan.max_row + 1)] == [7, 14, 21, 28, 30]
    assert book["Open deals"].max_row == body["open_deals"] + 1
    assert png.read_bytes()[:4] == b"\x89PNG"
