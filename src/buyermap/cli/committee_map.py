"""``committee map`` and ``committee tie``: the relationship map of an account's (or a deal's)
buying committee, and the ties between its people (docs/committee.md, "Relationship map").

Ties come in with ``buyermap import relationships FILE`` or one at a time with
``committee tie add``. A user's mistake (an unknown email, a bad type) exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.charts import relationship_map as draw
from buyermap.cli.committee import Json, committee_app
from buyermap.cli.common import console, out_path, print_json, unit_of_work, user_errors
from buyermap.domain.relationships import type_label
from buyermap.errors import NotFoundError
from buyermap.seams.relationship_map import relationship_map
from buyermap.services import committee as committee_svc
from buyermap.services import relationships as svc

tie_app = typer.Typer(
    help="Ties between people (reports to, influences, ally, rival, informal advisor, ...).",
    no_args_is_help=True,
)
Email = Annotated[str, typer.Option(help="The person's email.")]
TypeOpt = Annotated[
    str,
    typer.Option(
        "--type",
        help="reports to, influences, ally, rival, informal advisor, or your own words.",
    ),
]


def register(app: typer.Typer) -> None:
    committee_app.add_typer(tie_app, name="tie")


@committee_app.command("map")
def map_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Option("--account", help="The account's domain.")],
    deal: Annotated[
        int | None, typer.Option("--deal", help="Only this deal's committee.", min=1)
    ] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", callback=out_path, help="Write the map as SVG.")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", callback=out_path, help="Write the map as PNG.")
    ] = None,
    as_json: Json = False,
) -> None:
    """The relationship map of an account's committees (or one deal's): people sized by
    influence, coloured by attitude, and the ties between them.

    Example: [bold]buyermap committee map --account zabka.pl --deal 42 --svg map.svg --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = relationship_map(session, domain=account, deal_id=deal)
    if svg is not None:
        svg.write_text(draw.svg(doc), encoding="utf-8")
    if png is not None:
        png.write_bytes(draw.png(doc))
    if as_json:
        print_json(doc.model_dump(mode="json", by_alias=True))
        return
    console.print(f"Relationship map of {doc.deal or doc.account}", highlight=False)
    if doc.message:
        console.print(doc.message, highlight=False)
        return
    names = {n.contact_id: n.name for n in doc.nodes}
    people = Table("person", "title", "role", "influence", "share", "attitude", "persona")
    for n in doc.nodes:
        people.add_row(
            n.name,
            n.title or "-",
            n.role_label or "(not on a committee)",
            "-" if n.influence is None else f"{n.influence} of 5",
            "-" if n.share is None else f"{n.share:.0%}",
            n.attitude_label,
            n.persona or "-",
        )
    console.print(people)
    ties = Table("from", "tie", "to", "evidence")
    for e in doc.edges:
        ties.add_row(names[e.from_], e.type_label, names[e.to], e.evidence or "-")
    console.print(ties if doc.edges else "No ties yet: add one with 'committee tie add'.")
    for path in (svg, png):
        if path is not None:
            console.print(f"wrote {path}", highlight=False)


@tie_app.command("add")
def tie_add_command(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="The email of the tie's first person.")],
    to: Annotated[str, typer.Option("--to", help="The email of the person it points to.")],
    kind: TypeOpt,
    evidence: Annotated[str | None, typer.Option(help="What the tie rests on.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the evidence came from.")] = None,
    strength: Annotated[
        int | None, typer.Option(help="1 (weak) to 5 (strong).", min=1, max=5)
    ] = None,
    as_json: Json = False,
) -> None:
    """Add a tie from one person to another ("Ewa reports to Jan").

    Example: [bold]buyermap committee tie add --from ewa@acme.pl --to jan@acme.pl
    --type "reports to" --evidence "org chart 2026"[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        a = committee_svc.find_contact(session, email=from_)
        b = committee_svc.find_contact(session, email=to)
        tie = svc.add_tie(
            session,
            from_id=a.id,
            to_id=b.id,
            data=svc.TieInput(type=kind, evidence=evidence, source=source, strength=strength),
        )
        out = {
            "id": tie.id,
            "from": a.id,
            "to": b.id,
            "type": tie.kind,
            "evidence": tie.evidence,
            "version": tie.version,
        }
        words = f"{a.full_name} {type_label(tie.kind)} {b.full_name}"
    if as_json:
        print_json(out)
        return
    console.print(f"tie {out['id']} added: {words}", highlight=False)


@tie_app.command("remove")
def tie_remove_command(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="The email of the tie's first person.")],
    to: Annotated[str, typer.Option("--to", help="The email of the person it points to.")],
    kind: TypeOpt,
) -> None:
    """Remove a tie.

    Example: [bold]buyermap committee tie remove --from ewa@acme.pl --to jan@acme.pl
    --type "reports to"[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        a = committee_svc.find_contact(session, email=from_)
        b = committee_svc.find_contact(session, email=to)
        key = svc.check_type(session, kind)
        tie = svc.find_tie(session, from_id=a.id, to_id=b.id, kind=key)
        if tie is None:
            raise NotFoundError(
                f"there is no {type_label(key)!r} tie from {from_} to {to}; "
                f"'buyermap committee map --account DOMAIN' lists the ties"
            )
        svc.remove_tie(session, tie_id=tie.id)
    console.print(f"tie removed: {from_} {type_label(key)} {to}", highlight=False)
