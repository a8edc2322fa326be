"""``import`` and ``export``: files in and out of the workspace."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers import, export and mapping commands."""
