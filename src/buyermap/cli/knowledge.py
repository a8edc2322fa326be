"""``knowledge``: what we know of accounts, against what their value makes worth knowing.

The template (``knowledge template``) lists the fields; ``knowledge set`` keeps a value,
``buyermap import knowledge FILE`` many (see docs/knowledge.md). A user's mistake (an
unknown account, field or email, a value the field does not take) exits 2.
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import (
    console,
    print_json,
    state,
    unit_of_work,
    user_errors,
    verified_option,
)
from buyermap.domain.knowledge import TIER_WORDS
from buyermap.seams import knowledge as seam
from buyermap.services import committee as committee_svc
from buyermap.services import knowledge as svc

knowledge_app = typer.Typer(
    help="Account knowledge: the template, completeness by value tier, what to learn next.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
AccountOpt = Annotated[str, typer.Option("--account", help="The account's domain.")]


def register(app: typer.Typer) -> None:
    app.add_typer(knowledge_app, name="knowledge")


def _print_field(f: seam.FieldDoc) -> None:
    console.print(
        f"{f.key}: {f.label} ({'on' if f.enabled else 'off'}, from tier {f.from_tier}, "
        f"cost {f.cost}/5, {f.data_class})",
        highlight=False,
    )


@knowledge_app.command("template")
def template_command(ctx: typer.Context, as_json: Json = False) -> None:
    """The knowledge template: every field with its block, type, data class, from_tier, cost.

    Example: [bold]buyermap knowledge template --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.template_document(session)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    table = Table("key", "field", "block", "type", "class", "on", "from tier", "cost")
    for f in doc.fields:
        table.add_row(
            f.key,
            f.label,
            f.block,
            f.type,
            f.data_class,
            "yes" if f.enabled else "no",
            f.from_tier,
            f"{f.cost}/5",
        )
    console.print(table)


@knowledge_app.command("completeness")
def completeness_command(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account (its domain).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Accounts by value: tier, completeness against it, next best things to learn, stale.

    Example: [bold]buyermap knowledge completeness --account zabka.pl --json[/]
    """
    settings = state(ctx).settings
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.completeness_document(
            session,
            domain=account,
            tiers=settings.knowledge_tiers,
            stale_days=settings.knowledge_stale_days,
        )
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    if not doc.accounts:
        console.print("No accounts yet: import some with buyermap import accounts FILE.")
        return
    table = Table("account", "value", "tier", "known", "learn next", "stale")
    for a in doc.accounts:
        table.add_row(
            a.name,
            f"{a.value:,.0f}",
            TIER_WORDS[a.value_tier],
            "-" if a.completeness is None else f"{a.completeness:.0%}",
            ", ".join(n.label for n in a.next_best[:3]) or "-",
            str(len(a.stale)),
        )
    console.print(table)


@knowledge_app.command("set")
def set_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The field's key (knowledge template).")],
    value: Annotated[str, typer.Argument(help="What we know (lists: separated by ;).")],
    account: AccountOpt,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="The decision maker's email (decision-maker fields)."),
    ] = None,
    verified_at: Annotated[
        str | None,
        typer.Option("--verified-at", help="When it was verified (YYYY-MM-DD); default now."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Where it came from.")] = None,
    as_json: Json = False,
) -> None:
    """Keep what we know of an account for one field (refused while the field is off).

    Example: [bold]buyermap knowledge set --account zabka.pl purchase_budget 250000[/]
    """
    settings = state(ctx).settings
    with user_errors(), unit_of_work(ctx) as session:
        found = committee_svc.find_account(session, domain=account)
        person = committee_svc.find_contact(session, email=contact).id if contact else None
        svc.set_value(
            session,
            account=found,
            key=key,
            raw=value,
            contact_id=person,
            verified_at=verified_option(verified_at, option="--verified-at"),
            source=source,
        )
        doc = seam.completeness_document(
            session,
            account_id=found.id,
            tiers=settings.knowledge_tiers,
            stale_days=settings.knowledge_stale_days,
        ).accounts[0]
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    share = "-" if doc.completeness is None else f"{doc.completeness:.0%}"
    console.print(
        f"kept {key} for {doc.name}; known: {share} of tier {doc.value_tier}", highlight=False
    )


@knowledge_app.command("show")
def show_command(ctx: typer.Context, account: AccountOpt, as_json: Json = False) -> None:
    """What we know of one account, block by block, with its completeness.

    Example: [bold]buyermap knowledge show --account zabka.pl --json[/]
    """
    settings = state(ctx).settings
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.account_knowledge(
            session,
            domain=account,
            tiers=settings.knowledge_tiers,
            stale_days=settings.knowledge_stale_days,
        )
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    a = doc.account
    share = "-" if a.completeness is None else f"{a.completeness:.0%}"
    console.print(f"{a.name}: tier {TIER_WORDS[a.value_tier]}, known {share}", highlight=False)
    for block in doc.blocks:
        console.print(f"[bold]{block.label}[/]")
        for v in block.fields:
            who = f" ({v.contact})" if v.contact else ""
            mark = " (stale)" if v.stale else ""
            console.print(f"  {v.label}{who}: {v.shown or '-'}{mark}", highlight=False)
    for n in a.next_best:
        console.print(f"learn next: {n.why}", highlight=False)


@knowledge_app.command("enable")
def enable_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The field's key.")],
    legal_basis: Annotated[
        str | None,
        typer.Option(
            "--legal-basis", help="Why you may collect it (needed for special categories)."
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who decided (default: your login name).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Turn a template field on; a special category needs a recorded legal basis.

    Example: [bold]buyermap knowledge enable health --legal-basis "explicit consent"[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        field = svc.enable_field(
            session, key=key, legal_basis=legal_basis, by=by or getpass.getuser()
        )
        doc = seam.field_doc(field)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    _print_field(doc)


@knowledge_app.command("disable")
def disable_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The field's key.")],
    as_json: Json = False,
) -> None:
    """Turn a template field off: kept values stay, new ones are refused.

    Example: [bold]buyermap knowledge disable family_events[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.field_doc(svc.disable_field(session, key=key))
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    _print_field(doc)


@knowledge_app.command("field")
def field_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A field's key; a new key adds a custom field.")],
    label: Annotated[str | None, typer.Option(help="The field in words.")] = None,
    block: Annotated[
        str | None, typer.Option(help="company, decision_group or decision_maker (new fields).")
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", help="text, number, money, date, choice, list, url, yes_no."),
    ] = None,
    data_class: Annotated[
        str | None, typer.Option(help="identity, professional or personal_profile.")
    ] = None,
    from_tier: Annotated[str | None, typer.Option(help="A, B, C or D.")] = None,
    cost: Annotated[int | None, typer.Option(help="Effort to learn it, 1-5.")] = None,
    worth: Annotated[int | None, typer.Option(help="How much it helps a sale, 1-5.")] = None,
    choice: Annotated[
        list[str] | None, typer.Option("--choice", help="A choice (repeat; choice fields).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Change a field's tier, cost or label, or add a custom field to the template.

    Example: [bold]buyermap knowledge field fleet_size --label "Fleet size" --block company --type number --from-tier B[/]
    """  # noqa: E501
    with user_errors(), unit_of_work(ctx) as session:
        field = svc.change_field(
            session,
            key=key,
            data=svc.FieldChange(
                label=label,
                block=block,
                type=type_,
                data_class=data_class,
                from_tier=from_tier,
                cost=cost,
                worth=worth,
                choices=choice,
            ),
        )
        doc = seam.field_doc(field)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    _print_field(doc)
