"""``POST /demo``: build the demo workspace from the empty workspace's first page.

Synchronous, behind a spinner: at :data:`~buyermap.demo.workspace.WEB_SCALE` (about 200
accounts) the build, its persona discovery and its avatar take a few seconds, so a background job
would add state on the app for no gain; a larger demo is ``buyermap demo --scale``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from buyermap.demo import workspace_has_data
from buyermap.demo.workspace import WEB_SCALE
from buyermap.errors import ConflictError
from buyermap.seams.demo import build_demo_workspace
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter()


@router.post("/demo", summary="Build the demo workspace", dependencies=[WRITE])
def build_demo_page(session: SessionDep) -> Response:
    """Build the seeded demo (as ``buyermap demo`` does, at a small scale) into an empty
    workspace, then show its overview. A workspace that holds records is left alone."""
    if workspace_has_data(session):
        raise ConflictError(
            "this workspace already holds records, so the demo was not built (it would mix "
            "with them); build it into a new workspace with `buyermap --db demo.db demo`"
        )
    build_demo_workspace(session, scale=WEB_SCALE)
    return RedirectResponse("/?demo=built", status_code=303)
