"""Pipeline analytics over the workspace: ``/api/v1/pipeline/...`` (JSON, XLSX, PNG).

The JSON bodies are the ``to_dict()`` of the analysis results (the same as the CLI's
``--json``), validated by the response models below. Results are cached per workspace
data hash (see :mod:`buyermap.web.pages.pipeline`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from buyermap.analytics.pipeline import export
from buyermap.analytics.pipeline.stats import StatsResult
from buyermap.charts import forecast as fcharts
from buyermap.charts.render import to_png
from buyermap.web.deps import SessionDep
from buyermap.web.pages.pipeline import (
    CHARTS,
    backtest_for,
    check_by,
    fan_for,
    forecast_for,
    forecast_query,
    stats_for,
    workspace_history,
)

router = APIRouter(prefix="/pipeline", tags=["pipeline"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

AsOf = Annotated[
    date | None,
    Query(description="Use changes up to this day (inclusive); default: the latest change."),
]
Horizon = Annotated[int, Query(ge=1, le=730, description="Days ahead to forecast.")]
Simulations = Annotated[
    int, Query(ge=10, le=100_000, description="Monte Carlo simulations (default 2,000).")
]
Seed = Annotated[int, Query(ge=0, description="Random seed; results are reproducible.")]


class Provenance(BaseModel):
    analysis: str
    inputs_hash: str
    settings_hash: str
    version: str
    created_at: str


class TimeInStage(BaseModel):
    n: int
    left: int
    censored: int
    median_days: float | None
    p90_days: float | None


class StageStats(BaseModel):
    stage: str
    reached: int
    resolved: int
    to_next: int
    conversion_to_next: float | None
    won: int
    win_rate: float | None
    time_in_stage: TimeInStage
    open_now: int


class StaleDeal(BaseModel):
    deal_id: str
    stage: str
    days_in_stage: float | None
    stage_p90_days: float | None
    amount: float | None
    days_in_stage_at_least: bool = Field(
        default=False,
        description="True: in the stage at least since an import (the file gave no move date)",
    )


class Stale(BaseModel):
    count: int
    deals: list[StaleDeal]


class LeftOut(BaseModel):
    """What the analytics leave out because a time is unknown (docs/pipeline.md)."""

    opening_date_unknown: int = Field(description="Deals without an opening date")
    close_date_unknown: int = Field(description="Closed deals without a close date")
    snapshot_stays: int = Field(description="Stays starting or ending at an import")
    open_days_in_stage_unknown: int = Field(description="Open deals in a snapshot stay")


class PipelineStats(BaseModel):
    """Stage analytics (docs/pipeline.md, ``pipeline stats``)."""

    model_config = ConfigDict(extra="allow")
    as_of: date
    source: str
    stage_order: list[str]
    won_stages: list[str]
    lost_stages: list[str]
    stages: list[StageStats]
    cohorts: list[dict[str, Any]]
    losses: list[dict[str, Any]]
    time_to_close: dict[str, TimeInStage]
    velocity: dict[str, Any]
    stale: Stale
    breakdowns: dict[str, list[dict[str, Any]]]
    left_out: LeftOut
    provenance: Provenance


class WithNewDeals(BaseModel):
    expected: float
    p10: float
    p50: float
    p90: float
    new_deals_expected_count: float


class DealForecast(BaseModel):
    deal_id: str
    stage: str
    segment: str
    days_in_stage: float
    amount: float
    p_win: float
    expected: float
    stage_win_rate: float
    stale: bool
    p_win_fresh: float
    days_in_stage_known: bool = Field(
        default=True, description="False: days_in_stage is assumed (a snapshot stay)"
    )


class Fan(BaseModel):
    """Cumulative bookings by day (``days`` after the as-of date): expected, p10, p50, p90."""

    days: list[int]
    open_pipeline: dict[str, list[float]]
    with_new_deals: dict[str, list[float]]
    simulations: int


class PipelineForecast(BaseModel):
    """The bookings forecast (docs/pipeline.md, ``pipeline forecast``) and its fan."""

    as_of: date
    horizon_days: int
    simulations: int
    seed: int
    open_deals: int
    open_amount: float
    expected: float = Field(description="Expected bookings of the open pipeline in the horizon")
    p10: float
    p50: float
    p90: float
    weighted_pipeline: float
    with_new_deals: WithNewDeals
    deals: list[DealForecast]
    at_risk: list[DealForecast]
    evidence: dict[str, Any]
    fan: Fan
    provenance: Provenance


class Origin(BaseModel):
    as_of: date
    open_deals: int
    expected: float
    p10: float
    p90: float
    weighted_pipeline: float
    actual: float
    with_new_expected: float
    with_new_p10: float
    with_new_p90: float
    actual_with_new: float
    covered: bool
    with_new_covered: bool
    left_out: LeftOut | None = None


class PipelineBacktest(BaseModel):
    """Rolling-origin backtest (docs/pipeline.md, ``pipeline backtest``)."""

    horizon_days: int
    every_days: int
    simulations: int
    summary: dict[str, Any]
    origins: list[Origin]
    provenance: Provenance


def _stats(session: SessionDep, as_of: date | None) -> StatsResult:
    return stats_for(workspace_history(session), as_of=as_of)


@router.get("/stats", summary="Pipeline stage analytics")
def get_stats(
    session: SessionDep,
    by: Annotated[
        str | None, Query(description="Only this breakdown column (segment, owner, source)")
    ] = None,
    as_of: AsOf = None,
) -> PipelineStats:
    """Conversion, time in stage (Kaplan-Meier), losses, cohorts, velocity, stale deals and
    breakdowns of the workspace's deals, from the changes up to ``as_of``."""
    result = _stats(session, as_of)
    body = result.to_dict()
    if by:
        check_by(result, by)  # refuses a column the workspace does not have
        body["breakdowns"] = {by: body["breakdowns"][by]}
    return PipelineStats.model_validate(body)


@router.get("/forecast", summary="Bookings forecast")
def get_forecast(
    session: SessionDep,
    as_of: AsOf = None,
    horizon_days: Horizon = 90,
    simulations: Simulations = 2_000,
    seed: Seed = 0,
) -> PipelineForecast:
    """Expected bookings within the horizon with P10/P50/P90, with new deals, the weighted
    pipeline, per-deal chances, deals at risk, and the cumulative fan by week."""
    history = workspace_history(session)
    query = forecast_query(
        history, as_of=as_of, horizon_days=horizon_days, simulations=simulations, seed=seed
    )
    body = forecast_for(history, query).to_dict()
    body["fan"] = fan_for(history, query).to_dict()
    return PipelineForecast.model_validate(body)


@router.get("/backtest", summary="Forecast backtest")
def get_backtest(session: SessionDep, horizon_days: Horizon = 90) -> PipelineBacktest:
    """Forecasts made at origins every 91 days compared with what was booked next: error,
    bias and P10-P90 coverage, model vs weighted pipeline (few simulations; cached)."""
    result = backtest_for(workspace_history(session), horizon_days=horizon_days)
    body = result.to_dict() | {"simulations": result.query.simulations}
    return PipelineBacktest.model_validate(body)


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/stats.xlsx", summary="Pipeline stage analytics as Excel")
def stats_xlsx(session: SessionDep, as_of: AsOf = None) -> Response:
    """One sheet per table: stages, cohorts, losses, stale deals, breakdowns, about."""
    result = _stats(session, as_of)
    return _download(
        export.stats_workbook(result), XLSX, f"pipeline-{result.as_of.isoformat()}.xlsx"
    )


StatsChart = Literal["funnel", "time_in_stage", "losses", "cohorts"]


@router.get("/stats.png", summary="A pipeline chart as PNG")
def stats_png(
    session: SessionDep,
    chart: Annotated[StatsChart, Query(description="Which chart")] = "funnel",
    as_of: AsOf = None,
) -> Response:
    """The stage funnel, time in stage, losses or cohorts chart of ``/pipeline``."""
    result = _stats(session, as_of)
    draw = CHARTS[chart][0]
    return _download(to_png(draw(result)), "image/png", f"pipeline-{chart}.png")


@router.get("/forecast.xlsx", summary="Bookings forecast as Excel")
def forecast_xlsx(
    session: SessionDep, as_of: AsOf = None, horizon_days: Horizon = 90, seed: Seed = 0
) -> Response:
    """Sheets: summary, fan by week, open deals, deals at risk, backtest, about."""
    history = workspace_history(session)
    query = forecast_query(history, as_of=as_of, horizon_days=horizon_days, seed=seed)
    result = forecast_for(history, query)
    data = export.forecast_workbook(
        result,
        fan=fan_for(history, query),
        backtest=backtest_for(history, horizon_days=horizon_days),
    )
    return _download(data, XLSX, f"forecast-{query.as_of.isoformat()}.xlsx")


ForecastChart = Literal["fan", "interval"]


@router.get("/forecast.png", summary="A forecast chart as PNG")
def forecast_png(
    session: SessionDep,
    chart: Annotated[ForecastChart, Query(description="Which chart")] = "fan",
    as_of: AsOf = None,
    horizon_days: Horizon = 90,
    seed: Seed = 0,
) -> Response:
    """The fan chart (cumulative bookings with P10-P90) or the interval summary."""
    history = workspace_history(session)
    query = forecast_query(history, as_of=as_of, horizon_days=horizon_days, seed=seed)
    draws: dict[str, Callable[[], Any]] = {
        "fan": lambda: fcharts.fan(fan_for(history, query)),
        "interval": lambda: fcharts.interval(forecast_for(history, query)),
    }
    return _download(to_png(draws[chart]()), "image/png", f"forecast-{chart}.png")


@router.get("/backtest.png", summary="The backtest chart as PNG")
def backtest_png(session: SessionDep, horizon_days: Horizon = 90) -> Response:
    """Forecast vs actual per origin with the P10-P90 band and the weighted pipeline."""
    result = backtest_for(workspace_history(session), horizon_days=horizon_days)
    return _download(to_png(fcharts.backtest(result)), "image/png", "forecast-backtest.png")
