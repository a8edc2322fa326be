"""``audit``: who changed what, when."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import Json, console, print_json, unit_of_work
from buyermap.services.audit import entries


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)


def audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="Only this kind of record (a table, e.g. accounts, deals)."),
    ] = None,
    record: Annotated[
        int | None, typer.Option("--id", help="Only this record (with --entity).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user's changes.")] = None,
    before: Annotated[
        int | None, typer.Option("--before", help="Entries older than this id (paging).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries.")] = 50,
    as_json: Json = False,
) -> None:
    """The audit log, newest first: who created, changed or deleted which record and field,
    when, and the values before and after (never the values of personal fields).

    Example: [bold]buyermap audit --entity deals --id 42[/]
    """
    with unit_of_work(ctx) as session:
        page = entries(
            session, entity=entity, entity_id=record, actor=actor, before=before, limit=limit
        )
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    if not page.entries:
        console.print("no changes logged yet: edits made in the web, the API or the CLI show here")
        return
    table = Table(title="audit log (newest first)")
    for column in ("#", "when (UTC)", "who", "what", "record", "field"):
        table.add_column(column, no_wrap=True)  # narrow terminals fold the values instead
    for column in ("before", "after"):
        table.add_column(column, overflow="fold")
    for e in page.entries:
        hidden = "(personal data, not logged)" if e.data_class else None
        table.add_row(
            str(e.id),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.entity} {e.entity_id}" if e.entity_id is not None else e.entity,
            e.field or "",
            hidden or (e.before or ""),
            hidden or (e.after or ""),
        )
    console.print(table)
    if page.next_before is not None:
        console.print(f"older entries: --before {page.next_before}")
