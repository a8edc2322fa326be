"""``avatar accept-rules`` and ``avatar rules``: rules avatars (criteria with weights,
must-haves and disqualifiers) from a learned avatar's proposals or from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import BuyermapGroup, console, fail, out_path, print_json, unit_of_work
from buyermap.seams.avatar import split
from buyermap.seams.avatar_rules import (
    AcceptRequest,
    RulesAvatarDoc,
    accept_rules,
    export_rules,
    import_rules,
    rules_avatar,
)
from buyermap.seams.requests import build

rules_app = typer.Typer(
    cls=BuyermapGroup,
    help="Rules avatars: criteria over account fields, must-haves and disqualifiers.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(avatar_app: typer.Typer) -> None:
    avatar_app.command("accept-rules")(accept_rules_cmd)
    avatar_app.add_typer(rules_app, name="rules")


def _print_rules(doc: RulesAvatarDoc, *, what: str = "proposed rule") -> None:
    console.print(
        f"[bold]{doc.avatar}[/] version {doc.version} ({len(doc.rules)} rules; tier A from "
        f"fit {doc.tiers['A']:g}, B from {doc.tiers['B']:g}, C from {doc.tiers['C']:g})",
        highlight=False,
    )
    table = Table("#", "rule", "kind", "weight", "reason")
    for i, r in enumerate(doc.rules, start=1):
        table.add_row(str(i), r.text, r.kind.replace("_", " "), f"{r.weight:g}", r.reason)
    console.print(table)
    console.print(doc.probability, highlight=False)
    if doc.stored_scores:
        console.print(f"{doc.stored_scores:,} accounts rescored")
    for bad in doc.rejected:
        where = f"{what} {bad.row}" + (f" (line {bad.line})" if what == "row" else "")
        console.print(f"[yellow]not accepted:[/] {where}: {bad.reason}", highlight=False)


def accept_rules_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="The learned avatar's name.")],
    save: Annotated[str, typer.Option("--save", help="The rules avatar to make or add to.")],
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="Proposed rules by number, comma-separated (default: all)."),
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="The learned avatar's version.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Accept a learned avatar's proposed rules into a rules avatar (a new version).

    The proposals are numbered from 1 as ``avatar learn`` prints them; the weight of each
    is its effect (log-odds; negative: counts against). Every account is rescored.

    Example: [bold]buyermap avatar accept-rules --from icp --rule 1,3 --save icp-rules --json[/]
    """
    numbers: list[str] = split(rule)
    request = build(AcceptRequest, save=save, rules=numbers)
    with unit_of_work(ctx) as session:
        saved = accept_rules(session, learned=source, request=request, version=version)
    if as_json:
        print_json(saved.document.model_dump(mode="json"))
        return
    _print_rules(saved.document)


@rules_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX: field,operator,value,weight,kind,reason")
    ],
    save: Annotated[str, typer.Option("--save", help="The rules avatar's name (a new version).")],
    partial: Annotated[
        bool, typer.Option("--partial", help="Save the good rows; quarantine the rest.")
    ] = False,
    quarantine: Annotated[
        Path | None, typer.Option(help="Quarantine CSV (default: <stem>.quarantine.csv).")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="CSV encoding (default: detected).")] = None,
    as_json: Json = False,
) -> None:
    """Make a rules avatar (or its new version) from a file of rules.

    Columns field,operator,value,weight,kind,reason: kind is criterion (default),
    must_have or disqualifier; several values are separated by ';'; operators are in,
    equals, includes, at_least, at_most, between. Bad rows go to the quarantine with a
    message naming the bad value and what would be valid; then nothing is saved (exit
    code 2) unless --partial.

    Example: [bold]buyermap avatar rules import rules.csv --save icp-rules --json[/]
    """
    with unit_of_work(ctx) as session:
        done = import_rules(session, path=file, name=save, partial=partial, encoding=encoding)
        where = None
        if done.rejected:
            where = quarantine or file.with_name(f"{file.stem}.quarantine.csv")
            done.file.quarantine(where)
        if as_json:
            print_json(
                {
                    "saved": done.saved.document.model_dump(mode="json") if done.saved else None,
                    "rules": len(done.file.rules),
                    "rejected": [r.model_dump() for r in done.rejected],
                    "quarantine": str(where) if where else None,
                }
            )
        elif done.saved:
            _print_rules(done.saved.document, what="row")
    if not as_json and done.saved is None:
        for r in done.rejected:
            console.print(f"  row {r.row} (line {r.line}), {r.column}: {r.reason}", highlight=False)
    if done.saved is None:
        why = (
            f"{len(done.rejected)} rows rejected (quarantine: {where}); nothing saved: fix "
            "them, or import the good rows with --partial"
            if done.rejected
            else f"{file.name!r} has no rules"
        )
        raise fail(why, code=2)


@rules_app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rules avatar's name.")],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Default: newest.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Show a rules avatar's rules, tier cuts, versions and what its probability means.

    Example: [bold]buyermap avatar rules show icp-rules --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = rules_avatar(session, name=name, version=version)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    _print_rules(doc)


@rules_app.command("export")
def export_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The rules avatar's name.")],
    out: Annotated[Path, typer.Option("--out", help="CSV to write.", callback=out_path)],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Default: newest.")
    ] = None,
) -> None:
    """Write a rules avatar's rules as a CSV that ``avatar rules import`` reads back.

    Example: [bold]buyermap avatar rules export icp-rules --out rules.csv[/]
    """
    with unit_of_work(ctx) as session:
        text = export_rules(session, name=name, version=version)
    out.write_text(text, encoding="utf-8", newline="")
    console.print(f"written to {out}")
