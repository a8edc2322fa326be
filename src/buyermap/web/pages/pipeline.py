"""``/pipeline``: stage analytics of the workspace; plus the cached analyses that the
pipeline and forecast pages and the pipeline API share.

Results are cached in memory per workspace data hash (``History.inputs_hash``, a digest of
the stage-change rows) and query, so a page reload or a download after a page view does
not compute again, and any change to the data gives a new key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import deal_personas
from buyermap.analytics.personas.stored import active_run
from buyermap.analytics.pipeline.backtest import BacktestQuery, BacktestResult, run_backtest
from buyermap.analytics.pipeline.fan import FanResult, run_fan
from buyermap.analytics.pipeline.forecast import ForecastQuery, ForecastResult, run_forecast
from buyermap.analytics.pipeline.history import History
from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.analytics.pipeline.stats import StatsQuery, StatsResult, run_stats
from buyermap.analytics.pipeline.workspace import load_workspace_history
from buyermap.charts import pipeline as charts
from buyermap.charts.render import to_svg
from buyermap.db.models import Deal, StageChange
from buyermap.errors import InvalidValueError
from buyermap.web.deps import SessionDep
from buyermap.web.templating import render

router = APIRouter()
T = TypeVar("T")
CACHE_SIZE = 48
STALE_LIMIT = 1_000  # the page lists every stale deal (up to this many)
PAGE_SIMULATIONS = 2_000
PAGE_BOOTSTRAP = 10
BACKTEST = BacktestQuery(simulations=500, bootstrap=5)  # few simulations: the page stays fast


class _Cache:
    """A small thread-safe LRU of computed results (and rendered charts)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                found: T = self._data[key]
                return found
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


CACHE = _Cache(CACHE_SIZE)


def workspace_history(session: Session) -> History:
    """The workspace's stage history, with each deal's persona when there is a persona run
    (:func:`~buyermap.analytics.personas.members.deal_personas`); refuses (422) a workspace
    without stage changes."""
    if not session.scalar(select(StageChange.id).limit(1)):
        raise InvalidValueError(
            "the workspace has no stage changes yet; import deals with their stage history "
            "(buyermap import) or build the demo (buyermap demo)"
        )
    return load_workspace_history(session, personas=deal_personas(session))


def stats_for(history: History, *, as_of: date | None = None) -> StatsResult:
    query = StatsQuery(as_of=as_of, stale_limit=STALE_LIMIT)
    return CACHE.get(("stats", history.inputs_hash, query), lambda: run_stats(history, query))


def forecast_query(
    history: History,
    *,
    as_of: date | None = None,
    horizon_days: int = 90,
    simulations: int = PAGE_SIMULATIONS,
    seed: int = 0,
) -> ForecastQuery:
    """Default as-of: the day of the latest stage change in the workspace."""
    return ForecastQuery(
        as_of=as_of or history.end.date(),
        horizon_days=horizon_days,
        simulations=simulations,
        seed=seed,
        bootstrap=PAGE_BOOTSTRAP,
    )


def forecast_for(history: History, query: ForecastQuery) -> ForecastResult:
    return CACHE.get(("forecast", history.inputs_hash, query), lambda: run_forecast(history, query))


def fan_for(history: History, query: ForecastQuery) -> FanResult:
    return CACHE.get(("fan", history.inputs_hash, query), lambda: run_fan(history, query))


def backtest_for(history: History, *, horizon_days: int = 90) -> BacktestResult:
    query = replace(BACKTEST, horizon_days=horizon_days)
    return CACHE.get(("backtest", history.inputs_hash, query), lambda: run_backtest(history, query))


def svg_for(key: tuple[Any, ...], draw: Callable[[], Any], title: str) -> str:
    """A chart rendered to inline SVG once per result (``key`` names result and chart)."""
    return CACHE.get(("svg", *key), lambda: to_svg(draw(), title=title))


@dataclass(frozen=True, slots=True)
class DealLink:
    id: int | None
    name: str


def deal_links(session: Session, ids: list[str]) -> dict[str, DealLink]:
    """Deal names for workspace deal ids (as the history carries them: text)."""
    numeric = [int(i) for i in ids if i.isdigit()]
    names: dict[int, str] = {}
    for start in range(0, len(numeric), 500):
        chunk = numeric[start : start + 500]
        names |= dict(session.execute(select(Deal.id, Deal.name).where(Deal.id.in_(chunk))).all())
    return {
        i: DealLink(int(i), names[int(i)]) if i.isdigit() and int(i) in names else DealLink(None, i)
        for i in ids
    }


CHARTS: dict[str, tuple[Callable[[StatsResult], Any], str]] = {
    "funnel": (charts.stage_funnel, "Stage funnel: deals that reached each stage"),
    "time_in_stage": (charts.time_in_stage, "Median and p90 days in each stage"),
    "losses": (charts.losses, "Deals lost after each stage, by lost reason"),
    "cohorts": (charts.cohorts, "Deals by creation month: won, lost, open"),
}


def chart_svg(result: StatsResult, key: tuple[Any, ...], name: str) -> str:
    draw, title = CHARTS[name]
    return svg_for((*key, name), lambda: draw(result), title)


def breakdown_columns(result: StatsResult) -> list[str]:
    return list(result.sections["breakdowns"])


def check_by(result: StatsResult, by: str | None) -> str | None:
    columns = breakdown_columns(result)
    if not by:
        return columns[0] if columns else None
    if by not in columns:
        raise InvalidValueError(
            f"cannot break down by {by!r}; use one of: {', '.join(columns) or 'none'}",
            details={"field": "by", "valid": columns},
        )
    return by


@router.get("/pipeline", summary="Pipeline")
def pipeline_page(
    request: Request,
    session: SessionDep,
    by: Annotated[
        str | None,
        Query(description="Breakdown column: segment, owner, source, persona (with a run)"),
    ] = None,
) -> Response:
    """Stage funnel, conversion, time in stage, losses, cohorts, stale deals and breakdowns.

    The breakdown selector swaps the ``breakdown`` block over HTMX; it offers persona when
    the workspace has a persona run (a deal's persona is its lead buyer's).
    """
    history = workspace_history(session)
    result = stats_for(history)
    column = check_by(result, by)
    sections = result.sections
    stale = sections["stale"]["deals"]
    key = (history.inputs_hash, result.query)
    svgs = {name: chart_svg(result, key, name) for name in CHARTS}
    context = {
        "result": result,
        "s": sections,
        "svgs": svgs,
        "stale": stale,
        "links": deal_links(session, [d["deal_id"] for d in stale]),
        "by": column,
        "columns": breakdown_columns(result),
        "breakdown": sections["breakdowns"].get(column, []) if column else [],
        "persona_run": run.run_key if (run := active_run(session)) else None,
        "stages": [row["stage"] for row in sections["stages"]],
        "left_out": describe_left_out(sections["left_out"]),
    }
    return render(request, "pipeline.html", context, block="breakdown")
