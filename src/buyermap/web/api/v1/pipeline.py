"""Pipeline analytics over the workspace: ``/api/v1/pipeline/...`` (JSON, XLSX, PNG).

The JSON bodies are the seam's documents (:mod:`buyermap.seams.pipeline`), the same ones
the CLI's ``--json`` prints and the pages render; results are cached on the app per
workspace change stamp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from buyermap.analytics.pipeline import export
from buyermap.charts import forecast as fcharts
from buyermap.charts import pipeline as pcharts
from buyermap.charts.render import to_png
from buyermap.seams.pipeline import (
    BacktestRequest,
    ForecastRequest,
    PipelineBacktest,
    PipelineForecast,
    PipelineStats,
    StatsRequest,
    pipeline_backtest,
    pipeline_forecast,
    pipeline_stats,
)
from buyermap.seams.pipeline_tiers import (
    PipelineByTier,
    pipeline_forecast_by_tier,
    pipeline_stats_by_tier,
)
from buyermap.web.analyses import CacheDep
from buyermap.web.deps import SessionDep

router = APIRouter(prefix="/pipeline", tags=["pipeline"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

StatsParams = Annotated[StatsRequest, Query()]
ForecastParams = Annotated[ForecastRequest, Query()]
BacktestParams = Annotated[BacktestRequest, Query()]


@router.get("/stats", summary="Pipeline stage analytics")
def get_stats(session: SessionDep, cache: CacheDep, params: StatsParams) -> PipelineStats:
    """Conversion, time in stage (Kaplan-Meier), losses, cohorts, velocity, stale deals and
    breakdowns of the workspace's deals, from the changes up to ``as_of``."""
    return pipeline_stats(session, params, cache=cache).document


@router.get("/forecast", summary="Bookings forecast")
def get_forecast(session: SessionDep, cache: CacheDep, params: ForecastParams) -> PipelineForecast:
    """Expected bookings within the horizon with P10/P50/P90, with new deals, the weighted
    pipeline, per-deal chances, deals at risk, and the cumulative fan by week."""
    return pipeline_forecast(session, params, cache=cache).document


@router.get("/backtest", summary="Forecast backtest")
def get_backtest(session: SessionDep, cache: CacheDep, params: BacktestParams) -> PipelineBacktest:
    """Forecasts made at origins every ``every_days`` compared with what was booked next:
    error, bias and P10-P90 coverage, model vs weighted pipeline."""
    return pipeline_backtest(session, params, cache=cache).document


@router.get("/by-tier", summary="Pipeline and forecast by avatar tier")
def get_by_tier(
    session: SessionDep,
    cache: CacheDep,
    params: ForecastParams,
    forecast: Annotated[
        bool, Query(description="false: the outcomes only (win rate, cycle time, open)")
    ] = True,
) -> PipelineByTier:
    """Per avatar tier of the deal's account (the avatar that scored last; "not scored"
    apart): deals, won, lost, win rate with its 95% interval, median days to win, open
    pipeline and, with the forecast, expected bookings within the horizon with P50 and
    P10-P90. The document ``buyermap pipeline forecast --by tier --json`` prints
    (``stats --by tier`` with ``forecast=false``)."""
    if not forecast:
        stats = StatsRequest(as_of=params.as_of)
        return pipeline_stats_by_tier(session, stats, cache=cache).document
    return pipeline_forecast_by_tier(session, params, cache=cache).document


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/stats.xlsx", summary="Pipeline stage analytics as Excel")
def stats_xlsx(session: SessionDep, cache: CacheDep, params: StatsParams) -> Response:
    """One sheet per table: stages, cohorts, losses, stale deals, breakdowns, about."""
    result = pipeline_stats(session, params, cache=cache).result
    return _download(
        export.stats_workbook(result), XLSX, f"pipeline-{result.as_of.isoformat()}.xlsx"
    )


StatsChart = Literal["funnel", "time_in_stage", "losses", "cohorts"]
STATS_CHARTS: dict[str, Callable[[Any], Any]] = {
    "funnel": pcharts.stage_funnel,
    "time_in_stage": pcharts.time_in_stage,
    "losses": pcharts.losses,
    "cohorts": pcharts.cohorts,
}


@router.get("/stats.png", summary="A pipeline chart as PNG")
def stats_png(
    session: SessionDep,
    cache: CacheDep,
    params: StatsParams,
    chart: Annotated[StatsChart, Query(description="Which chart")] = "funnel",
) -> Response:
    """The stage funnel, time in stage, losses or cohorts chart of ``/pipeline``."""
    result = pipeline_stats(session, params, cache=cache).result
    return _download(to_png(STATS_CHARTS[chart](result)), "image/png", f"pipeline-{chart}.png")


@router.get("/forecast.xlsx", summary="Bookings forecast as Excel")
def forecast_xlsx(session: SessionDep, cache: CacheDep, params: ForecastParams) -> Response:
    """Sheets: summary, fan by week, open deals, deals at risk, backtest, about."""
    run = pipeline_forecast(session, params, cache=cache).result
    backtest = pipeline_backtest(
        session, BacktestRequest(horizon_days=params.horizon_days), cache=cache
    ).result
    data = export.forecast_workbook(run.forecast, fan=run.fan, backtest=backtest)
    return _download(data, XLSX, f"forecast-{run.forecast.query.as_of.isoformat()}.xlsx")


ForecastChart = Literal["fan", "interval"]


@router.get("/forecast.png", summary="A forecast chart as PNG")
def forecast_png(
    session: SessionDep,
    cache: CacheDep,
    params: ForecastParams,
    chart: Annotated[ForecastChart, Query(description="Which chart")] = "fan",
) -> Response:
    """The fan chart (cumulative bookings with P10-P90) or the interval summary."""
    run = pipeline_forecast(session, params, cache=cache).result
    figure = fcharts.fan(run.fan) if chart == "fan" else fcharts.interval(run.forecast)
    return _download(to_png(figure), "image/png", f"forecast-{chart}.png")


@router.get("/backtest.png", summary="The backtest chart as PNG")
def backtest_png(session: SessionDep, cache: CacheDep, params: BacktestParams) -> Response:
    """Forecast vs actual per origin with the P10-P90 band and the weighted pipeline."""
    result = pipeline_backtest(session, params, cache=cache).result
    return _download(to_png(fcharts.backtest(result)), "image/png", "forecast-backtest.png")
