"""The funnel seam: one request schema that builds the :class:`FunnelQuery` (CLI, REST and
the page all use it), one runner call, one document (:class:`FunnelDocument`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from buyermap.analytics.funnel import (
    FunnelMode,
    FunnelQuery,
    FunnelResult,
    TrendPeriod,
    parse_window,
    run_funnel,
)
from buyermap.schemas.common import Text80, Text200, Text255


class FunnelRequest(BaseModel):
    """What to count (docs/funnels.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Text255 = Field(
        default="",
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
    trend: TrendPeriod = Field(default=TrendPeriod.WEEK, description="Group entries by")

    def to_query(self) -> FunnelQuery:
        """The one place a :class:`FunnelQuery` is built from what a user gave."""
        return FunnelQuery(
            steps=tuple(s.strip() for s in self.steps),
            window_seconds=parse_window(self.window),
            mode=self.mode,
            exclude=tuple(e.strip() for e in self.exclude if e.strip()),
            by=(self.by or "").strip() or None,
            entity_column=self.entity_column.strip() or "user_id",
            event_column=self.event_column.strip() or "event",
            time_column=self.time_column.strip() or "ts",
            trend=self.trend,
        )


class FunnelDocument(BaseModel):
    """The funnel result as every edge serialises it (``buyermap funnel --json``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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


def funnel(
    path: Path, request: FunnelRequest, *, engine: str = "duckdb"
) -> tuple[FunnelResult, FunnelDocument]:
    """Run the funnel over an event file: the result (charts draw it) and its document."""
    result = run_funnel(path, request.to_query(), engine=engine)
    return result, FunnelDocument.model_validate(result.to_dict())
