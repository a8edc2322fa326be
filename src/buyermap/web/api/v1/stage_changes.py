"""Stage changes: ``/api/v1/deals/{id}/stage-changes`` and ``/api/v1/stage-changes/{id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from buyermap.db.models import StageChange
from buyermap.schemas.common import Id, Page, Text120, Text200, UtcDateTime
from buyermap.schemas.entities import (
    Money,
    StageChangeCreate,
    StageChangePublic,
    StageChangeUpdate,
)
from buyermap.services import deals as svc
from buyermap.services.listing import MAX_PAGE_SIZE
from buyermap.web.api.v1.params import PageNumber, PathId
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["stage changes"])


class StageMove(BaseModel):
    """Body of ``POST /deals/{id}/stage-changes``: a StageChangeCreate without ``deal_id``."""

    to_stage: Text120 = Field(description="Name of the stage the deal moves into")
    changed_at: UtcDateTime | None = Field(default=None, description="When; now when omitted")
    changed_by_id: Id | None = None
    amount: Money | None = Field(default=None, description="The deal's amount from this move on")
    lost_reason: Text200 | None = Field(default=None, description="Only for a lost stage")

    def for_deal(self, deal_id: int) -> StageChangeCreate:
        return StageChangeCreate(deal_id=deal_id, **self.model_dump(exclude_unset=True))


def change_public(change: StageChange) -> StageChangePublic:
    return StageChangePublic(
        id=change.id,
        deal_id=change.deal_id,
        from_stage=change.from_stage.name if change.from_stage is not None else None,
        to_stage=change.to_stage.name,
        changed_at=change.changed_at,
        changed_by_id=change.changed_by_id,
        amount=change.amount,
        is_snapshot=change.is_snapshot,
    )


@router.get("/deals/{deal_id}/stage-changes", summary="List a deal's stage changes")
def list_changes(
    session: SessionDep,
    deal_id: PathId,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")] = 100,
) -> Page[StageChangePublic]:
    """The deal's moves in time order (oldest first), paged."""
    changes = svc.stage_changes(session, deal_id=deal_id)
    start = (page - 1) * page_size
    return Page[StageChangePublic](
        items=[change_public(c) for c in changes[start : start + page_size]],
        total=len(changes),
        page=page,
        page_size=page_size,
    )


@router.post(
    "/deals/{deal_id}/stage-changes",
    status_code=status.HTTP_201_CREATED,
    summary="Move a deal into a stage",
    dependencies=[WRITE],
)
def move_deal(session: SessionDep, deal_id: PathId, data: StageMove) -> StageChangePublic:
    """Record a move of the deal into a stage (now by default).

    Moves cannot go back in time; the deal's stage, status and close date follow its latest
    move. A ``lost_reason`` is only accepted for a lost stage.
    """
    return change_public(svc.move_deal(session, data=data.for_deal(deal_id)))


@router.get("/stage-changes/{change_id}", summary="Get a stage change")
def get_change(session: SessionDep, change_id: PathId) -> StageChangePublic:
    """One stage change by id (404 when there is none)."""
    return change_public(svc.get_stage_change(session, change_id=change_id))


@router.patch("/stage-changes/{change_id}", summary="Update a stage change", dependencies=[WRITE])
def update_change(
    session: SessionDep, change_id: PathId, data: StageChangeUpdate
) -> StageChangePublic:
    """Correct when a move happened, its amount or who made it; the deal's state follows."""
    return change_public(svc.update_stage_change(session, change_id=change_id, data=data))


@router.delete(
    "/stage-changes/{change_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a stage change",
    dependencies=[WRITE],
)
def delete_change(session: SessionDep, change_id: PathId) -> Response:
    """Remove a move from the history; the deal's stage and status are derived again."""
    svc.delete_stage_change(session, change_id=change_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
