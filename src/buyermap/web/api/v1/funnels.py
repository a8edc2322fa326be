"""``POST /api/v1/funnels``: an exact windowed event funnel over an event file on the server.

Request and response are the funnel seam's (:mod:`buyermap.seams.funnels`): the body
builds the query, the response is the ``buyermap funnel --json`` document.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter

from buyermap.errors import BuyermapError
from buyermap.seams.funnels import FunnelDocument, FunnelRequest, funnel
from buyermap.settings import server_path
from buyermap.web.deps import COMPUTES_ONLY, SettingsDep

router = APIRouter(tags=["funnels"])


@router.post("/funnels", summary="Run an event funnel", dependencies=[COMPUTES_ONLY])
def post_funnel(body: FunnelRequest, settings: SettingsDep) -> FunnelDocument:
    """Entities reaching each step within the window, conversion, time to convert, trend and
    breakdown. Errors (bad window, missing file or column) use the API's error shape."""
    path = server_path(settings, body.path)
    try:
        return funnel(path, body)[1]
    except BuyermapError as exc:
        raise _in_api_terms(exc, path, body.path) from None


# The analysis speaks the CLI's language; the API names its own fields and the path it got.
_FLAGS = {
    "--entity-column": "entity_column",
    "--event-column": "event_column",
    "--time-column": "time_column",
    "--steps": "steps",
    "--by": "by",
    "--window": "window",
}


def _in_api_terms(exc: BuyermapError, path: Path, given: str) -> BuyermapError:
    """The error with the client's path instead of the server's, and fields, not flags."""

    def clean(text: str) -> str:
        text = text.replace(str(path), given)
        for flag, field in _FLAGS.items():
            text = re.sub(re.escape(flag) + r"\b", field, text)
        return text

    exc.message = clean(exc.message)
    exc.args = (exc.message,)
    exc.details = {k: clean(v) if isinstance(v, str) else v for k, v in exc.details.items()}
    return exc
