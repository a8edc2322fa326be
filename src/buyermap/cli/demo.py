"""``demo``: a believable demo workspace (filled in by the demo generator)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers the demo command."""
