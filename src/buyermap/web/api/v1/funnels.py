"""``POST /api/v1/funnels``: an exact windowed event funnel over an event file on the server.

Request and response are the funnel seam's (:mod:`buyermap.seams.funnels`): the body
builds the query, the response is the ``buyermap funnel --json`` document.
"""

from __future__ import annotations

from fastapi import APIRouter

from buyermap.seams.funnels import FunnelDocument, FunnelRequest, funnel
from buyermap.settings import server_path
from buyermap.web.deps import COMPUTES_ONLY, SettingsDep

router = APIRouter(tags=["funnels"])


@router.post("/funnels", summary="Run an event funnel", dependencies=[COMPUTES_ONLY])
def post_funnel(body: FunnelRequest, settings: SettingsDep) -> FunnelDocument:
    """Entities reaching each step within the window, conversion, time to convert, trend and
    breakdown. Errors (bad window, missing file or column) use the API's error shape."""
    return funnel(server_path(settings, body.path), body)[1]
