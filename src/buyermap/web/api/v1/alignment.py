"""Journey against funnel: ``GET /api/v1/journeys/alignment`` and the journey-to-funnel
mapping (``GET|PUT|DELETE /api/v1/journeys/mapping``), the documents of
``buyermap journeys alignment --json`` and ``journeys mapping show|set``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from buyermap.schemas.journeys import MappingUpdate
from buyermap.seams import alignment as seam
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["journey alignment"])

Doc = dict[str, Any]
PipelineQ = Annotated[
    str | None, Query(max_length=120, description="The pipeline's name (default: default)")
]


@router.get("/journeys/alignment", summary="Journey stages against funnel stages")
def journey_alignment(
    session: SessionDep,
    pipeline: PipelineQ = None,
    persona: Annotated[str | None, Query(max_length=80, description="Only this persona")] = None,
) -> Doc:
    """``matrix`` (``rows``: journey stages, ``columns``: funnel stages, ``counts``),
    ``off_mapping_share``, ``time_in_stage_by_persona`` (median days with counts),
    ``touchpoints``, ``matched``, ``unmatched``, the ``mapping`` used."""
    return seam.alignment_document(session, pipeline=pipeline, persona=persona)


@router.get("/journeys/mapping", summary="The journey-to-funnel mapping of a pipeline")
def journey_mapping(session: SessionDep, pipeline: PipelineQ = None) -> Doc:
    """Journey stage -> funnel stages, ``declared`` or the ``default`` (by name and order)."""
    return seam.mapping_document(session, pipeline=pipeline)


@router.put(
    "/journeys/mapping", summary="Declare a journey stage's funnel stages", dependencies=[WRITE]
)
def set_journey_mapping(session: SessionDep, data: MappingUpdate) -> Doc:
    """422 naming the journey or funnel stage that does not exist, with the valid ones."""
    return seam.set_mapping_document(
        session,
        journey_stage=data.journey_stage,
        funnel=list(data.funnel_stages),
        pipeline=data.pipeline,
    )


@router.delete("/journeys/mapping", summary="Back to the default mapping", dependencies=[WRITE])
def reset_journey_mapping(session: SessionDep, pipeline: PipelineQ = None) -> Doc:
    """Forget the pipeline's declared rows: its mapping is the default (by name and order)."""
    return seam.reset_mapping_document(session, pipeline=pipeline)
