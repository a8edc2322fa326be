"""``init`` and ``status``: create a workspace and see what is in it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import console, print_json, state, unit_of_work
from buyermap.services.workspace import init_workspace, workspace_status


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)


def init(ctx: typer.Context) -> None:
    """Create (or migrate) the workspace database and its default pipeline.

    Example: [bold]buyermap --db sales.db init[/]
    """
    with unit_of_work(ctx) as session:
        init_workspace(session)
    console.print(f"workspace ready: {state(ctx).workspace().url}")


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Counts of what the workspace holds: accounts, contacts, deals, stage changes, notes.

    Example: [bold]buyermap status --json[/]
    """
    with unit_of_work(ctx) as session:
        result = workspace_status(session, database=state(ctx).workspace().url)
    if as_json:
        print_json(result.model_dump())
        return
    table = Table(title="workspace", show_header=False)
    for key, value in result.model_dump().items():
        table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else value)
    console.print(table)
