"""``/api/v1/deals``: deals, their stage history and their timeline."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from buyermap.db.types import utcnow
from buyermap.schemas.common import Page
from buyermap.schemas.entities import DealCreate, DealPublic, DealUpdate, StageVisitPublic
from buyermap.services import deals as svc
from buyermap.web.api.v1.params import DealFilterDep, ListQueryDep, PathId, page_of
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(prefix="/deals", tags=["deals"])


@router.get("", summary="List deals")
def list_deals(
    session: SessionDep, query: ListQueryDep, filters: DealFilterDep
) -> Page[DealPublic]:
    """Search (name, source), sort and page through deals; newest first by default.

    Sort by name, amount, opened_at, expected_close, status or id.
    Filter by pipeline, stage, owner, status, amount range, opened and closed date
    ranges; search also finds a stage name or an owner's name.

    A page past the last one answers 200 with no items and the total (ask for page
    ceil(total / page_size) for the last one).
    """
    listed = svc.list_deals(session, query=query, filters=filters)
    return page_of(listed, DealPublic.model_validate)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a deal", dependencies=[WRITE])
def create_deal(session: SessionDep, data: DealCreate) -> DealPublic:
    """Create a deal in its first (or the given) stage; that entry is its first stage change."""
    return DealPublic.model_validate(svc.create_deal(session, data=data))


@router.get("/{deal_id}", summary="Get a deal", responses=VERSIONED)
def get_deal(session: SessionDep, deal_id: PathId, response: Response) -> DealPublic:
    """One deal by id with its current stage and status (404 when there is none); its
    version in the ``ETag`` header."""
    deal = svc.get_deal(session, deal_id=deal_id)
    set_etag(response, deal.version)
    return DealPublic.model_validate(deal)


@router.patch(
    "/{deal_id}",
    summary="Update a deal",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
)
def update_deal(
    session: SessionDep, deal_id: PathId, data: DealUpdate, version: IfMatchDep, response: Response
) -> DealPublic:
    """Change the fields given in the body. Stages change through stage changes only.

    Send the version you read (``If-Match`` or ``version``) to have a stale save refused
    (409); the new version comes back in the ``ETag`` header."""
    deal = svc.update_deal(session, deal_id=deal_id, data=with_version(data, version))
    set_etag(response, deal.version)
    return DealPublic.model_validate(deal)


@router.delete(
    "/{deal_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a deal",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def delete_deal(session: SessionDep, deal_id: PathId, version: IfMatchDep) -> Response:
    """Delete a deal with its stage history, its own notes and committee; notes also about an
    account or contact stay. With ``If-Match``, a stale version is refused (409)."""
    svc.delete_deal(session, deal_id=deal_id, expected_version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{deal_id}/timeline", summary="Stage timeline of a deal")
def get_timeline(session: SessionDep, deal_id: PathId) -> list[StageVisitPublic]:
    """Each stay of the deal in a stage: entered, left (null while still there), days spent.

    Days of the current (or final) stage count up to now.
    """
    now = utcnow()
    return [
        StageVisitPublic.from_visit(v, now) for v in svc.deal_timeline(session, deal_id=deal_id)
    ]
