"""Bad option values are usage errors with the option named, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, plain


@pytest.fixture
def demo_db(bm: Invoke) -> Invoke:
    result = bm("demo", "--no-serve", "--scale", "0.02")
    assert result.exit_code == 0, result.output
    return bm


@pytest.mark.parametrize(
    "args",
    [
        ("pipeline", "forecast", "--as-of", "2026-10-01", "--seed", "-1"),
        ("pipeline", "backtest", "--seed", "-1"),
        ("personas", "discover", "--seed", "-1"),
        ("demo", "--no-serve", "--seed", "-1", "--force"),
    ],
)
def test_it_refuses_a_negative_seed_as_a_usage_error(demo_db: Invoke, args: tuple[str]) -> None:
    result = demo_db(*args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "--seed" in result.output


@pytest.mark.parametrize("command", [("pipeline", "stats"), ("pipeline", "forecast")])
def test_it_refuses_an_as_of_date_past_2200(demo_db: Invoke, command: tuple[str, str]) -> None:
    result = demo_db(*command, "--as-of", "9999-12-31")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "9999-12-31 is too late" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("pipeline", "stats", "--xlsx"),
        ("pipeline", "forecast", "--as-of", "2026-10-01", "--xlsx"),
        ("pipeline", "stats", "--png"),
        ("export", "deals"),
    ],
)
def test_it_refuses_an_output_file_in_a_missing_folder(
    demo_db: Invoke, tmp_path: Path, args: tuple[str]
) -> None:
    target = tmp_path / "missing" / "out.xlsx"
    result = demo_db(*args, str(target))
    assert result.exit_code == 2, result.output
    assert "does not exist" in plain(result)
    assert not target.parent.exists()


def test_it_refuses_a_forecast_too_heavy_to_answer(demo_db: Invoke) -> None:
    result = demo_db(
        "pipeline",
        "forecast",
        "--as-of",
        "2026-10-01",
        "--simulations",
        "100000",
        "--horizon-days",
        "730",
    )
    assert result.exit_code == 1, result.output
    assert "at most 20,000,000" in result.output
