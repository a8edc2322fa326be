"""``/forecast``: the bookings forecast with its interval, the fan over the horizon, deals
at risk, and (loaded after the page, over HTMX) the backtest; rendered from the seam's
documents (:mod:`buyermap.seams.pipeline`), the same ones the API returns."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.charts import forecast as charts
from buyermap.charts import tiers as tier_charts
from buyermap.seams.pipeline import (
    BacktestRequest,
    ForecastRequest,
    pipeline_backtest,
    pipeline_forecast,
)
from buyermap.seams.pipeline_tiers import pipeline_forecast_by_tier
from buyermap.services.links import deal_links
from buyermap.services.relations import workspace_currency
from buyermap.web.analyses import CacheDep
from buyermap.web.deps import SessionDep
from buyermap.web.pages.pipeline import svg_for
from buyermap.web.templating import render, templates

router = APIRouter()

# The backtest fragment runs few simulations so that the page stays fast; the figures
# say so. The forecast itself uses the defaults every edge shares (ForecastRequest).
PAGE_BACKTEST = {"simulations": 500, "bootstrap": 5}

AsOf = Annotated[
    date | None,
    Query(description="Forecast from this day (inclusive); default: the latest stage change."),
]
Horizon = Annotated[int, Query(ge=1, le=730, description="Days ahead to forecast.")]


@router.get("/forecast", summary="Forecast")
def forecast_page(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    as_of: AsOf = None,
    horizon_days: Horizon = 90,
) -> Response:
    """Expected bookings with P10/P50/P90 (open pipeline and with new deals), the weighted
    pipeline beside them, the fan chart over the horizon, the deals at risk, and the
    expected bookings by avatar tier."""
    params = ForecastRequest(as_of=as_of, horizon_days=horizon_days)
    analysed = pipeline_forecast(session, params, cache=cache)
    run, doc = analysed.result, analysed.document
    tiers = pipeline_forecast_by_tier(session, params, cache=cache)
    tier_svg = (
        svg_for(
            cache,
            (tiers.key, "tiers"),
            lambda: tier_charts.bookings(tiers.result.forecasts or [], doc.horizon_days),
            "Expected bookings by avatar tier, with P10-P90",
        )
        if tiers.document.avatar is not None
        else ""
    )
    svgs = {
        "fan": svg_for(
            cache,
            (analysed.key, "fan"),
            lambda: charts.fan(run.fan),
            "Cumulative bookings over the horizon",
        ),
        "interval": svg_for(
            cache,
            (analysed.key, "interval"),
            lambda: charts.interval(run.forecast),
            "P10-P90 and weighted pipeline",
        ),
    }
    at_risk = doc.at_risk
    context = {
        "tiers": tiers.document,
        "tier_svg": tier_svg,
        "result": doc,
        "latest": analysed.history.end.date(),
        "svgs": svgs,
        "at_risk": at_risk,
        "links": deal_links(session, ids=[d.deal_id for d in at_risk]),
        "download_query": f"as_of={doc.as_of.isoformat()}&horizon_days={doc.horizon_days}",
        "left_out": describe_left_out(doc.evidence["left_out"]),
        "currency": workspace_currency(session),
    }
    return render(request, "forecast.html", context)


@router.get("/forecast/backtest", summary="Forecast backtest")
def backtest_fragment(
    request: Request, session: SessionDep, cache: CacheDep, horizon_days: Horizon = 90
) -> Response:
    """The backtest section of /forecast (an HTML fragment; the page loads it over HTMX).

    Rolling origins every 91 days: forecast vs what was booked, with the P10-P90 band and
    the weighted pipeline. Computed with few simulations and cached per workspace data.
    """
    params = BacktestRequest(horizon_days=horizon_days, **PAGE_BACKTEST)
    analysed = pipeline_backtest(session, params, cache=cache)
    svg = svg_for(
        cache,
        (analysed.key, "backtest"),
        lambda: charts.backtest(analysed.result),
        "Backtest: forecast vs actual per origin",
    )
    return templates.TemplateResponse(
        request,
        "_forecast_backtest.html",
        {"bt": analysed.document, "svg": svg, "currency": workspace_currency(session)},
    )
