"""``buyermap demo``: builds, reports, and refuses to overwrite a workspace with data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from buyermap.cli import demo as demo_cli
from buyermap.cli.app import app


def _demo(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), "demo", "--no-serve", *args])


def test_demo_json_prints_the_workspace_counts(tmp_path: Path) -> None:
    result = _demo(tmp_path / "demo.db", "--scale", "0.02", "--json")
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["accounts"] == 40
    assert status["deals"] == 60
    assert status["contacts"] > 40
    assert status["stage_changes"] > status["deals"]
    assert status["won_deals"] + status["lost_deals"] + status["open_deals"] == 60


def test_demo_prints_a_table_of_counts(tmp_path: Path) -> None:
    as_json = _demo(tmp_path / "json.db", "--scale", "0.02", "--seed", "3", "--json")
    expected = {k.replace("_", " "): v for k, v in json.loads(as_json.stdout).items()}
    result = _demo(tmp_path / "demo.db", "--scale", "0.02", "--seed", "3")
    assert result.exit_code == 0, result.output
    shown = {
        m.group(1): int(m.group(2).replace(",", ""))
        for m in re.finditer(r"^│ ([a-z ]+?) +│ +([\d,]+) │$", result.stdout, re.MULTILINE)
    }
    both = shown.keys() & expected.keys()
    assert {"accounts", "contacts", "deals", "stage changes", "survey answers"} <= both
    assert {k: shown[k] for k in both} == {k: expected[k] for k in both}  # same seed, same counts
    assert shown["accounts"] == 40
    assert shown["survey answers"] > 0


def test_demo_refuses_a_workspace_that_holds_data(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert _demo(db, "--scale", "0.02", "--json").exit_code == 0
    again = _demo(db, "--scale", "0.02", "--json")
    assert again.exit_code == 1
    assert "already holds data" in again.output
    assert "--force" in again.output


def test_demo_force_wipes_and_rebuilds(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert _demo(db, "--scale", "0.02", "--json").exit_code == 0
    rebuilt = _demo(db, "--scale", "0.03", "--json", "--force")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["accounts"] == 60


def test_demo_json_needs_no_serve(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "d.db"), "demo", "--json"])
    assert result.exit_code == 1
    assert "--no-serve" in result.output


def test_demo_again_serves_the_workspace_it_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "demo.db"
    assert _demo(db, "--scale", "0.02", "--json").exit_code == 0
    served: list[tuple[str | None, int | None]] = []

    def fake_serve(ctx: object, *, host: str | None, port: int | None) -> None:
        served.append((host, port))

    monkeypatch.setattr(demo_cli, "serve", fake_serve)
    again = CliRunner().invoke(app, ["--db", str(db), "demo", "--port", "8123"])
    assert again.exit_code == 0, again.output
    assert served == [(None, 8123)]
    assert "serving it as it is" in again.stderr


def test_demo_learns_its_avatar_and_says_so(tmp_path: Path) -> None:
    result = _demo(tmp_path / "demo.db", "--scale", "0.1")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())  # Rich wraps long lines
    assert "avatar 'demo': learned from" in said
    assert "200 accounts scored" in said


def test_a_tiny_demo_says_why_it_has_no_avatar(tmp_path: Path) -> None:
    result = _demo(tmp_path / "demo.db", "--scale", "0.02")
    assert result.exit_code == 0, result.output
    assert "no avatar: too few outcomes" in " ".join(result.stdout.split())
