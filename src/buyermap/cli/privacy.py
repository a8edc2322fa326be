"""``privacy``: a person's data, on request: everything held about them (subject access)
and their erasure (see docs/privacy.md). An unknown email exits 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import (
    Json,
    console,
    err_console,
    out_path,
    print_json,
    state,
    unit_of_work,
    user_errors,
)
from buyermap.services import privacy as svc

privacy_app = typer.Typer(
    help="A person's data on request: export everything held about them, or erase them.",
    no_args_is_help=True,
)

ContactOpt = Annotated[
    str, typer.Option("--contact", help="The person's email (matched case-insensitively).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")


@privacy_app.command("export")
def export_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(callback=out_path, help="The JSON file to write (UTF-8).")],
    contact: ContactOpt,
    as_json: Json = False,
) -> None:
    """Write everything the workspace holds about one person to OUT (JSON): the contact
    and its custom fields, then one section per kind: positions, CRM ids, notes about them
    and notes naming them, survey and form answers, touchpoints, deals, committee
    memberships, relationships both ways, knowledge values, persona assignments, and the
    other records whose text names them.

    Example: [bold]buyermap privacy export --contact lucja@example.pl lucja.json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = svc.export_person(session, email=contact).to_dict()
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    counts = {name: len(rows) for name, rows in doc["sections"].items()}
    if as_json:
        print_json({"contact": doc["email"], "file": str(out), "sections": counts})
        return
    listed = ", ".join(f"{name} {n}" for name, n in counts.items() if n)
    console.print(f"wrote what is held about {doc['email']} to {out} ({listed or 'no records'})")


@privacy_app.command("erase")
def erase_command(
    ctx: typer.Context,
    contact: ContactOpt,
    yes: Annotated[
        bool, typer.Option("--yes", help="Erase: without it, only say what would go (exit 2).")
    ] = False,
    as_json: Json = False,
) -> None:
    """Erase one person: the contact and every row about them (positions, CRM ids, notes
    about them, answers, touchpoints, deal links, committee seats, relationships,
    knowledge values, persona assignments), their name and email replaced by "\\[erased]" in
    other records' text and cached results; deals and aggregates stay. In one transaction,
    then the freed space is reclaimed (SQLite: WAL checkpoint and VACUUM; PostgreSQL:
    VACUUM). Without --yes nothing changes: it lists what would go and exits 2.

    Example: [bold]buyermap privacy erase --contact lucja@example.pl --yes --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        report = svc.erase_person(session, email=contact, dry_run=not yes)
    if report.erased:
        svc.reclaim_space(state(ctx).workspace().engine)
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report)
    if not report.erased:
        err_console.print(
            f"error: nothing was erased; run again with --yes to erase {report.contact}",
            highlight=False,
        )
        raise typer.Exit(2)


def _print(report: svc.ErasureReport) -> None:
    verb = "removed" if report.erased else "would remove"
    console.print(f"{report.contact}: {verb}", highlight=False)
    table = Table()
    table.add_column("kind")
    table.add_column("rows", justify="right")
    for kind, n in report.removed.items():
        table.add_row(kind, f"{n:,}")
    for kind, n in report.redacted.items():
        table.add_row(f"{kind} (name redacted)", f"{n:,}")
    console.print(table)
