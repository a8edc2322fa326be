"""Pipelines, their ordered stages and lost reasons.

A workspace has several pipelines; one is the default (new deals without a pipeline go
there). Stages are kept in ``position`` order (0, 1, 2, ...), renumbered after every
change. Every pipeline keeps exactly one won stage, at least one lost stage and at least
one open stage, and of these at least one open, the won and one lost stage stay open for
moves. Closing a pipeline or a stage retires it: its deals and history stay, no new deal
enters it. History refers to stages by id, so renaming a stage keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import LostReason, Pipeline, Stage
from buyermap.db.types import utcnow
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import (
    StageSpec,
    check_probability,
    clean_name,
    norm,
    validate_pipeline,
)
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError

DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("Lead", StageKind.OPEN, 0.05),
    StageSpec("Qualified", StageKind.OPEN, 0.15),
    StageSpec("Discovery", StageKind.OPEN, 0.25),
    StageSpec("Proposal", StageKind.OPEN, 0.45),
    StageSpec("Negotiation", StageKind.OPEN, 0.7),
    StageSpec("Closed Won", StageKind.WON, 1.0),
    StageSpec("Closed Lost", StageKind.LOST, 0.0),
)


def _key(name: str) -> str:
    """Case and spacing ignored."""
    return " ".join(name.split()).lower()


def _names(items: Sequence[Pipeline] | Sequence[Stage]) -> str:
    return ", ".join(repr(i.name) for i in items) or "(none)"


# --- pipelines -----------------------------------------------------------------------


def create_pipeline(
    session: Session, *, name: str, stages: Sequence[StageSpec], is_default: bool = False
) -> Pipeline:
    """A new pipeline with ``stages`` in the given order; ``is_default`` makes it the default."""
    validate_pipeline(stages)
    name = clean_name(name, what="pipeline")
    existing = find_pipeline(session, name=name)
    if existing is not None:
        raise ConflictError(f"a pipeline named {existing.name!r} exists already")
    if is_default:
        for other in session.scalars(select(Pipeline).where(Pipeline.is_default)):
            other.is_default = False
    pipeline = Pipeline(name=name, is_default=is_default)
    pipeline.stages = [
        Stage(name=clean_name(s.name), position=i, kind=s.kind.value, probability=s.probability)
        for i, s in enumerate(stages)
    ]
    session.add(pipeline)
    session.flush()
    return pipeline


def list_pipelines(session: Session) -> list[Pipeline]:
    """Every pipeline with its stages: the default first, then by id."""
    return list(
        session.scalars(
            select(Pipeline)
            .options(selectinload(Pipeline.stages))
            .order_by(Pipeline.is_default.desc(), Pipeline.id)
        )
    )


def _current_default(session: Session) -> Pipeline | None:
    """The pipeline marked default, else the oldest open one; never creates one."""
    pipeline = session.scalar(select(Pipeline).where(Pipeline.is_default))
    if pipeline is None:
        pipeline = session.scalar(
            select(Pipeline).where(Pipeline.closed_at.is_(None)).order_by(Pipeline.id)
        )
    return pipeline


def default_pipeline(session: Session) -> Pipeline:
    """The workspace's default pipeline, created with the usual B2B stages on first use."""
    pipeline = _current_default(session)
    if pipeline is None:
        pipeline = session.scalar(select(Pipeline).order_by(Pipeline.id))
    if pipeline is None:
        pipeline = create_pipeline(session, name="Sales", stages=DEFAULT_STAGES, is_default=True)
    return pipeline


def get_pipeline(session: Session, *, pipeline_id: int) -> Pipeline:
    pipeline = session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFoundError(f"no pipeline with id {pipeline_id}")
    return pipeline


def find_pipeline(session: Session, *, name: str) -> Pipeline | None:
    """The pipeline named ``name``, case and spacing ignored; None when there is none."""
    key = _key(name)
    for pipeline in session.scalars(select(Pipeline).order_by(Pipeline.id)):
        if _key(pipeline.name) == key:
            return pipeline
    return None


def pipeline_named(session: Session, *, name: str) -> Pipeline:
    """Like :func:`find_pipeline`, but a missing pipeline is an error listing the valid names."""
    pipeline = find_pipeline(session, name=name)
    if pipeline is None:
        valid = _names(list(session.scalars(select(Pipeline).order_by(Pipeline.id))))
        raise NotFoundError(f"no pipeline named {name!r}; valid pipelines: {valid}")
    return pipeline


def rename_pipeline(session: Session, *, pipeline: Pipeline, name: str) -> Pipeline:
    name = clean_name(name, what="pipeline")
    other = find_pipeline(session, name=name)
    if other is not None and other.id != pipeline.id:
        raise ConflictError(f"a pipeline named {other.name!r} exists already")
    pipeline.name = name
    session.flush()
    return pipeline


def set_default_pipeline(session: Session, *, pipeline: Pipeline) -> Pipeline:
    """Make ``pipeline`` the default (and no other); a closed pipeline cannot be the default."""
    if pipeline.closed_at is not None:
        raise ConflictError(
            f"pipeline {pipeline.name!r} is closed; reopen it before making it the default"
        )
    for other in session.scalars(select(Pipeline).where(Pipeline.is_default)):
        if other.id != pipeline.id:
            other.is_default = False
    session.flush()
    pipeline.is_default = True
    session.flush()
    return pipeline


def close_pipeline(session: Session, *, pipeline: Pipeline) -> Pipeline:
    """Retire a pipeline: its deals and history stay, no new deal enters it.

    The default pipeline cannot be closed; make another one the default first. Closing a
    closed pipeline changes nothing.
    """
    if pipeline.closed_at is not None:
        return pipeline
    if _current_default(session) is pipeline:
        raise ConflictError(
            f"pipeline {pipeline.name!r} is the default and cannot be closed; "
            "make another pipeline the default first"
        )
    pipeline.closed_at = utcnow()
    session.flush()
    return pipeline


def reopen_pipeline(session: Session, *, pipeline: Pipeline) -> Pipeline:
    pipeline.closed_at = None
    session.flush()
    return pipeline


# --- stages --------------------------------------------------------------------------


def find_stage(session: Session, *, pipeline: Pipeline, name: str) -> Stage:
    """A stage by name: case and spacing ignored, else letters and digits only.

    The second match lets HubSpot's internal values (``closedwon``, ``qualifiedtobuy``)
    find the labelled stages ("Closed Won", "Qualified To Buy"). The error lists the valid
    names. Closed stages are found too (history refers to them).
    """
    key = _key(name)
    for stage in pipeline.stages:
        if _key(stage.name) == key:
            return stage
    loose = norm(name)
    if loose:
        for stage in pipeline.stages:
            if norm(stage.name) == loose:
                return stage
    valid = ", ".join(s.name for s in pipeline.stages)
    raise NotFoundError(
        f"unknown stage {name!r} in pipeline {pipeline.name!r}; valid stages: {valid}"
    )


def get_stage(session: Session, *, pipeline: Pipeline, stage_id: int) -> Stage:
    """A stage of ``pipeline`` by id (a stage of another pipeline is not found)."""
    for stage in pipeline.stages:
        if stage.id == stage_id:
            return stage
    raise NotFoundError(
        f"no stage with id {stage_id} in pipeline {pipeline.name!r}; "
        f"its stages: {', '.join(f'{s.id} ({s.name})' for s in pipeline.stages)}"
    )


def _renumber(stages: Sequence[Stage]) -> None:
    for i, stage in enumerate(stages):
        stage.position = i


def _check_unique(pipeline: Pipeline, name: str, *, but: Stage | None = None) -> None:
    for stage in pipeline.stages:
        if stage is not but and norm(stage.name) == norm(name):
            raise ConflictError(
                f"pipeline {pipeline.name!r} has a stage {stage.name!r} already; "
                "stage names must be unique (case, spaces and punctuation ignored)"
            )


def _check_rules(pipeline: Pipeline, kinds: dict[int, tuple[str, bool]], action: str) -> None:
    """Refuse ``action`` unless the pipeline keeps one won stage and usable stages.

    ``kinds`` maps each stage (by ``id()``) to its kind and whether it is closed, after the
    change.
    """
    after = list(kinds.values())
    won = [k for k, _ in after if k == StageKind.WON]
    if len(won) > 1:
        raise ConflictError(
            f"cannot {action}: pipeline {pipeline.name!r} has a won stage already "
            "and a pipeline has exactly one; rename that stage instead"
        )
    for kind in StageKind:
        if not any(k == kind and not closed for k, closed in after):
            raise ConflictError(
                f"cannot {action}: pipeline {pipeline.name!r} would have no "
                f"{kind.value} stage that is not closed; it needs open stages, "
                "one won and at least one lost stage"
            )


def _state(pipeline: Pipeline) -> dict[int, tuple[str, bool]]:
    return {id(s): (s.kind, s.closed_at is not None) for s in pipeline.stages}


def add_stage(
    session: Session, *, pipeline: Pipeline, spec: StageSpec, position: int | None = None
) -> Stage:
    """Add a stage at ``position`` (0 = first).

    Without a position an open stage goes before the first won or lost stage and a won or
    lost stage goes at the end. A second won stage is refused.
    """
    name = clean_name(spec.name)
    check_probability(name, spec.probability)
    _check_unique(pipeline, name)
    stages = list(pipeline.stages)
    if position is None:
        if spec.kind is StageKind.OPEN:
            position = next(
                (i for i, s in enumerate(stages) if s.kind != StageKind.OPEN), len(stages)
            )
        else:
            position = len(stages)
    elif not 0 <= position <= len(stages):
        raise InvalidValueError(
            f"position {position} is outside pipeline {pipeline.name!r}; "
            f"use 0 to {len(stages)} (0 = first)"
        )
    if spec.kind is StageKind.WON and any(s.kind == StageKind.WON for s in stages):
        won = next(s for s in stages if s.kind == StageKind.WON)
        raise ConflictError(
            f"cannot add won stage {name!r}: pipeline {pipeline.name!r} has the won stage "
            f"{won.name!r} already and a pipeline has exactly one; rename that stage instead"
        )
    stage = Stage(name=name, kind=spec.kind.value, probability=spec.probability, position=0)
    pipeline.stages.insert(position, stage)
    _renumber(pipeline.stages)
    session.flush()
    return stage


def rename_stage(session: Session, *, stage: Stage, name: str) -> Stage:
    """Rename a stage; its history (stage changes refer to it by id) stays."""
    name = clean_name(name)
    _check_unique(stage.pipeline, name, but=stage)
    stage.name = name
    session.flush()
    return stage


def update_stage(
    session: Session,
    *,
    stage: Stage,
    kind: StageKind | None = None,
    probability: float | None = None,
) -> Stage:
    """Change a stage's kind and/or probability (None leaves it as it is)."""
    if probability is not None:
        check_probability(stage.name, probability)
    if kind is not None and kind != stage.kind:
        state = _state(stage.pipeline)
        state[id(stage)] = (kind.value, stage.closed_at is not None)
        _check_rules(stage.pipeline, state, f"make stage {stage.name!r} a {kind.value} stage")
        stage.kind = kind.value
    if probability is not None:
        stage.probability = probability
    session.flush()
    return stage


def reorder_stages(session: Session, *, pipeline: Pipeline, names: Sequence[str]) -> Pipeline:
    """Put the stages in the order of ``names``: every stage of the pipeline, each once."""
    wanted: list[Stage] = []
    unknown: list[str] = []
    for name in names:
        try:
            stage = find_stage(session, pipeline=pipeline, name=name)
        except NotFoundError:
            unknown.append(name)
            continue
        if stage in wanted:
            raise InvalidValueError(
                f"stage {stage.name!r} is named twice in the new order of {pipeline.name!r}; "
                "name every stage once"
            )
        wanted.append(stage)
    missing = [s.name for s in pipeline.stages if s not in wanted]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown stages: {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"missing stages: {', '.join(map(repr, missing))}")
        raise InvalidValueError(
            f"the new order of pipeline {pipeline.name!r} must name each of its stages once "
            f"({_names(pipeline.stages)}); {'; '.join(problems)}"
        )
    pipeline.stages[:] = wanted
    _renumber(pipeline.stages)
    session.flush()
    return pipeline


def close_stage(session: Session, *, stage: Stage) -> Stage:
    """Retire a stage: its history and deals stay, no deal moves into it again.

    The pipeline keeps at least one open stage, its won stage and one lost stage that are
    not closed. Closing a closed stage changes nothing.
    """
    if stage.closed_at is not None:
        return stage
    state = _state(stage.pipeline)
    state[id(stage)] = (stage.kind, True)
    _check_rules(stage.pipeline, state, f"close stage {stage.name!r}")
    stage.closed_at = utcnow()
    session.flush()
    return stage


def reopen_stage(session: Session, *, stage: Stage) -> Stage:
    stage.closed_at = None
    session.flush()
    return stage


def get_or_create_lost_reason(session: Session, *, name: str) -> LostReason:
    text = " ".join(name.split())
    reason = session.scalar(select(LostReason).where(func.lower(LostReason.name) == text.lower()))
    if reason is None:
        reason = LostReason(name=text)
        session.add(reason)
        session.flush()
    return reason
