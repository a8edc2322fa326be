"""``pipeline`` commands (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers the pipeline commands."""
