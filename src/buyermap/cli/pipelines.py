"""``pipelines``: create, rename, reorder and close pipelines and their stages.

Stage lists (``create --stages``) are comma-separated; each stage is ``Name``,
optionally followed by ``:kind`` (open, won, lost) and/or ``:probability`` (0.2 or 20%),
e.g. ``"Lead:0.1,Demo:open:30%,Closed Won:won,Closed Lost:lost"``. Without a kind, the
usual won and lost names ("Closed Won", "Won", "Closed Lost", "Lost") are won and lost,
other names open.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import console, print_json, unit_of_work
from buyermap.db.models import Pipeline
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import StageSpec, stage_kind_from_name
from buyermap.domain.stage_sets import STAGE_SETS
from buyermap.errors import InvalidValueError
from buyermap.schemas.pipelines import PipelinePublic
from buyermap.services import pipeline_updates as edits
from buyermap.services import pipelines as svc

pipelines_app = typer.Typer(
    help="Pipelines and their stages: create, rename, reorder, close.", no_args_is_help=True
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
PipelineName = Annotated[str, typer.Argument(help="Pipeline name (any case).")]
StageName = Annotated[str, typer.Argument(help="Stage name (any case; 'closedwon' works).")]
Kind = Annotated[StageKind | None, typer.Option(help="open, won or lost.")]
Probability = Annotated[
    float | None, typer.Option(min=0.0, max=1.0, help="Win probability from 0 to 1.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(pipelines_app, name="pipelines")


def _probability(text: str) -> float | None:
    try:
        value = float(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        return None
    return value


def parse_stages(text: str) -> list[StageSpec]:
    """``"Lead:0.1,Demo:open:30%,Closed Won:won"`` -> stage specs (see the module docstring)."""
    specs: list[StageSpec] = []
    kinds = {k.value: k for k in StageKind}
    for item in text.split(","):
        rest = item
        kind: StageKind | None = None
        probability: float | None = None
        while ":" in rest:
            head, _, tail = rest.rpartition(":")
            tail = tail.strip().lower()
            if tail in kinds and kind is None:
                kind = kinds[tail]
            elif (p := _probability(tail)) is not None and probability is None:
                probability = p
            else:
                break
            rest = head
        name = rest.strip()
        if not name:
            raise InvalidValueError(
                f"--stages has an empty stage in {text!r}; "
                "write stages like 'Lead:0.1,Closed Won:won,Closed Lost:lost'"
            )
        specs.append(StageSpec(name, kind or stage_kind_from_name(name), probability))
    return specs


def _public(pipeline: Pipeline) -> PipelinePublic:
    return PipelinePublic.model_validate(pipeline)


def _print(data: PipelinePublic, as_json: bool) -> None:
    """The pipeline as one JSON object, or as a table of its stages."""
    if as_json:
        print_json(data.model_dump(mode="json"))
        return
    flags = [f for f, on in (("default", data.is_default), ("closed", data.closed_at)) if on]
    title = f"{data.name} (#{data.id}){' [' + ', '.join(flags) + ']' if flags else ''}"
    table = Table(title=title)
    for col in ("#", "stage", "kind", "probability", "closed"):
        table.add_column(col)
    for s in data.stages:
        prob = "-" if s.probability is None else f"{s.probability:.0%}"
        closed = s.closed_at.date().isoformat() if s.closed_at else ""
        table.add_row(str(s.position), s.name, s.kind.value, prob, closed)
    console.print(table)


@pipelines_app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List the pipelines with their stages, the default first.

    Example: [bold]buyermap pipelines list --json[/]
    """
    with unit_of_work(ctx) as session:
        found = [_public(p) for p in svc.list_pipelines(session)]
    if as_json:
        print_json({"pipelines": [p.model_dump(mode="json") for p in found]})
        return
    if not found:
        console.print("no pipelines yet; `buyermap pipelines create NAME` makes one")
    for pipeline in found:
        _print(pipeline, False)


@pipelines_app.command("show")
def show(ctx: typer.Context, name: PipelineName, as_json: Json = False) -> None:
    """Show one pipeline and its stages.

    Example: [bold]buyermap pipelines show Sales --json[/]
    """
    with unit_of_work(ctx) as session:
        shown = _public(svc.pipeline_named(session, name=name))
    _print(shown, as_json)


@pipelines_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name of the new pipeline.")],
    preset: Annotated[
        str | None,
        typer.Option(help=f"A standard stage set: {', '.join(STAGE_SETS)}."),
    ] = None,
    stages: Annotated[
        str | None,
        typer.Option(
            help="Stages in order, comma-separated: Name[:open|won|lost][:probability], "
            "e.g. 'Lead:0.1,Demo:30%,Closed Won:won,Closed Lost:lost'."
        ),
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Make it the default.")] = False,
    as_json: Json = False,
) -> None:
    """Create a pipeline from a preset, from a stage list, or with the default B2B stages.

    Example: [bold]buyermap pipelines create Renewals --preset hubspot --default[/]
    """
    if preset is not None and stages is not None:
        raise InvalidValueError("give --preset or --stages, not both")
    if preset is not None:
        key = preset.strip().lower()
        if key not in STAGE_SETS:
            valid = ", ".join(STAGE_SETS)
            raise InvalidValueError(f"unknown preset {preset!r}; valid presets: {valid}")
        specs: tuple[StageSpec, ...] = STAGE_SETS[key]
    elif stages is not None:
        specs = tuple(parse_stages(stages))
    else:
        specs = svc.DEFAULT_STAGES
    with unit_of_work(ctx) as session:
        pipeline = svc.create_pipeline(session, name=name, stages=specs, is_default=default)
        shown = _public(pipeline)
    _print(shown, as_json)


@pipelines_app.command("rename")
def rename(
    ctx: typer.Context,
    name: PipelineName,
    new: Annotated[str, typer.Argument(help="The new name.")],
    as_json: Json = False,
) -> None:
    """Rename a pipeline.

    Example: [bold]buyermap pipelines rename Sales "New business"[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=name)
        shown = _public(svc.rename_pipeline(session, pipeline=pipeline, name=new))
    _print(shown, as_json)


@pipelines_app.command("set-default")
def set_default(ctx: typer.Context, name: PipelineName, as_json: Json = False) -> None:
    """Make a pipeline the default: new deals without a pipeline go there.

    Example: [bold]buyermap pipelines set-default Renewals[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=name)
        shown = _public(svc.set_default_pipeline(session, pipeline=pipeline))
    _print(shown, as_json)


@pipelines_app.command("close")
def close(ctx: typer.Context, name: PipelineName, as_json: Json = False) -> None:
    """Close a pipeline: its deals and history stay, no new deal enters it.

    The default pipeline cannot be closed; make another one the default first.

    Example: [bold]buyermap pipelines close "Old sales"[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=name)
        shown = _public(svc.close_pipeline(session, pipeline=pipeline))
    _print(shown, as_json)


@pipelines_app.command("reopen")
def reopen(ctx: typer.Context, name: PipelineName, as_json: Json = False) -> None:
    """Reopen a closed pipeline.

    Example: [bold]buyermap pipelines reopen "Old sales"[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=name)
        shown = _public(svc.reopen_pipeline(session, pipeline=pipeline))
    _print(shown, as_json)


@pipelines_app.command("add-stage")
def add_stage(
    ctx: typer.Context,
    pipeline_name: PipelineName,
    stage: Annotated[str, typer.Argument(help="Name of the new stage.")],
    kind: Kind = None,
    probability: Probability = None,
    position: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Place, 0 = first (as 'position' in --json). Default: an open stage "
            "before the first won/lost stage, a won or lost stage at the end.",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Add a stage to a pipeline.

    Without --kind the usual won and lost names are won and lost, other names open.

    Example: [bold]buyermap pipelines add-stage Sales Demo --probability 0.3 --position 2[/]
    """
    spec = StageSpec(stage, kind or stage_kind_from_name(stage), probability)
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        svc.add_stage(session, pipeline=pipeline, spec=spec, position=position)
        shown = _public(pipeline)
    _print(shown, as_json)


@pipelines_app.command("rename-stage")
def rename_stage(
    ctx: typer.Context,
    pipeline_name: PipelineName,
    stage: StageName,
    new: Annotated[str, typer.Argument(help="The new name.")],
    as_json: Json = False,
) -> None:
    """Rename a stage; its history stays (moves refer to the stage, not its name).

    Example: [bold]buyermap pipelines rename-stage Sales Discovery "Needs analysis"[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        found = svc.find_stage(session, pipeline=pipeline, name=stage)
        svc.rename_stage(session, stage=found, name=new)
        shown = _public(pipeline)
    _print(shown, as_json)


@pipelines_app.command("set-stage")
def set_stage(
    ctx: typer.Context,
    pipeline_name: PipelineName,
    stage: StageName,
    kind: Kind = None,
    probability: Probability = None,
    as_json: Json = False,
) -> None:
    """Change a stage's kind and/or probability.

    Example: [bold]buyermap pipelines set-stage Sales Proposal --probability 0.5[/]
    """
    if kind is None and probability is None:
        raise InvalidValueError("give --kind and/or --probability")
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        found = svc.find_stage(session, pipeline=pipeline, name=stage)
        svc.update_stage(session, stage=found, kind=kind, probability=probability)
        shown = _public(pipeline)
    _print(shown, as_json)


@pipelines_app.command("reorder")
def reorder(
    ctx: typer.Context,
    pipeline_name: PipelineName,
    order: Annotated[
        str, typer.Argument(help="Every stage once, in the new order, comma-separated.")
    ],
    as_json: Json = False,
) -> None:
    """Put a pipeline's stages in a new order (name every stage once).

    Example: [bold]buyermap pipelines reorder Partners "Intro,Pilot,Signed,Gone"[/]
    """
    names = [n.strip() for n in order.split(",") if n.strip()]
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        shown = _public(svc.reorder_stages(session, pipeline=pipeline, names=names))
    _print(shown, as_json)


@pipelines_app.command("move-stage")
def move_stage(
    ctx: typer.Context,
    pipeline_name: PipelineName,
    stage: StageName,
    position: Annotated[int, typer.Argument(min=0, help="The new place, 0 = first.")],
    as_json: Json = False,
) -> None:
    """Move one stage to another place; the others keep their order.

    Example: [bold]buyermap pipelines move-stage Sales Discovery 1[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        found = svc.find_stage(session, pipeline=pipeline, name=stage)
        shown = _public(edits.move_stage(session, stage=found, position=position))
    _print(shown, as_json)


@pipelines_app.command("close-stage")
def close_stage(
    ctx: typer.Context, pipeline_name: PipelineName, stage: StageName, as_json: Json = False
) -> None:
    """Close a stage: its history and deals stay, no deal moves into it again.

    Example: [bold]buyermap pipelines close-stage Sales Discovery[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        svc.close_stage(session, stage=svc.find_stage(session, pipeline=pipeline, name=stage))
        shown = _public(pipeline)
    _print(shown, as_json)


@pipelines_app.command("reopen-stage")
def reopen_stage(
    ctx: typer.Context, pipeline_name: PipelineName, stage: StageName, as_json: Json = False
) -> None:
    """Reopen a closed stage.

    Example: [bold]buyermap pipelines reopen-stage Sales Discovery[/]
    """
    with unit_of_work(ctx) as session:
        pipeline = svc.pipeline_named(session, name=pipeline_name)
        svc.reopen_stage(session, stage=svc.find_stage(session, pipeline=pipeline, name=stage))
        shown = _public(pipeline)
    _print(shown, as_json)
