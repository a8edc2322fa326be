"""The docs stay true to the code: every command, setting and page is documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buyermap.cli.app import app
from buyermap.cli.reference import commands, reference
from buyermap.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


LEAVES = [
    (" ".join(path), cmd) for path, cmd in commands(app) if not getattr(cmd, "commands", None)
]


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[name for name, _ in LEAVES])
def test_every_command_has_help_with_an_example(name: str, command: Any) -> None:
    assert command.help, f"{name} has no help text"
    assert "Example:" in command.help, f"{name} has no example in its help"


def test_the_cli_reference_is_up_to_date() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == reference(app), (
        "docs/cli.md is stale: run `uv run python -m buyermap.cli.reference > docs/cli.md`"
    )


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"BUYERMAP_{field.upper()}" in text
