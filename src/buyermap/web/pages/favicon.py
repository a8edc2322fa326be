"""``/favicon.ico``: the workbench's icon (an SVG; ``base.html`` links it too)."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response

from buyermap.web.templating import STATIC_DIR

router = APIRouter()

FAVICON = STATIC_DIR / "favicon.svg"


@lru_cache(maxsize=1)
def _icon() -> bytes:
    return FAVICON.read_bytes()


@router.get("/favicon.ico", summary="Favicon")
def favicon() -> Response:
    """The icon browsers ask for at ``/favicon.ico`` (the static SVG, cached for a day)."""
    return Response(_icon(), media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})
