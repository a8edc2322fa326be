"""``/api/v1/views``: saved views of the list pages (filters, search and sort under a name)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from buyermap.schemas.views import SavedViewCreate, SavedViewPublic, SavedViewUpdate, ViewPage
from buyermap.services import views as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(prefix="/views", tags=["saved views"])


@router.get("", summary="List saved views")
def list_views(
    session: SessionDep,
    page: Annotated[ViewPage | None, Query(description="Only the views of this list.")] = None,
) -> list[SavedViewPublic]:
    """Every saved view of the workspace (or of one list), by list and name."""
    return [SavedViewPublic.model_validate(v) for v in svc.list_views(session, page=page)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Save a view", dependencies=[WRITE])
def create_view(session: SessionDep, data: SavedViewCreate) -> SavedViewPublic:
    """Save a list's filters, search and sort under a name.

    The params are checked against the list's filters and sort keys (422 naming the valid
    ones); 409 when that list has a view of this name already.
    """
    view = svc.save_view(session, page=data.page, name=data.name, params=data.params)
    return SavedViewPublic.model_validate(view)


@router.get("/{view_id}", summary="Get a saved view")
def get_view(session: SessionDep, view_id: PathId) -> SavedViewPublic:
    """One saved view by id (404 when there is none)."""
    return SavedViewPublic.model_validate(svc.get_view(session, view_id=view_id))


@router.patch("/{view_id}", summary="Rename or change a saved view", dependencies=[WRITE])
def update_view(session: SessionDep, view_id: PathId, data: SavedViewUpdate) -> SavedViewPublic:
    """Rename a view and/or replace its params (checked as when saving)."""
    view = svc.update_view(session, view_id=view_id, name=data.name, params=data.params)
    return SavedViewPublic.model_validate(view)


@router.delete(
    "/{view_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved view",
    dependencies=[WRITE],
)
def delete_view(session: SessionDep, view_id: PathId) -> Response:
    """Delete a saved view (404 when there is none)."""
    svc.delete_view(session, view_id=view_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
