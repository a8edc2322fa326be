"""The CLI reference (docs/cli.md), generated from the commands' own ``--help``.

Regenerate with ``uv run python -m buyermap.cli.reference > docs/cli.md``; a test fails
when the file is out of date or a command has no example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

HEADER = (
    "# CLI reference\n\n"
    "Generated from `--help` by `uv run python -m buyermap.cli.reference > docs/cli.md`;"
    " do not edit by hand.\n"
)
HELP_ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "TERM": "dumb", "NO_COLOR": "1"}


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group under ``command``, depth first, with its path of names."""
    yield path, command
    subcommands: dict[str, Any] = getattr(command, "commands", None) or {}
    for name in sorted(subcommands):
        yield from walk(subcommands[name], (*path, name))


def commands(app: typer.Typer) -> list[tuple[tuple[str, ...], Any]]:
    return [(p, c) for p, c in walk(typer.main.get_command(app)) if not c.hidden]


def reference(app: typer.Typer) -> str:
    runner = CliRunner()
    parts = [HEADER]
    for path, _ in commands(app):
        result = runner.invoke(app, [*path, "--help"], env=HELP_ENV, prog_name="buyermap")
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        title = " ".join(("buyermap", *path))
        parts.append(f"\n## `{title}`\n\n```text\n{text}\n```\n")
    return "".join(parts)


if __name__ == "__main__":  # pragma: no cover
    from buyermap.cli.app import app as _app

    print(reference(_app), end="")
