"""``buyermap pipeline ...``: the JSON contract and the errors users see."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from buyermap.cli.app import app
from buyermap.schemas.entities import DealCreate, StageChangeCreate
from buyermap.services import deals
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings


def _run(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(tmp_path / "ws.db"), "pipeline", *args])


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_forecast_prints_the_documented_numbers(small_csv: Path, tmp_path: Path) -> None:
    out = _json(
        _run(
            tmp_path,
            "forecast",
            "--history",
            str(small_csv),
            "--as-of",
            "2024-01-15",
            "--horizon-days",
            "90",
            "--simulations",
            "500",
            "--seed",
            "7",
            "--json",
        )
    )
    for key in ("expected", "p10", "p50", "p90", "weighted_pipeline"):
        assert isinstance(out[key], float), key
    assert isinstance(out["open_deals"], int)
    assert out["open_deals"] > 0
    assert out["p10"] <= out["p50"] <= out["p90"]
    assert set(out["with_new_deals"]) >= {"expected", "p10", "p50", "p90"}
    assert out["with_new_deals"]["expected"] > out["expected"]
    assert len(out["deals"]) == out["open_deals"]
    assert out["provenance"]["analysis"] == "pipeline.forecast"
    assert out["seed"] == 7


def test_stats_prints_json_from_a_file(tiny_csv: Path, tmp_path: Path) -> None:
    out = _json(_run(tmp_path, "stats", "--history", str(tiny_csv), "--by", "owner", "--json"))
    assert [s["stage"] for s in out["stages"]] == ["Lead", "Demo"]
    assert list(out["breakdowns"]) == ["owner"]


def test_backtest_compares_the_model_and_the_weighted_pipeline(
    small_csv: Path, tmp_path: Path
) -> None:
    out = _json(
        _run(
            tmp_path,
            "backtest",
            "--history",
            str(small_csv),
            "--horizon-days",
            "60",
            "--every-days",
            "120",
            "--simulations",
            "200",
            "--json",
        )
    )
    summary = out["summary"]
    assert summary["origins"] == len(out["origins"]) >= 2
    assert set(summary["model"]) == {"mape", "bias", "mae", "coverage_p10_p90"}
    assert set(summary["weighted_pipeline"]) == {"mape", "bias", "mae"}


def test_a_bad_file_is_one_line_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,amount\n1,Lead,3\n")
    result = _run(tmp_path, "stats", "--history", str(path), "--json")
    assert result.exit_code == 1
    assert "missing column 'changed_at'" in result.stderr


def test_a_history_without_a_won_stage_names_the_option_that_sets_it(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n1,Oferta,2025-01-01,3\n")
    result = _run(tmp_path, "stats", "--history", str(path))
    assert result.exit_code == 1
    assert "no won stage" in result.stderr
    assert "option --won-stage" in " ".join(result.stderr.split())


def test_every_pipeline_command_has_an_example() -> None:
    for name in ("stats", "forecast", "backtest"):
        result = CliRunner().invoke(app, ["pipeline", name, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.stdout, name


def test_without_a_file_the_commands_read_the_workspace(tmp_path: Path) -> None:
    ws = open_workspace(Settings(database_url=str(tmp_path / "ws.db")))
    with ws.sessions() as s, s.begin():
        for day, last in ((1, "Closed Won"), (2, "Closed Lost"), (3, "Proposal")):
            deal = deals.create_deal(
                s, data=DealCreate(name=f"d{day}", amount=100.0, opened_at=datetime(2025, 1, day))
            )
            deals.move_deal(
                s,
                data=StageChangeCreate(
                    deal_id=deal.id, to_stage=last, changed_at=datetime(2025, 1, 10 + day)
                ),
            )
    ws.engine.dispose()
    out = _json(_run(tmp_path, "stats", "--json"))
    assert out["source"] == "workspace"
    assert out["velocity"]["won"] == 1
    refused = _run(tmp_path, "forecast", "--as-of", "2025-02-01", "--json")
    assert refused.exit_code == 1
    assert "too little history" in refused.stderr
