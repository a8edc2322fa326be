"""``/api/v1/pipelines``: pipelines and their stages (the analytics are ``/api/v1/pipeline``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status

from buyermap.schemas.pipelines import (
    PipelineCreate,
    PipelinePublic,
    PipelineUpdate,
    StageCreate,
    StageUpdate,
)
from buyermap.services import pipeline_updates as edits
from buyermap.services import pipelines as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(prefix="/pipelines", tags=["pipelines"])

StageOrder = Annotated[
    list[int | str],
    Body(
        description="Every stage of the pipeline once, in the new order: ids or names",
        examples=[["Lead", "Qualified", "Proposal", "Closed Won", "Closed Lost"]],
    ),
]


@router.get("", summary="List pipelines")
def list_pipelines(session: SessionDep) -> list[PipelinePublic]:
    """Every pipeline with its stages in order, the default first (closed ones included)."""
    return [PipelinePublic.model_validate(p) for p in svc.list_pipelines(session)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a pipeline", dependencies=[WRITE]
)
def create_pipeline(session: SessionDep, data: PipelineCreate) -> PipelinePublic:
    """Create a pipeline from a `preset` (salesforce, hubspot, pipedrive) or its `stages`.

    Without either it gets the default B2B stages. 409 when the name is taken.
    """
    return PipelinePublic.model_validate(edits.create_pipeline_from(session, data=data))


@router.get("/{pipeline_id}", summary="Get a pipeline")
def get_pipeline(session: SessionDep, pipeline_id: PathId) -> PipelinePublic:
    """One pipeline with its stages (404 when there is none)."""
    return PipelinePublic.model_validate(svc.get_pipeline(session, pipeline_id=pipeline_id))


@router.patch(
    "/{pipeline_id}",
    summary="Rename, make default, close or reopen a pipeline",
    dependencies=[WRITE],
)
def update_pipeline(
    session: SessionDep, pipeline_id: PathId, data: PipelineUpdate
) -> PipelinePublic:
    """`name` renames; `is_default: true` makes it the default; `closed` closes or reopens.

    The default pipeline cannot be closed (409), nor a closed one made the default.
    """
    pipeline = svc.get_pipeline(session, pipeline_id=pipeline_id)
    return PipelinePublic.model_validate(
        edits.update_pipeline(session, pipeline=pipeline, data=data)
    )


@router.post(
    "/{pipeline_id}/stages",
    status_code=status.HTTP_201_CREATED,
    summary="Add a stage",
    dependencies=[WRITE],
)
def add_stage(session: SessionDep, pipeline_id: PathId, data: StageCreate) -> PipelinePublic:
    """Add a stage; answers the pipeline with its renumbered stages.

    Without `position` an open stage goes before the first won/lost stage, a won or lost
    stage at the end. A second won stage or a taken name is refused (409).
    """
    pipeline = svc.get_pipeline(session, pipeline_id=pipeline_id)
    svc.add_stage(session, pipeline=pipeline, spec=data.spec(), position=data.position)
    return PipelinePublic.model_validate(pipeline)


@router.patch("/{pipeline_id}/stages/{stage_id}", summary="Change a stage", dependencies=[WRITE])
def update_stage(
    session: SessionDep, pipeline_id: PathId, stage_id: PathId, data: StageUpdate
) -> PipelinePublic:
    """Rename (`name`), change `kind` or `probability`, move (`position`), close or reopen.

    A closed stage keeps its history and deals; no deal moves into it again.
    """
    pipeline = svc.get_pipeline(session, pipeline_id=pipeline_id)
    stage = svc.get_stage(session, pipeline=pipeline, stage_id=stage_id)
    edits.update_stage(session, stage=stage, data=data)
    return PipelinePublic.model_validate(pipeline)


@router.put("/{pipeline_id}/stages/order", summary="Reorder the stages", dependencies=[WRITE])
def reorder_stages(session: SessionDep, pipeline_id: PathId, order: StageOrder) -> PipelinePublic:
    """Set the stage order from a list naming every stage once (ids or names).

    A list with a missing, unknown or repeated stage is refused (422), naming them.
    """
    pipeline = svc.get_pipeline(session, pipeline_id=pipeline_id)
    edits.reorder_by_ids_or_names(session, pipeline=pipeline, order=order)
    return PipelinePublic.model_validate(pipeline)
