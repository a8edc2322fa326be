"""``profile``: our seller profile (the "sales persona" buyers measure us against), and
``avatar mutual`` (registered in the avatar group): how well we fit each buyer's supplier
criteria.

Buyers' criteria come in with ``buyermap import supplier-criteria FILE.csv`` (columns
``account_domain,criterion,operator,value,weight,must_have``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import console, print_json, unit_of_work
from buyermap.io.profile import import_profile
from buyermap.seams.mutual import mutual
from buyermap.services import mutual as svc

profile_app = typer.Typer(
    help="Our seller profile: the keys buyers' supplier criteria are judged on.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, name="profile")


@profile_app.command("import")
def profile_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A key,value CSV or XLSX file.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Remove the keys the file does not name.")
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="CSV encoding (default: detected).")] = None,
    as_json: Json = False,
) -> None:
    """Set our profile from a file with columns key,value (several values: ';').

    Example: [bold]buyermap profile import profile.csv --json[/]
    """
    with unit_of_work(ctx) as session:
        report = import_profile(session, path=file, replace=replace, encoding=encoding)
        if as_json:
            print_json(report.to_dict())
        else:
            for e in report.errors:
                console.print(f"  row {e.row} (line {e.line}): {e.reason}", highlight=False)
            console.print(
                f"{report.keys} keys: {report.added} added, {report.changed} changed, "
                f"{report.unchanged} unchanged, {report.removed} removed; "
                f"{report.rejected} rows rejected",
                highlight=False,
            )
        if not report.ok:
            raise typer.Exit(1)


@profile_app.command("show")
def profile_show(ctx: typer.Context, as_json: Json = False) -> None:
    """Our profile, key by key.

    Example: [bold]buyermap profile show --json[/]
    """
    with unit_of_work(ctx) as session:
        profile = svc.seller_profile(session)
    if as_json:
        print_json({"profile": profile})
        return
    table = Table("key", "values")
    for key, values in profile.items():
        table.add_row(key, "; ".join(values))
    console.print(table)


@profile_app.command("set")
def profile_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A profile key, e.g. 'regions served'.")],
    values: Annotated[list[str], typer.Argument(help="Its values (or one text with ';').")],
) -> None:
    """Set one key's values (replacing those it had).

    Example: [bold]buyermap profile set "regions served" "Poland; Czechia; Finland"[/]
    """
    with unit_of_work(ctx) as session:
        entry = svc.set_profile_values(session, key=key, values=values)
        console.print(f"{entry.key}: {'; '.join(entry.values)}", highlight=False)


@profile_app.command("remove")
def profile_remove(ctx: typer.Context, key: Annotated[str, typer.Argument()]) -> None:
    """Remove one key from our profile.

    Example: [bold]buyermap profile remove "price level"[/]
    """
    with unit_of_work(ctx) as session:
        svc.remove_profile_key(session, key=key)


def avatar_mutual(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="Only the account with this domain.")] = None,
    as_json: Json = False,
) -> None:
    """How well we fit each buyer's supplier criteria (we_fit_them), beside their fit.

    Example: [bold]buyermap avatar mutual --account acme.pl --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = mutual(session, account=account)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    table = Table(
        "account", "they fit us", "we fit them", "met", "unmet", "unknown", "must-haves unmet"
    )
    for a in doc.accounts:
        table.add_row(
            a.domain or a.name,
            "not scored" if a.fit is None else f"{a.fit:.0f} of 100 (tier {a.tier})",
            "no known criteria" if a.we_fit_them is None else f"{a.we_fit_them:.0f} of 100",
            str(len(a.met)),
            str(len(a.unmet)),
            str(len(a.unknown)),
            ", ".join(a.must_have_unmet) or "none",
        )
    console.print(table)
    if not doc.profile_keys:
        console.print("Our profile is empty: buyermap profile import profile.csv")
