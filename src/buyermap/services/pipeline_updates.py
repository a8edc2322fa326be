"""Pipeline and stage changes described by the schemas (the REST API's bodies).

Each function applies one body through the single-purpose services of
:mod:`buyermap.services.pipelines`, in an order that lets one body do what a user means:
reopen before making default, rename before closing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from buyermap.db.models import Pipeline, Stage
from buyermap.domain.stage_sets import STAGE_SETS
from buyermap.errors import InvalidValueError
from buyermap.schemas.pipelines import PipelineCreate, PipelineUpdate, StageUpdate
from buyermap.services import pipelines as svc


def create_pipeline_from(session: Session, *, data: PipelineCreate) -> Pipeline:
    """A pipeline from a preset, from the given stages, or else with the default stages."""
    if data.preset is not None:
        stages = STAGE_SETS[data.preset]
    elif data.stages is not None:
        stages = tuple(s.spec() for s in data.stages)
    else:
        stages = svc.DEFAULT_STAGES
    return svc.create_pipeline(session, name=data.name, stages=stages, is_default=data.is_default)


def update_pipeline(session: Session, *, pipeline: Pipeline, data: PipelineUpdate) -> Pipeline:
    if data.is_default is False:
        raise InvalidValueError(
            "is_default can only be set to true; make another pipeline the default instead"
        )
    if data.name is not None:
        svc.rename_pipeline(session, pipeline=pipeline, name=data.name)
    if data.closed is False:
        svc.reopen_pipeline(session, pipeline=pipeline)
    if data.is_default:
        svc.set_default_pipeline(session, pipeline=pipeline)
    if data.closed:
        svc.close_pipeline(session, pipeline=pipeline)
    return pipeline


def move_stage(session: Session, *, stage: Stage, position: int) -> Pipeline:
    """Move one stage to ``position`` (0 = first); the others keep their order."""
    pipeline = stage.pipeline
    if not 0 <= position < len(pipeline.stages):
        raise InvalidValueError(
            f"position {position} is outside pipeline {pipeline.name!r}; "
            f"use 0 to {len(pipeline.stages) - 1} (0 = first)"
        )
    names = [s.name for s in pipeline.stages if s is not stage]
    names.insert(position, stage.name)
    return svc.reorder_stages(session, pipeline=pipeline, names=names)


def update_stage(session: Session, *, stage: Stage, data: StageUpdate) -> Stage:
    if data.name is not None:
        svc.rename_stage(session, stage=stage, name=data.name)
    if data.closed is False:
        svc.reopen_stage(session, stage=stage)
    if data.kind is not None or data.probability is not None:
        svc.update_stage(session, stage=stage, kind=data.kind, probability=data.probability)
    if data.position is not None:
        move_stage(session, stage=stage, position=data.position)
    if data.closed:
        svc.close_stage(session, stage=stage)
    return stage


def reorder_by_ids_or_names(
    session: Session, *, pipeline: Pipeline, order: Sequence[int | str]
) -> Pipeline:
    """Reorder by stage ids (integers) and/or names (strings), one entry per stage."""
    names: list[str] = []
    for item in order:
        if isinstance(item, int):
            names.append(svc.get_stage(session, pipeline=pipeline, stage_id=item).name)
        else:
            names.append(item)
    return svc.reorder_stages(session, pipeline=pipeline, names=names)
