"""Pipelines, their ordered stages and lost reasons."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import LostReason, Pipeline, Stage
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import StageSpec, validate_pipeline
from buyermap.errors import ConflictError, NotFoundError

DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("Lead", StageKind.OPEN, 0.05),
    StageSpec("Qualified", StageKind.OPEN, 0.15),
    StageSpec("Discovery", StageKind.OPEN, 0.25),
    StageSpec("Proposal", StageKind.OPEN, 0.45),
    StageSpec("Negotiation", StageKind.OPEN, 0.7),
    StageSpec("Closed Won", StageKind.WON, 1.0),
    StageSpec("Closed Lost", StageKind.LOST, 0.0),
)


def create_pipeline(
    session: Session, *, name: str, stages: Sequence[StageSpec], is_default: bool = False
) -> Pipeline:
    validate_pipeline(stages)
    if session.scalar(select(Pipeline).where(Pipeline.name == name)) is not None:
        raise ConflictError(f"a pipeline named {name!r} exists already")
    if is_default:
        for other in session.scalars(select(Pipeline).where(Pipeline.is_default)):
            other.is_default = False
    pipeline = Pipeline(name=name, is_default=is_default)
    pipeline.stages = [
        Stage(name=s.name.strip(), position=i, kind=s.kind.value, probability=s.probability)
        for i, s in enumerate(stages)
    ]
    session.add(pipeline)
    session.flush()
    return pipeline


def default_pipeline(session: Session) -> Pipeline:
    """The workspace's default pipeline, created with the usual B2B stages on first use."""
    pipeline = session.scalar(select(Pipeline).where(Pipeline.is_default))
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


def find_stage(session: Session, *, pipeline: Pipeline, name: str) -> Stage:
    """A stage by name (case and spacing ignored); the error lists the valid names."""
    key = " ".join(name.split()).lower()
    for stage in pipeline.stages:
        if stage.name.lower() == key:
            return stage
    valid = ", ".join(s.name for s in pipeline.stages)
    raise NotFoundError(
        f"unknown stage {name!r} in pipeline {pipeline.name!r}; valid stages: {valid}"
    )


def get_or_create_lost_reason(session: Session, *, name: str) -> LostReason:
    text = " ".join(name.split())
    reason = session.scalar(select(LostReason).where(func.lower(LostReason.name) == text.lower()))
    if reason is None:
        reason = LostReason(name=text)
        session.add(reason)
        session.flush()
    return reason
