"""``journeys alignment`` and ``journeys mapping``: the journey against the funnel."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import Json, console, print_json, unit_of_work
from buyermap.cli.journeys import journeys_app
from buyermap.domain.journeys import stage_word
from buyermap.seams import alignment as seam

mapping_app = typer.Typer(
    help="The declared mapping between journey stages and a pipeline's funnel stages.",
    no_args_is_help=True,
)
journeys_app.add_typer(mapping_app, name="mapping")
PipelineOpt = Annotated[
    str | None, typer.Option("--pipeline", help="The pipeline's name (default: the default one).")
]


@journeys_app.command("alignment")
def journeys_alignment(
    ctx: typer.Context,
    pipeline: PipelineOpt = None,
    persona: Annotated[str | None, typer.Option(help="Only this persona's contacts.")] = None,
    as_json: Json = False,
) -> None:
    """Journey against funnel: each touchpoint's journey stage against the funnel stage of
    the contact's deal at that moment, the share off the mapping, and the median days per
    journey stage by persona.

    Example: [bold]buyermap journeys alignment --pipeline Sales --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = seam.alignment_document(session, pipeline=pipeline, persona=persona)
    if as_json:
        print_json(doc)
        return
    console.print(doc["words"], highlight=False, markup=False)
    if doc["empty"]:
        return
    matrix = doc["matrix"]
    table = Table("journey stage", *matrix["columns"])
    for label, row in zip(matrix["row_labels"], matrix["counts"], strict=True):
        table.add_row(label, *map(str, row))
    console.print(table)
    for p in doc["time_in_stage_by_persona"]:
        console.print(f"{p['name']}:", highlight=False, markup=False)
        for st in p["stages"]:
            console.print(f"  {st['words']}", highlight=False, markup=False)


def _print_mapping(doc: dict[str, object], as_json: bool) -> None:
    if as_json:
        print_json(doc)
        return
    mapping = doc["mapping"]
    assert isinstance(mapping, dict)
    console.print(f"pipeline {doc['pipeline']} ({doc['origin']} mapping)", highlight=False)
    for key, stages in mapping.items():
        console.print(
            f"  {stage_word(key)}: {', '.join(stages) or 'no funnel stage'}",
            highlight=False,
            markup=False,
        )


@mapping_app.command("show")
def mapping_show(ctx: typer.Context, pipeline: PipelineOpt = None, as_json: Json = False) -> None:
    """The journey stage -> funnel stages mapping of a pipeline (declared, else the default
    by name and order).

    Example: [bold]buyermap journeys mapping show --pipeline Sales --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = seam.mapping_document(session, pipeline=pipeline)
    _print_mapping(doc, as_json)


@mapping_app.command("set")
def mapping_set(
    ctx: typer.Context,
    stage: Annotated[
        str | None, typer.Option("--stage", help="The journey stage's key (e.g. education).")
    ] = None,
    funnel: Annotated[
        str,
        typer.Option("--funnel", help="Its funnel stages, separated by ';' (empty: none)."),
    ] = "",
    pipeline: PipelineOpt = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget the declared rows: back to the default.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Declare which funnel stages a journey stage corresponds to.

    Example: [bold]buyermap journeys mapping set --stage education --funnel "Qualified;Demo"[/]
    """
    with unit_of_work(ctx) as session:
        if reset:
            doc = seam.reset_mapping_document(session, pipeline=pipeline)
        elif stage is None:
            raise typer.BadParameter("give --stage KEY (with --funnel) or --reset")
        else:
            doc = seam.set_mapping_document(
                session, journey_stage=stage, funnel=funnel.split(";"), pipeline=pipeline
            )
    _print_mapping(doc, as_json)


def register(app: typer.Typer) -> None:
    """The commands hang under ``journeys`` (registered by :mod:`buyermap.cli.journeys`)."""
    del app
