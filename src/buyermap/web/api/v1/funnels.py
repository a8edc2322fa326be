"""``POST /api/v1/funnels``: an exact windowed event funnel over an event file on the server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from buyermap.analytics.funnel import FunnelMode, FunnelQuery, parse_window, run_funnel
from buyermap.errors import BuyermapError
from buyermap.schemas.common import Text80, Text200, Text255
from buyermap.settings import server_path
from buyermap.web.deps import SettingsDep

router = APIRouter(tags=["funnels"])


class FunnelRequest(BaseModel):
    """What to count (docs/funnels.md); the file is read on the server."""

    path: Text255 = Field(
        min_length=1,
        description="Event file on the server (.parquet/.pq/.csv/.tsv/.csv.gz), inside "
        "BUYERMAP_FILES_ROOT (relative paths are taken there)",
    )
    steps: list[Text200] = Field(min_length=1, max_length=50, description="Event names, in order")
    window: Text80 = Field(default="14d", description="30m, 12h, 14d, 2w or seconds")
    mode: FunnelMode = FunnelMode.DEFAULT
    exclude: list[Text200] = Field(
        default_factory=list, max_length=50, description="Events that cut chains"
    )
    by: Text200 | None = Field(default=None, description="Break the counts down by this column")
    entity_column: Text200 = "user_id"
    event_column: Text200 = "event"
    time_column: Text200 = "ts"


class FunnelResponse(BaseModel):
    """The ``buyermap funnel --json`` body."""

    steps: list[str]
    counts: list[int]
    conversion_from_start: list[float | None]
    conversion_from_previous: list[float | None]
    n_entities: int
    n_events: int
    window_seconds: int
    mode: str
    exclude: list[str]
    engine: str
    time_to_convert: list[dict[str, Any]]
    trend_period: str
    trend: list[dict[str, Any]]
    warnings: list[str]
    provenance: dict[str, str]
    by_column: str | None = None
    by: dict[str, list[int]] | None = None
    by_conversion: dict[str, float | None] | None = None


@router.post("/funnels", summary="Run an event funnel")
def post_funnel(body: FunnelRequest, settings: SettingsDep) -> FunnelResponse:
    """Entities reaching each step within the window, conversion, time to convert, trend and
    breakdown. Errors (bad window, missing file or column) use the API's error shape."""
    query = FunnelQuery(
        steps=tuple(body.steps),
        window_seconds=parse_window(body.window),
        mode=body.mode,
        exclude=tuple(body.exclude),
        by=body.by or None,
        entity_column=body.entity_column,
        event_column=body.event_column,
        time_column=body.time_column,
    )
    path = server_path(settings, body.path)
    try:
        result = run_funnel(path, query)
    except BuyermapError as exc:
        raise _in_api_terms(exc, path, body.path) from None
    return FunnelResponse.model_validate(result.to_dict())


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
