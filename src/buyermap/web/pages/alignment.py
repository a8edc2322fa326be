"""The "Journey against funnel" section of ``/journeys`` and its chart's PNG download
(``/journeys/alignment.png``): the matrix as a heatmap and time in stage by persona, the
document ``GET /api/v1/journeys/alignment`` gives."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from buyermap.charts.alignment import alignment_heatmap
from buyermap.charts.render import to_png, to_svg
from buyermap.errors import NotFoundError
from buyermap.seams import alignment as seam
from buyermap.web.deps import SessionDep

router = APIRouter()

PipelineQ = Annotated[str | None, Query(max_length=120)]
TITLE = "Touchpoints by journey stage and funnel stage"


def alignment_context(session: Session, *, pipeline: str | None = None) -> dict[str, Any]:
    """What the section shows: the document, the heatmap (None when nothing is counted)."""
    result, chosen = seam.alignment_result(session, pipeline=pipeline)
    doc = seam.document_of(session, result, chosen)
    chart = to_svg(alignment_heatmap(result), title=TITLE) if result.matched else None
    return {"alignment": doc, "alignment_chart": chart}


@router.get("/journeys/alignment.png", summary="Journey against funnel heatmap")
def alignment_png(session: SessionDep, pipeline: PipelineQ = None) -> Response:
    """The journey x funnel heatmap as a PNG download; 404 saying what to import when no
    touchpoint falls on a deal's stage."""
    result, _ = seam.alignment_result(session, pipeline=pipeline)
    if not result.matched:
        raise NotFoundError(
            "no touchpoint falls on a deal's stage yet: import touchpoints "
            "(buyermap import touchpoints FILE) for contacts on deals"
        )
    return Response(
        to_png(alignment_heatmap(result)),
        media_type="image/png",
        headers={"Content-Disposition": 'attachment; filename="journey-against-funnel.png"'},
    )
