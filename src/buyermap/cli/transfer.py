"""``import``, ``export`` and ``mappings``: files in and out of the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from buyermap.cli.common import console, err_console, out_path, print_json, unit_of_work
from buyermap.domain.enums import EntityKind
from buyermap.errors import NotFoundError
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.mapping import list_mappings
from buyermap.io.report import ImportReport

mappings_app = typer.Typer(help="Saved column mappings for imports.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Registers import, export and mapping commands."""
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.add_typer(mappings_app, name="mappings")


def _summary(report: ImportReport) -> None:
    table = Table(title=f"import {report.entity}: {Path(report.file).name}", show_header=False)
    for key in ("rows_read", "imported", "updated", "skipped", "rejected"):
        table.add_row(key.replace("_", " "), f"{getattr(report, key):,}")
    table.add_row("preset", report.preset or "(none)")
    table.add_row("encoding", report.encoding or "-")
    for column, target in report.mapping.items():
        table.add_row(f"  {column}", f"-> {target}")
    table.add_row("unmapped columns (kept in extra)", ", ".join(report.unmapped_columns) or "-")
    for column, fields in report.suggestions.items():
        table.add_row(f"  {column}", f"maybe {' or '.join(fields)} (map with --mapping)")
    for target, column in report.date_columns.items():
        table.add_row(f"dates: {target}", f"from {column!r}")
    if report.quarantine_path:
        table.add_row("quarantine", report.quarantine_path)
    if report.dry_run:
        state = "dry run, nothing written"
    elif report.committed:
        state = "written"
    else:
        state = "NOT imported: fix the rejected rows or use --partial"
    table.add_row("result", state)
    console.print(table)
    for note in report.notes:
        console.print(f"  note: {note}", highlight=False)
    for e in report.errors[:10]:
        console.print(
            f"  row {e.row} (line {e.line}) {e.column or ''}: {e.reason}", highlight=False
        )
    for entry in report.superseded[:10]:
        console.print(
            f"  row {entry['row']} (line {entry['line']}) superseded by row {entry['by_row']} "
            f"(line {entry['by_line']}), differs in {', '.join(entry['differs'])}",
            highlight=False,
        )


def import_command(
    ctx: typer.Context,
    entity: Annotated[EntityKind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="A .csv (any delimiter/encoding) or .xlsx file.")],
    encoding: Annotated[
        str | None,
        typer.Option(
            help="CSV encoding, e.g. cp1250 or utf-8 (default: detected; "
            "an unsure guess is refused with exit code 2)."
        ),
    ] = None,
    preset: Annotated[
        str | None, typer.Option(help="CRM export format: hubspot, salesforce or pipedrive.")
    ] = None,
    mapping: Annotated[
        str | None, typer.Option(help='Saved mapping NAME or JSON FILE {"column": "field"}.')
    ] = None,
    save_mapping: Annotated[
        str | None, typer.Option(help="Save the mapping used under this name.")
    ] = None,
    on_duplicate: Annotated[
        str, typer.Option(help="What to do with records that exist: update or skip.")
    ] = "update",
    partial: Annotated[
        bool, typer.Option("--partial", help="Import the valid rows; quarantine the rest.")
    ] = False,
    quarantine: Annotated[
        Path | None, typer.Option(help="Quarantine CSV (default: <stem>.quarantine.csv).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; show the mapping and suggestions.")
    ] = False,
    create_stages: Annotated[
        bool,
        typer.Option(
            "--create-stages",
            help="Create the pipelines and stages the file names that the workspace lacks.",
        ),
    ] = False,
    blanks: Annotated[
        str | None,
        typer.Option(
            help="Cell values that mean blank, comma-separated (default: null, None, N/A, "
            "-, --, [not provided], #N/A, nil, (blank)); '' for none.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import accounts, contacts, deals or stage history from a CSV or XLSX file.

    All or nothing by default: if any row is invalid nothing is written, the rejected rows
    go to a quarantine CSV and the exit code is 1. Columns that map to no field are kept
    in each record's ``extra``. Re-importing the same file changes nothing.

    Deals and stage history with stages the workspace does not know are rejected unless
    --create-stages creates them (order from the CRM's standard stages, the file's
    history, or first appearance). Dates come from the file; a deal without an opening
    date keeps it unknown. --dry-run prints the mapping and suggestions for the columns
    that map to nothing.

    Example: [bold]buyermap --db sales.db import contacts hubspot-contacts.csv --partial --json[/]
    """
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    )
    with progress:
        task = progress.add_task("import", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        options = ImportOptions(
            encoding=encoding,
            preset=preset,
            mapping=mapping,
            save_mapping=save_mapping,
            on_duplicate=on_duplicate,
            partial=partial,
            dry_run=dry_run,
            create_stages=create_stages,
            blanks=None if blanks is None else tuple(b for b in blanks.split(",") if b.strip()),
            quarantine=quarantine,
            progress=advance,
        )
        with unit_of_work(ctx) as session:
            report = import_file(session, entity=entity, path=file, options=options)
            if as_json:
                print_json(report.to_dict())
            else:
                progress.stop()
                _summary(report)
            if not report.ok:
                raise typer.Exit(1)  # rolls the transaction back


def export_command(
    ctx: typer.Context,
    entity: Annotated[EntityKind, typer.Argument(help="What to export.")],
    out: Annotated[Path, typer.Argument(callback=out_path, help="Output file: .csv or .xlsx.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Export all accounts, contacts, deals or stage history to CSV or XLSX (re-importable).

    Example: [bold]buyermap --db sales.db export deals deals.xlsx[/]
    """
    with unit_of_work(ctx) as session:
        count = export_file(session, entity=entity, path=out)
    if as_json:
        print_json({"entity": entity.value, "file": str(out), "rows": count})
    else:
        console.print(f"exported {count:,} {entity.value} to {out}")


@mappings_app.command("list")
def mappings_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List saved column mappings.

    Example: [bold]buyermap mappings list --json[/]
    """
    with unit_of_work(ctx) as session:
        items = [
            {"name": m.name, "entity": m.entity, "columns": len(m.columns)}
            for m in list_mappings(session)
        ]
    if as_json:
        print_json({"items": items})
        return
    table = Table(title="saved mappings")
    for col in ("name", "entity", "columns"):
        table.add_column(col)
    for item in items:
        table.add_row(str(item["name"]), str(item["entity"]), str(item["columns"]))
    console.print(table)


@mappings_app.command("show")
def mappings_show(
    ctx: typer.Context,
    name: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show one saved mapping: which column feeds which field.

    Example: [bold]buyermap mappings show hubspot-contacts[/]
    """
    with unit_of_work(ctx) as session:
        found = {m.name: m for m in list_mappings(session)}
        if name not in found:
            raise NotFoundError(
                f"no saved mapping named {name!r}; saved: {', '.join(found) or '(none)'}"
            )
        m = found[name]
        columns = dict(m.columns)
    if as_json:
        print_json({"name": m.name, "entity": m.entity, "columns": columns})
        return
    table = Table(title=f"{m.name} ({m.entity})")
    table.add_column("column")
    table.add_column("field")
    for column, target in columns.items():
        table.add_row(column, target)
    console.print(table)
