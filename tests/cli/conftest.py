"""CLI fixtures: a runner and a workspace file per test."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from buyermap.cli.app import app

Invoke = Callable[..., Result]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace.db"


@pytest.fixture
def bm(db_path: Path) -> Invoke:
    """Run ``buyermap --db <tmp workspace> ARGS...``."""
    runner = CliRunner()

    def invoke(*args: str, db: str | None = None) -> Result:
        return runner.invoke(app, ["--db", db or str(db_path), *args])

    return invoke


def plain(result: Result) -> str:
    """The output as one line of words: Rich's error box and its line wrapping taken out
    (a long temporary path wraps a message at a different word on every machine)."""
    return " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def json_out(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
