"""The pipeline seam: stage analytics, the bookings forecast with its fan, the backtest.

One loader (:func:`load_history`: the workspace's stage changes with each deal's persona,
or a history file), one set of refusal rules (:data:`REFUSALS`), one cache key (the
workspace's change stamp and the request), one typed document per analysis
(:class:`PipelineStats`, :class:`PipelineForecast`, :class:`PipelineBacktest`) that the
CLI's ``--json``, ``/api/v1/pipeline/...`` and the pages serialise.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, NoReturn, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import deal_personas
from buyermap.analytics.personas.stored import active_run
from buyermap.analytics.pipeline.backtest import (
    BacktestQuery,
    BacktestResult,
    Progress,
    run_backtest,
)
from buyermap.analytics.pipeline.fan import FanResult, run_fan
from buyermap.analytics.pipeline.forecast import ForecastQuery, ForecastResult, run_forecast
from buyermap.analytics.pipeline.history import History, read_history_file
from buyermap.analytics.pipeline.stats import StatsQuery, StatsResult, run_stats
from buyermap.analytics.pipeline.workspace import load_workspace_history
from buyermap.db.base import Base
from buyermap.db.models import (
    Account,
    Avatar,
    AvatarScore,
    CommitteeMember,
    Deal,
    LostReason,
    PersonaAssignment,
    PersonaRun,
    Pipeline,
    Stage,
    StageChange,
    User,
)
from buyermap.errors import InvalidValueError
from buyermap.seams.cache import ResultCache
from buyermap.seams.documents import Doc, Provenance

R = TypeVar("R")
D = TypeVar("D", bound=BaseModel)

# The tables the pipeline analyses read: any write to one of them changes the stamp.
TABLES: tuple[type[Base], ...] = (
    StageChange,
    Deal,
    Account,
    User,
    LostReason,
    Pipeline,
    Stage,
    CommitteeMember,
    PersonaRun,
    PersonaAssignment,
    Avatar,  # the tiers of seams/pipeline_tiers.py
    AvatarScore,
)
STALE_LIMIT = 1_000  # stale deals listed (the page links every one)

REFUSALS = """\
The pipeline analyses refuse, the same way at every edge (CLI, REST, pages):
1. a workspace without stage changes (nothing to analyse);
2. a breakdown by persona when the workspace has no persona run;
3. a breakdown by a column the history does not have (the valid ones are named);
4. a forecast or backtest with too little history (the analytics' own refusal)."""


# -- documents: what every edge serialises ------------------------------------------------


class TimeInStage(Doc):
    n: int
    left: int
    censored: int
    median_days: float | None
    p90_days: float | None


class StageStats(Doc):
    stage: str
    reached: int
    resolved: int
    to_next: int
    conversion_to_next: float | None
    won: int
    win_rate: float | None
    time_in_stage: TimeInStage
    open_now: int


class StaleDeal(Doc):
    deal_id: str
    stage: str
    days_in_stage: float | None
    stage_p90_days: float | None
    amount: float | None
    days_in_stage_at_least: bool = Field(
        default=False,
        description="True: in the stage at least since an import (the file gave no move date)",
    )


class Stale(Doc):
    count: int
    deals: list[StaleDeal]


class LeftOut(Doc):
    """What the analytics leave out because a time is unknown (docs/pipeline.md)."""

    opening_date_unknown: int = Field(description="Deals without an opening date")
    close_date_unknown: int = Field(description="Closed deals without a close date")
    snapshot_stays: int = Field(description="Stays starting or ending at an import")
    open_days_in_stage_unknown: int = Field(description="Open deals in a snapshot stay")
    future_dated: int = Field(
        default=0,
        description="Stage changes dated after the latest one that is not in the future "
        "(a typo such as 2100): left out at the default as-of date",
    )


class PipelineStats(Doc):
    """Stage analytics (docs/pipeline.md, ``pipeline stats``)."""

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


class WithNewDeals(Doc):
    expected: float
    p10: float
    p50: float
    p90: float
    new_deals_expected_count: float


class DealForecast(Doc):
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


class Fan(Doc):
    """Cumulative bookings by day (``days`` after the as-of date): expected, p10, p50, p90."""

    as_of: date
    horizon_days: int
    days: list[int]
    open_pipeline: dict[str, list[float]]
    with_new_deals: dict[str, list[float]]
    simulations: int
    provenance: Provenance


class PipelineForecast(Doc):
    """The bookings forecast (docs/pipeline.md, ``pipeline forecast``) and its fan."""

    as_of: date
    horizon_days: int
    simulations: int
    seed: int
    bootstrap: int
    segment_by: str | None
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


class Origin(Doc):
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


class PipelineBacktest(Doc):
    """Rolling-origin backtest (docs/pipeline.md, ``pipeline backtest``)."""

    horizon_days: int
    every_days: int
    warmup_days: int
    simulations: int
    bootstrap: int
    seed: int
    segment_by: str | None
    summary: dict[str, Any]
    origins: list[Origin]
    provenance: Provenance


# -- requests: each builds its analysis's query -------------------------------------------


class _Request(BaseModel):
    # extra="ignore": as for any query string, other parameters (``chart``) are not ours
    model_config = ConfigDict(extra="ignore", frozen=True)


class StatsRequest(_Request):
    by: str | None = Field(
        default=None,
        description="Only this breakdown column (segment, owner, source; persona with a run)",
    )
    as_of: date | None = Field(
        default=None, description="Use changes up to this day (inclusive); default: the latest"
    )

    def to_query(self) -> StatsQuery:
        return StatsQuery(by=self.by or None, as_of=self.as_of, stale_limit=STALE_LIMIT)


Horizon = Field(default=90, ge=1, le=730, description="Days ahead to forecast")
Seed = Field(default=0, ge=0, le=2**32 - 1, description="Random seed; results are reproducible")
SegmentBy = Field(default="segment", description="Column whose values get their own model")


class ForecastRequest(_Request):
    as_of: date | None = Field(
        default=None,
        description="Forecast from this day (inclusive); default: the latest stage change",
    )
    horizon_days: int = Horizon
    simulations: int = Field(default=10_000, ge=10, le=100_000, description="Monte Carlo runs")
    seed: int = Seed
    segment_by: str | None = SegmentBy
    bootstrap: int = Field(
        default=20, ge=0, le=100, description="Model refits mixed into the interval"
    )

    def to_query(self, history: History) -> ForecastQuery:
        """Default as-of: the day of the latest stage change in the history."""
        return ForecastQuery(
            as_of=self.as_of or history.end.date(),
            horizon_days=self.horizon_days,
            simulations=self.simulations,
            seed=self.seed,
            segment=self.segment_by or None,
            bootstrap=self.bootstrap,
        )


class BacktestRequest(_Request):
    horizon_days: int = Horizon
    every_days: int = Field(default=91, ge=1, le=3_650, description="Days between origins")
    warmup_days: int = Field(
        default=180, ge=1, le=3_650, description="History needed before the first origin"
    )
    simulations: int = Field(default=2_000, ge=10, le=100_000, description="Monte Carlo runs")
    seed: int = Seed
    segment_by: str | None = SegmentBy
    bootstrap: int = Field(default=10, ge=0, le=100, description="Model refits per origin")

    def to_query(self) -> BacktestQuery:
        return BacktestQuery(
            horizon_days=self.horizon_days,
            every_days=self.every_days,
            warmup_days=self.warmup_days,
            simulations=self.simulations,
            seed=self.seed,
            segment=self.segment_by or None,
            bootstrap=self.bootstrap,
        )


# -- loading and refusing -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistorySource:
    """Where the stage history comes from: the workspace (``path`` None) or a file, with
    optional overrides of the stage order and kinds."""

    path: Path | None = None
    stages: tuple[str, ...] = ()
    won_stages: tuple[str, ...] = ()
    lost_stages: tuple[str, ...] = ()


WORKSPACE = HistorySource()


@dataclass(frozen=True, slots=True)
class Analysed(Generic[R, D]):
    """An analysis served by the seam: ``document`` is what every edge serialises;
    ``result`` is the runner's result that charts and workbooks draw from; ``key``
    identifies both (for caching what an edge renders from them)."""

    result: R
    document: D
    history: History
    key: Hashable


@dataclass(frozen=True, slots=True)
class ForecastRun:
    forecast: ForecastResult
    fan: FanResult


class _Loader:
    """One call's view of the workspace: the stamp once, then cached lookups."""

    def __init__(self, session: Session | None, source: HistorySource, cache: ResultCache | None):
        self.session = session
        self.source = source
        self.cache = cache if source.path is None else None  # files are not cached
        self._stamp: Hashable | None = None

    def key(self, *parts: Hashable) -> Hashable:
        if self._stamp is None and self.cache is not None and self.session is not None:
            self._stamp = self.cache.stamp(self.session, TABLES)
        return (self._stamp, self.source, *parts)

    def get(self, key: Hashable, compute: Callable[[], R]) -> R:
        return compute() if self.cache is None else self.cache.get(key, compute)

    def history(self, *, need_persona: bool = False) -> History:
        workspace = self.source.path is None and self.session is not None
        if need_persona and workspace and active_run(self.session) is None:  # type: ignore[arg-type]
            self._no_persona()
        history = self.get(self.key("history"), self._load)
        if need_persona and "persona" not in history.frame.columns:
            self._no_persona()
        return history

    @staticmethod
    def _no_persona() -> NoReturn:
        raise InvalidValueError(
            "the workspace has no persona run, so deals have no persona yet; "
            "discover personas first (buyermap personas discover, or the Personas page)",
            details={"field": "by"},
        )

    def _load(self) -> History:
        kwargs: dict[str, Any] = {
            "stages": self.source.stages,
            "won_stages": self.source.won_stages,
            "lost_stages": self.source.lost_stages,
        }
        if self.source.path is not None:
            return read_history_file(self.source.path, **kwargs)
        session = self.session
        if session is None:
            raise InvalidValueError("no workspace and no history file to analyse")
        if not session.scalar(select(StageChange.id).limit(1)):
            raise InvalidValueError(
                "the workspace has no stage changes yet; import deals with their stage "
                "history or build the demo workspace"
            )
        return load_workspace_history(session, personas=deal_personas(session), **kwargs)


def check_by(result: StatsResult, by: str | None) -> str | None:
    """The breakdown column to show: ``by`` if the result has it (refused otherwise, naming
    the valid ones), else the first one."""
    columns = list(result.sections["breakdowns"])
    if not by:
        return columns[0] if columns else None
    if by == "tier":
        raise InvalidValueError(
            "tiers are a breakdown of their own: buyermap pipeline stats --by tier, "
            "GET /api/v1/pipeline/by-tier, or the 'By avatar tier' section of /pipeline",
            details={"field": "by", "valid": columns},
        )
    if by not in columns:
        raise InvalidValueError(
            f"cannot break down by {by!r}; use one of: {', '.join(columns) or 'none'}",
            details={"field": "by", "valid": columns},
        )
    return by


# -- the analyses -------------------------------------------------------------------------


def pipeline_stats(
    session: Session | None,
    request: StatsRequest,
    *,
    source: HistorySource = WORKSPACE,
    cache: ResultCache | None = None,
) -> Analysed[StatsResult, PipelineStats]:
    """Stage analytics. With ``by``, only that breakdown (refused when the history lacks it)."""
    load = _Loader(session, source, cache)
    history = load.history(need_persona=request.by == "persona")
    # every breakdown is computed once and cached; ``by`` keeps one of them
    full = StatsRequest(as_of=request.as_of)
    result = load.get(load.key("stats", full), lambda: run_stats(history, full.to_query()))
    check_by(result, request.by)
    body = result.to_dict()
    body["left_out"] = {**body["left_out"], "future_dated": history.future_changes}
    if request.by:
        body["breakdowns"] = {request.by: body["breakdowns"][request.by]}
    key = load.key("stats", request)
    document = load.get((key, "doc"), lambda: PipelineStats.model_validate(body))
    return Analysed(result=result, document=document, history=history, key=key)


def pipeline_forecast(
    session: Session | None,
    request: ForecastRequest,
    *,
    source: HistorySource = WORKSPACE,
    cache: ResultCache | None = None,
) -> Analysed[ForecastRun, PipelineForecast]:
    """The bookings forecast and its fan over the horizon (one query for both)."""
    load = _Loader(session, source, cache)
    history = load.history()
    query = request.to_query(history)

    def compute() -> tuple[ForecastRun, PipelineForecast]:
        run = ForecastRun(forecast=run_forecast(history, query), fan=run_fan(history, query))
        run.forecast.evidence["left_out"] = {
            **run.forecast.evidence["left_out"],
            "future_dated": history.future_changes,
        }
        body = run.forecast.to_dict() | {
            "bootstrap": query.bootstrap,
            "segment_by": query.segment,
            "fan": run.fan.to_dict(),
        }
        return run, PipelineForecast.model_validate(body)

    key = load.key("forecast", query)
    run, document = load.get(key, compute)
    return Analysed(result=run, document=document, history=history, key=key)


def pipeline_backtest(
    session: Session | None,
    request: BacktestRequest,
    *,
    source: HistorySource = WORKSPACE,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> Analysed[BacktestResult, PipelineBacktest]:
    """Rolling-origin backtest of the forecast."""
    load = _Loader(session, source, cache)
    history = load.history()
    query = request.to_query()

    def compute() -> tuple[BacktestResult, PipelineBacktest]:
        result = run_backtest(history, query, progress=progress)
        body = result.to_dict() | {
            "warmup_days": query.warmup_days,
            "simulations": query.simulations,
            "bootstrap": query.bootstrap,
            "seed": query.seed,
            "segment_by": query.segment,
        }
        return result, PipelineBacktest.model_validate(body)

    key = load.key("backtest", query)
    result, document = load.get(key, compute)
    return Analysed(result=result, document=document, history=history, key=key)
