"""``committee``: buying committees of deals and accounts, their risks, and what wins.

Members come in with ``buyermap import committee FILE`` (see docs/committee.md) or one at a
time with ``committee set``. A user's mistake (an unknown deal, role or email) exits 2.
"""

from __future__ import annotations

from typing import Annotated, Any

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
from buyermap.domain.labels import influence as influence_words
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.seams import committee as seam
from buyermap.services import committee as svc
from buyermap.services.pipelines import find_pipeline

committee_app = typer.Typer(
    help="Buying committees: members, risks of open deals, what wins.", no_args_is_help=True
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
DealOpt = Annotated[int | None, typer.Option("--deal", help="The deal's id.", min=1)]
AccountOpt = Annotated[
    str | None, typer.Option("--account", help="The account's domain (its standing group).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(committee_app, name="committee")


def _anchor(deal: int | None, account: str | None) -> None:
    if (deal is None) == (account is None):
        raise InvalidValueError("give --deal ID or --account DOMAIN (one of them)")


def _print_committee(doc: seam.CommitteeDocument) -> None:
    table = Table("person", "role", "influence", "share", "attitude", "position", "verified")
    for m in doc.members:
        position = m.formal_position or "-"
        if m.real_position and m.real_position != m.formal_position:
            position += f" (in practice: {m.real_position})"
        table.add_row(
            m.name + (f" (left {m.left_on})" if m.left_on else ""),
            m.role_label,
            influence_words(m.influence),
            "-" if m.share is None else f"{m.share:.0%}",
            m.attitude,
            position,
            m.verified_at.date().isoformat() if m.verified_at else "never",
        )
    console.print(table)
    if doc.completeness is not None and doc.completeness.required:
        c = doc.completeness
        console.print(
            f"{len(c.filled)} of {len(c.required)} required roles filled"
            + (f"; missing: {', '.join(c.missing)}" if c.missing else ""),
            highlight=False,
        )
    for f in doc.flags:
        console.print(f"  risk {f.code}: {f.message}", highlight=False)


@committee_app.command("list")
def list_command(
    ctx: typer.Context, deal: DealOpt = None, account: AccountOpt = None, as_json: Json = False
) -> None:
    """A deal's committee (with completeness and risks) or an account's standing group.

    Example: [bold]buyermap committee list --deal 42 --json[/]
    """
    days = state(ctx).settings.committee_stale_days
    with user_errors(), unit_of_work(ctx) as session:
        _anchor(deal, account)
        doc = (
            seam.deal_committee(session, deal_id=deal, stale_days=days)
            if deal is not None
            else seam.account_committee(session, domain=account)
        )
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    console.print(f"{doc.name}" + (f" ({doc.stage})" if doc.stage else ""), highlight=False)
    _print_committee(doc)


@committee_app.command("set")
def set_command(
    ctx: typer.Context,
    contact: Annotated[str, typer.Option("--contact", help="The person's email.")],
    deal: DealOpt = None,
    account: AccountOpt = None,
    role: Annotated[
        str | None, typer.Option(help="A catalogue role, key or words ('Economic buyer').")
    ] = None,
    influence: Annotated[
        int | None, typer.Option(help="1 (low) to 5 (high): their say in the decision.")
    ] = None,
    attitude: Annotated[
        str | None, typer.Option(help="supporter, neutral, skeptic, opponent or unknown.")
    ] = None,
    formal_position: Annotated[str | None, typer.Option(help="Their title.")] = None,
    real_position: Annotated[str | None, typer.Option(help="What they really are.")] = None,
    relation: Annotated[str | None, typer.Option(help="How they relate to us.")] = None,
    evidence: Annotated[str | None, typer.Option(help="What this rests on.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the evidence came from.")] = None,
    verified: Annotated[
        str | None, typer.Option(help="When it was last verified (YYYY-MM-DD).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Add a person to a committee, or change what is known of a member.

    Example: [bold]buyermap committee set --deal 42 --contact ewa@acme.pl --role Champion[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        _anchor(deal, account)
        person = svc.find_contact(session, email=contact)
        account_id = svc.find_account(session, domain=account).id if account else None
        given: dict[str, Any] = {
            "role": role,
            "influence": influence,
            "attitude": attitude,
            "formal_position": formal_position,
            "real_position": real_position,
            "relation": relation,
            "evidence": evidence,
            "source": source,
            "verified_at": verified_option(verified, option="--verified"),
        }
        changes = {k: v for k, v in given.items() if v is not None}
        existing = svc.find_member(
            session, contact_id=person.id, deal_id=deal, account_id=account_id
        )
        if existing is None:
            member = svc.add_member(
                session,
                contact_id=person.id,
                deal_id=deal,
                account_id=account_id,
                data=svc.MemberInput(**changes),
            )
        else:
            member = svc.update_member(session, member_id=existing.id, changes=changes)
        out = {"id": member.id, "version": member.version, "created": existing is None}
    if as_json:
        print_json(out)
    else:
        console.print(
            f"member {out['id']} {'added' if out['created'] else 'changed'}", highlight=False
        )


@committee_app.command("remove")
def remove_command(
    ctx: typer.Context,
    contact: Annotated[str, typer.Option("--contact", help="The person's email.")],
    deal: DealOpt = None,
    account: AccountOpt = None,
) -> None:
    """Take a person off a committee.

    Example: [bold]buyermap committee remove --deal 42 --contact ewa@acme.pl[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        _anchor(deal, account)
        person = svc.find_contact(session, email=contact)
        account_id = svc.find_account(session, domain=account).id if account else None
        member = svc.find_member(session, contact_id=person.id, deal_id=deal, account_id=account_id)
        if member is None:
            raise NotFoundError(f"{contact} is not on that committee")
        svc.remove_member(session, member_id=member.id)
    console.print(f"{contact} removed", highlight=False)


@committee_app.command("risks")
def risks_command(
    ctx: typer.Context,
    deal: DealOpt = None,
    sort: Annotated[
        str,
        typer.Option(
            help="risk (most risks first), amount (most amount at risk first) or deal (id)."
        ),
    ] = "risk",
    as_json: Json = False,
) -> None:
    """The committee risks of every open deal (or of one), with the amount at risk.

    Example: [bold]buyermap committee risks --sort amount --json[/]
    """
    days = state(ctx).settings.committee_stale_days
    with user_errors(), unit_of_work(ctx) as session:
        if sort not in ("risk", "amount", "deal"):
            raise InvalidValueError(f"--sort {sort!r} is not one of risk, amount, deal")
        doc = seam.risk_list(session, deal_id=deal, sort=sort, stale_days=days)  # type: ignore[arg-type]
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    table = Table("deal", "stage", "amount at risk", "risks")
    for d in doc.deals:
        if not d.flags and deal is None:
            continue
        table.add_row(
            f"{d.name} ({d.deal_id})",
            d.stage or "-",
            f"{d.amount_at_risk:,.0f} {d.currency}",
            "\n".join(f.message for f in d.flags) or "none",
        )
    console.print(table)
    console.print(
        f"{doc.flagged:,} of {len(doc.deals):,} open deals have a committee risk", highlight=False
    )


@committee_app.command("wins")
def wins_command(ctx: typer.Context, as_json: Json = False) -> None:
    """What wins: win rates of closed deals by committee coverage, economic buyer and the
    most influential member's attitude, with 95% intervals.

    Example: [bold]buyermap committee wins --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.wins(session)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    console.print(f"{doc.closed:,} closed deals, {doc.won:,} won", highlight=False)
    for g in doc.groups:
        console.print(f"  {g.words}", highlight=False)
    for line in doc.findings:
        console.print(line, highlight=False)
    console.print(f"Caveat: {doc.caveat}", highlight=False)


@committee_app.command("roles")
def roles_command(
    ctx: typer.Context,
    add: Annotated[str | None, typer.Option(help="Add (or rename) a role: its label.")] = None,
    key: Annotated[str | None, typer.Option(help="The key of the role to add/rename.")] = None,
    hide: Annotated[str | None, typer.Option(help="Take this role out of the catalogue.")] = None,
    as_json: Json = False,
) -> None:
    """The committee role catalogue; add, rename or hide a role.

    Example: [bold]buyermap committee roles --add "Works council" --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        if add is not None:
            svc.set_role(session, label=add, key=key)
        if hide is not None:
            svc.hide_role(session, key=hide)
        doc = seam.roles(session)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    for r in doc.roles:
        console.print(f"{r.key}: {r.label}", highlight=False)


@committee_app.command("required")
def required_command(
    ctx: typer.Context,
    pipeline: Annotated[str, typer.Option(help="The pipeline's name.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="ROLE=STAGE: required from that stage on (repeatable)."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Go back to the default rules.")
    ] = False,
    as_json: Json = False,
) -> None:
    """The roles a pipeline requires from which stage; set them, or go back to defaults.

    Example: [bold]buyermap committee required --pipeline Sales --set legal=Negotiation[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        found = find_pipeline(session, name=pipeline)
        if found is None:
            raise NotFoundError(f"no pipeline named {pipeline!r}")
        rules = []
        for text in set_ or []:
            role, sep, stage = text.partition("=")
            if not sep or not role.strip() or not stage.strip():
                raise InvalidValueError(f"--set {text!r} is not ROLE=STAGE, e.g. legal=Proposal")
            rules.append((role.strip(), stage.strip()))
        if rules or defaults:
            svc.set_requirements(session, pipeline_id=found.id, rules=rules)
        doc = seam.required_roles(session, pipeline=found)
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    word = " (the defaults)" if doc.defaults else ""
    console.print(f"{doc.pipeline}{word}:", highlight=False)
    for r in doc.required:
        console.print(f"  {r.label} from {r.stage}", highlight=False)
