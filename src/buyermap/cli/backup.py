"""``backup`` and ``restore``: a copy of the workspace, and the workspace back from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from buyermap.cli.common import console, err_console, print_json, state
from buyermap.db.backup import backup, restore
from buyermap.db.engine import make_engine


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


def backup_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Back the workspace up to OUT, with OUT.manifest.json (schema revision, rows per
    table, SHA-256). SQLite: the online backup API (the workspace may be in use);
    PostgreSQL: pg_dump in its custom format, under one snapshot.

    Example: [bold]buyermap --db sales.db backup sales-2026-12-02.db[/]
    """
    engine = make_engine(state(ctx).settings.database_url)
    try:
        with Progress(
            TextColumn("backing up"), BarColumn(), TaskProgressColumn(),
            console=err_console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            task = bar.add_task("backup", total=None)
            report = backup(
                engine,
                out,
                overwrite=force,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        engine.dispose()
    if as_json:
        print_json(report.to_dict())
        return
    rows = sum(n for t, n in report.counts.items() if t != "alembic_version")
    console.print(
        f"backed up {rows:,} rows in {len(report.counts) - 1} tables to {report.file} "
        f"({report.file_bytes / 1e6:,.1f} MB, {report.seconds:.1f} s); manifest "
        f"{report.manifest}"
    )


def restore_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `buyermap backup`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a workspace that holds records.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Restore the workspace (--db) from FILE, checked against its manifest: the file's
    checksum before, the rows per table after; an older schema is then migrated. Refuses
    to overwrite a workspace holding records unless --replace. Exit 2 when the check fails.

    Example: [bold]buyermap --db restored.db restore sales-2026-12-02.db --json[/]
    """
    engine = make_engine(state(ctx).settings.database_url)
    try:
        report = restore(engine, file, replace=replace)
    finally:
        engine.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        for warning in report.warnings:
            err_console.print(f"warning: {warning}")
        table = Table(title=f"restored {report.file} into {report.target}")
        for column in ("table", "rows in the backup", "rows restored"):
            table.add_column(column, justify="left" if column == "table" else "right")
        for name, n in report.restored.items():
            expected = report.expected.get(name)
            table.add_row(name, "" if expected is None else f"{expected:,}", f"{n:,}")
        console.print(table)
        if report.migrated_to:
            console.print(f"schema migrated from {report.revision} to {report.migrated_to}")
    if not report.ok:
        listed = "; ".join(
            f"{m['table']}: {m['expected']:,} in the backup, {m['restored']} restored"
            for m in report.mismatches
        )
        err_console.print(f"error: the restored counts do not match the manifest: {listed}")
        raise typer.Exit(2)
