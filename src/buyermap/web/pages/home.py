"""``/``: the overview of the workspace."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from buyermap.demo import workspace_has_data
from buyermap.services.workspace import workspace_status
from buyermap.web.deps import SessionDep, WorkspaceDep
from buyermap.web.templating import render

router = APIRouter()


@router.get("/", summary="Overview")
def overview(request: Request, session: SessionDep, workspace: WorkspaceDep) -> Response:
    """The workspace at a glance: how many accounts, contacts and deals, and deal outcomes;
    an empty workspace greets the user with what to do first (import, or the demo)."""
    status = workspace_status(session, database=workspace.url)
    return render(
        request, "home.html", {"status": status, "empty": not workspace_has_data(session)}
    )
