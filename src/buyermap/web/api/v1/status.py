"""``/api/v1/status``: what the workspace holds."""

from __future__ import annotations

from fastapi import APIRouter

from buyermap.schemas.entities import WorkspaceStatus
from buyermap.services.workspace import workspace_status
from buyermap.web.deps import SessionDep, WorkspaceDep

router = APIRouter(tags=["status"])


@router.get("/status", summary="Workspace status")
def get_status(session: SessionDep, workspace: WorkspaceDep) -> WorkspaceStatus:
    """Counts of the records in the workspace, and which database it is (password hidden)."""
    return workspace_status(session, database=workspace.url)
