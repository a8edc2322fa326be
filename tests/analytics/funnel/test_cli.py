"""The ``funnel`` command's contract: JSON keys, breakdown, errors, engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from buyermap.cli.app import app
from tests.analytics.funnel.helpers import write_events
from tests.analytics.funnel.reference import Event

# Planted: 4 people enter (visit); ann and bob sign up; ann buys within the window,
# bob buys too late (day 20 > 14d); dan signs up without visiting (not in the funnel).
DAY = 86400
PEOPLE = [
    Event(1, 0, "visit", "ads"),
    Event(1, 3600, "signup", "ads"),
    Event(1, 2 * DAY, "purchase", "ads"),
    Event(2, DAY, "visit", "seo"),
    Event(2, DAY + 60, "signup", "seo"),
    Event(2, 20 * DAY, "purchase", "seo"),
    Event(3, 8 * DAY, "visit", "seo"),
    Event(4, 9 * DAY, "visit", None),
    Event(5, DAY, "signup", "ads"),
]


def bm(*args: str) -> Result:
    return CliRunner().invoke(app, ["funnel", *args])


def out(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(params=[".parquet", ".csv"])
def events(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return write_events(PEOPLE, tmp_path / f"events{request.param}")


def test_it_prints_steps_counts_rates_times_and_trend(events: Path) -> None:
    data = out(
        bm("--events", str(events), "--steps", "visit,signup,purchase", "--window", "14d", "--json")
    )
    assert data["steps"] == ["visit", "signup", "purchase"]
    assert data["counts"] == [4, 2, 1]
    assert data["conversion_from_start"] == [1.0, 0.5, 0.25]
    assert data["conversion_from_previous"] == [1.0, 0.5, 0.5]
    signup, purchase = data["time_to_convert"]
    assert signup["n"] == 2
    assert signup["median_seconds"] == (3600 + 60) / 2
    assert purchase["median_seconds"] == 2 * DAY
    assert sum(purchase["histogram"]["counts"]) == 1
    # T0 is Tuesday 2023-11-14; weeks start on Monday
    assert [(p["period_start"], p["entered"], p["counts"][-1]) for p in data["trend"]] == [
        ("2023-11-13", 2, 1),
        ("2023-11-20", 2, 0),
    ]
    assert data["provenance"]["inputs_hash"]
    assert data["by"] is None  # the same document as the API: no breakdown asked


def _by_plan(events: Path) -> list[str]:
    """The three-step funnel over ``events``, broken down by plan."""
    steps = ["--steps", "visit,signup,purchase", "--window", "14d", "--by", "plan"]
    return ["--events", str(events), *steps]


def test_it_breaks_down_by_the_value_on_the_first_step(events: Path) -> None:
    data = out(bm(*_by_plan(events), "--trend", "day", "--json"))
    assert data["by"] == {"(missing)": [1, 0, 0], "ads": [1, 1, 1], "seo": [2, 1, 0]}
    assert [p["entered"] for p in data["trend"]] == [1, 1, 1, 1]


def test_engines_agree(events: Path) -> None:
    args = [*_by_plan(events), "--json"]
    duck, python = out(bm(*args)), out(bm(*args, "--engine", "python"))
    for data in (duck, python):
        data.pop("engine")
        data["provenance"].pop("created_at")
    assert duck == python


def test_a_step_that_never_occurs_warns_and_counts_zero(events: Path) -> None:
    result = bm("--events", str(events), "--steps", "visit,demo", "--window", "1d", "--json")
    assert out(result)["counts"] == [4, 0]
    assert "'demo' never occurs" in result.stderr


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--window", "14x"], "cannot read the window '14x'", 1),
        (["--window", "14d", "--by", "region"], "no column 'region'", 1),
        (["--window", "14d", "--time-column", "when"], "the file's columns are: user_id", 1),
        (["--window", "14d", "--engine", "excel"], "unknown engine 'excel'", 2),  # usage error
    ],
)
def test_it_explains_errors(events: Path, args: list[str], message: str, code: int) -> None:
    result = bm("--events", str(events), "--steps", "visit,signup", *args)
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert result.exit_code == code
    assert message in result.stderr


def test_it_names_a_missing_file(tmp_path: Path) -> None:
    result = bm("--events", str(tmp_path / "nope.parquet"), "--steps", "a", "--window", "1d")
    assert result.exit_code == 2
    assert "no such event file" in result.stderr


def test_it_prints_a_table_without_json(events: Path) -> None:
    result = bm("--events", str(events), "--steps", "visit,signup", "--window", "1d")
    assert result.exit_code == 0
    rows = [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]
    assert [row[:4] for row in rows] == [
        ["visit", "4", "100.0%", "100.0%"],
        ["signup", "2", "50.0%", "50.0%"],
    ]
    assert rows[1][4] == "30.5m"  # median of 1 h and 1 min


def test_it_explains_a_time_column_that_is_not_time(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,event,ts\n1,visit,yesterday\n1,signup,today\n", encoding="utf-8")
    result = bm("--events", str(path), "--steps", "visit,signup", "--window", "1d")
    assert result.exit_code == 2
    assert "--time-column 'ts'" in result.stderr


def test_it_reads_epoch_seconds_and_text_entities(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "who,what,when\nann,visit,100\nann,signup,160\nbob,visit,100\nbob,signup,200\n",
        encoding="utf-8",
    )
    args = [
        "--events",
        str(path),
        "--steps",
        "visit,signup",
        "--window",
        "60",
        "--entity-column",
        "who",
        "--event-column",
        "what",
        "--time-column",
        "when",
        "--json",
    ]
    for engine in ("duckdb", "python"):
        data = out(bm(*args, "--engine", engine))
        assert data["counts"] == [2, 1], engine


def test_a_breakdown_column_may_be_called_like_an_internal_one(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,event,ts,code\n1,visit,100,A\n1,signup,160,A\n2,visit,100,B\n",
        encoding="utf-8",
    )
    args = ["--events", str(path), "--steps", "visit,signup", "--window", "1h", "--by", "code"]
    for engine in ("duckdb", "python"):
        data = out(bm(*args, "--json", "--engine", engine))
        assert data["by"] == {"A": [1, 1], "B": [1, 0]}, engine
