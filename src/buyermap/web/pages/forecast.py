"""``/forecast``: the bookings forecast with its interval, the fan over the horizon, deals
at risk, and (loaded after the page, over HTMX) the backtest."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.charts import forecast as charts
from buyermap.web.deps import SessionDep
from buyermap.web.pages.pipeline import (
    backtest_for,
    deal_links,
    fan_for,
    forecast_for,
    forecast_query,
    svg_for,
    workspace_history,
)
from buyermap.web.templating import render, templates

router = APIRouter()

AsOf = Annotated[
    date | None,
    Query(description="Forecast from this day (inclusive); default: the latest stage change."),
]
Horizon = Annotated[int, Query(ge=1, le=730, description="Days ahead to forecast.")]


@router.get("/forecast", summary="Forecast")
def forecast_page(
    request: Request, session: SessionDep, as_of: AsOf = None, horizon_days: Horizon = 90
) -> Response:
    """Expected bookings with P10/P50/P90 (open pipeline and with new deals), the weighted
    pipeline beside them, the fan chart over the horizon and the deals at risk."""
    history = workspace_history(session)
    latest = history.end.date()
    query = forecast_query(history, as_of=as_of, horizon_days=horizon_days)
    result = forecast_for(history, query)
    fan = fan_for(history, query)
    key = (history.inputs_hash, query)
    svgs = {
        "fan": svg_for(
            (*key, "fan"), lambda: charts.fan(fan), "Cumulative bookings over the horizon"
        ),
        "interval": svg_for(
            (*key, "interval"), lambda: charts.interval(result), "P10-P90 and weighted pipeline"
        ),
    }
    at_risk = list(result.at_risk)
    context = {
        "result": result,
        "query": query,
        "latest": latest,
        "fan": fan,
        "svgs": svgs,
        "at_risk": at_risk,
        "links": deal_links(session, [d.deal_id for d in at_risk]),
        "download_query": f"as_of={query.as_of.isoformat()}&horizon_days={query.horizon_days}",
        "left_out": describe_left_out(result.evidence["left_out"]),
    }
    return render(request, "forecast.html", context)


@router.get("/forecast/backtest", summary="Forecast backtest")
def backtest_fragment(
    request: Request, session: SessionDep, horizon_days: Horizon = 90
) -> Response:
    """The backtest section of /forecast (an HTML fragment; the page loads it over HTMX).

    Rolling origins every 91 days: forecast vs what was booked, with the P10-P90 band and
    the weighted pipeline. Computed with few simulations and cached per workspace data.
    """
    history = workspace_history(session)
    result = backtest_for(history, horizon_days=horizon_days)
    svg = svg_for(
        (history.inputs_hash, result.query, "backtest"),
        lambda: charts.backtest(result),
        "Backtest: forecast vs actual per origin",
    )
    return templates.TemplateResponse(
        request,
        "_forecast_backtest.html",
        {"bt": result, "summary": result.summary(), "svg": svg},
    )
