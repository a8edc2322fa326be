"""The root of the ``buyermap`` command.

Each command group lives in its own module and registers itself here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from buyermap import __version__
from buyermap.cli import (
    alignment,
    audit,
    avatar,
    backup,
    committee,
    committee_map,
    demo,
    fields,
    funnel,
    journeys,
    knowledge,
    mutual,
    personas,
    pipeline,
    pipelines,
    privacy,
    records,
    serve,
    transfer,
    workspace,
)
from buyermap.cli.common import BuyermapGroup, CliState, fail
from buyermap.errors import BuyermapError
from buyermap.settings import load_settings

app = typer.Typer(
    name="buyermap",
    cls=BuyermapGroup,
    help="Know who buys from you, how they buy, and what comes next.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"buyermap {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Workspace database: a file path (SQLite) or a postgresql:// URL. "
            "Default: $BUYERMAP_DATABASE_URL, else ./buyermap.db.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """buyermap: a workbench for knowing your buyers.

    Example: [bold]buyermap --db sales.db status --json[/]
    """
    try:
        settings = load_settings(database_url=str(Path(db)) if db and "://" not in db else db)
    except BuyermapError as exc:
        raise fail(exc.message, code=exc.exit_code) from None
    ctx.obj = CliState(settings=settings)


# The command groups, in the order ``--help`` lists them; a new group is one more entry.
GROUPS = (
    workspace,
    backup,
    records,
    fields,
    transfer,
    serve,
    demo,
    pipeline,
    pipelines,
    funnel,
    personas,
    journeys,
    alignment,
    mutual,
    avatar,
    committee,
    knowledge,
    committee_map,
    audit,
    privacy,
)
for group in GROUPS:
    group.register(app)


def main() -> None:
    app()
