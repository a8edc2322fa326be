"""The pipeline and the forecast by avatar tier (docs/pipeline.md, "By avatar tier").

Each deal's tier is the tier of its account under the avatar that scored the workspace
last (:func:`buyermap.services.avatar_tiers.deal_tiers`); deals whose account it has not
scored (or without an account) are "not scored". One document, :class:`PipelineByTier`,
for ``buyermap pipeline stats --by tier`` / ``forecast --by tier``,
``GET /api/v1/pipeline/by-tier`` and the "By avatar tier" sections of ``/pipeline`` and
``/forecast``. Refused (as the pipeline analyses are) for a history file: tiers live in the
workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import Field
from sqlalchemy.orm import Session

from buyermap.analytics.base import Provenance as AnalysisProvenance
from buyermap.analytics.base import hash_settings
from buyermap.analytics.pipeline.groups import (
    GroupForecast,
    GroupOutcome,
    forecast_by_group,
    outcomes_by_group,
)
from buyermap.db.models import Avatar
from buyermap.errors import InvalidValueError
from buyermap.seams.cache import ResultCache
from buyermap.seams.documents import Doc, Provenance
from buyermap.seams.pipeline import (
    WORKSPACE,
    Analysed,
    ForecastRequest,
    HistorySource,
    StatsRequest,
    _Loader,
)
from buyermap.services.avatar_tiers import NOT_SCORED, TIER_ORDER, deal_tiers

TIER = "tier"


class TierAvatar(Doc):
    """The avatar whose tiers split the deals: the one that scored the workspace last."""

    name: str
    version: int


class TierRow(Doc):
    tier: str = Field(description="A, B, C, D (or another tier the avatar gives), 'not scored'")
    deals: int = Field(description="Deals of accounts in the tier (up to the as-of day)")
    open_deals: int
    won: int
    lost: int
    win_rate: float | None = Field(description="won / closed; null without closed deals")
    win_rate_interval: list[float] | None = Field(description="95% Wilson interval")
    median_cycle_days: float | None = Field(
        description="Median days from opening to winning (won deals with both dates)"
    )
    cycle_deals: int = Field(description="The won deals the cycle time rests on")
    open_amount: float = Field(description="Open deals' amounts as they stand")
    expected_bookings: float | None = Field(
        None, description="Forecast: expected bookings of the tier's open deals in the horizon"
    )
    expected_bookings_p50: float | None = None
    expected_bookings_interval: list[float] | None = Field(
        None, description="Forecast: [P10, P90] of the tier's simulated bookings"
    )


class PipelineByTier(Doc):
    """Win rate, cycle time, open pipeline and (forecast) expected bookings per tier."""

    as_of: date
    horizon_days: int | None = Field(description="The forecast's horizon; null for stats")
    avatar: TierAvatar | None = Field(description="Null: no avatar has scored the accounts")
    by_tier: list[TierRow]
    notes: list[str]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class TierRun:
    outcomes: list[GroupOutcome]
    forecasts: list[GroupForecast] | None  # None for stats


NOTES = [
    "A deal's tier is its account's tier now, under the avatar that scored last; the avatar "
    "was learned from these outcomes, so the win rates of closed deals are in-sample.",
]
FORECAST_NOTES = [
    "Expected bookings add up to the forecast's; P10 and P90 are each tier's own and do not "
    "add up. New deals (no account yet) are not split by tier.",
]


def _workspace(session: Session | None, source: HistorySource) -> Session:
    if source.path is not None or session is None:
        raise InvalidValueError(
            "a breakdown by tier needs the workspace: tiers are the avatar scores of its "
            "accounts, and a history file has none (drop --history)",
            details={"field": "by", "value": TIER},
        )
    return session


def _document(
    avatar: Avatar | None,
    run: TierRun,
    *,
    as_of: date,
    horizon_days: int | None,
    inputs_hash: str,
    settings: dict[str, object],
) -> PipelineByTier:
    forecasts = {f.group: f for f in run.forecasts or []}
    rows = []
    for o in run.outcomes:
        row = {k: v for k, v in o.to_dict().items() if k != "group"} | {"tier": o.group}
        f = forecasts.get(o.group)
        if f is not None:
            row |= {
                "expected_bookings": round(f.expected, 2),
                "expected_bookings_p50": round(f.p50, 2),
                "expected_bookings_interval": [round(f.p10, 2), round(f.p90, 2)],
            }
        elif run.forecasts is not None:
            row |= {"expected_bookings": 0.0, "expected_bookings_interval": [0.0, 0.0]}
        rows.append(row)
    analysis = "pipeline.by_tier.forecast" if horizon_days is not None else "pipeline.by_tier"
    return PipelineByTier.model_validate(
        {
            "as_of": as_of,
            "horizon_days": horizon_days,
            "avatar": None if avatar is None else {"name": avatar.name, "version": avatar.version},
            "by_tier": rows,
            "notes": NOTES + (FORECAST_NOTES if horizon_days is not None else []),
            "provenance": AnalysisProvenance(
                analysis=analysis,
                inputs_hash=inputs_hash,
                settings_hash=hash_settings(settings),
            ).to_dict(),
        }
    )


def pipeline_stats_by_tier(
    session: Session | None,
    request: StatsRequest,
    *,
    source: HistorySource = WORKSPACE,
    cache: ResultCache | None = None,
) -> Analysed[TierRun, PipelineByTier]:
    """Win rate with its interval, cycle time and open pipeline per avatar tier."""
    session = _workspace(session, source)
    load = _Loader(session, source, cache)
    history = load.history()
    key = load.key("tiers", request.as_of)

    def compute() -> tuple[TierRun, PipelineByTier]:
        avatar, tiers = deal_tiers(session)
        as_of, outcomes = outcomes_by_group(
            history,
            as_of=request.as_of,
            group_of={str(k): v for k, v in tiers.items()},
            order=TIER_ORDER,
            missing=NOT_SCORED,
        )
        run = TierRun(outcomes=outcomes, forecasts=None)
        doc = _document(
            avatar,
            run,
            as_of=as_of,
            horizon_days=None,
            inputs_hash=_hash(history.inputs_hash, tiers),
            settings={"as_of": as_of.isoformat()},
        )
        return run, doc

    run, document = load.get(key, compute)
    return Analysed(result=run, document=document, history=history, key=key)


def pipeline_forecast_by_tier(
    session: Session | None,
    request: ForecastRequest,
    *,
    source: HistorySource = WORKSPACE,
    cache: ResultCache | None = None,
) -> Analysed[TierRun, PipelineByTier]:
    """The outcomes per tier at the forecast's as-of day, and each tier's expected bookings
    within the horizon with P50 and P10-P90 (the forecast's model and settings)."""
    session = _workspace(session, source)
    load = _Loader(session, source, cache)
    history = load.history()
    query = request.to_query(history)
    key = load.key("tiers-forecast", query)

    def compute() -> tuple[TierRun, PipelineByTier]:
        avatar, tiers = deal_tiers(session)
        group_of = {str(k): v for k, v in tiers.items()}
        forecasts = forecast_by_group(
            history, query, group_of=group_of, order=TIER_ORDER, missing=NOT_SCORED
        )
        _, outcomes = outcomes_by_group(
            history, as_of=query.as_of, group_of=group_of, order=TIER_ORDER, missing=NOT_SCORED
        )
        run = TierRun(outcomes=outcomes, forecasts=forecasts)
        doc = _document(
            avatar,
            run,
            as_of=query.as_of,
            horizon_days=query.horizon_days,
            inputs_hash=_hash(history.inputs_hash, tiers),
            settings={
                "as_of": query.as_of.isoformat(),
                "horizon_days": query.horizon_days,
                "simulations": query.simulations,
                "seed": query.seed,
                "bootstrap": query.bootstrap,
                "segment": query.segment,
            },
        )
        return run, doc

    run, document = load.get(key, compute)
    return Analysed(result=run, document=document, history=history, key=key)


def _hash(history_hash: str, tiers: dict[int, str]) -> str:
    return hash_settings({"history": history_hash, "tiers": sorted(tiers.items())})
