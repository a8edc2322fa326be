"""Rolling-origin backtest: forecast from what was known at each origin, compare with what
happened next.

At each origin the forecast sees only the changes before its cut (as in production), and
the outcome is read from the full history: the amount at which each deal was won inside
the horizon. A won change that is only a snapshot (the stage seen at an import) has no
booking date and is not counted as booked; a deal created before the cut is one opened
then, or (opening unknown) one whose first change came before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.base import Provenance, hash_settings
from buyermap.analytics.cancel import checkpoint
from buyermap.analytics.pipeline.forecast import ForecastQuery, check_bounds, run_forecast
from buyermap.analytics.pipeline.history import History, cutoff_of
from buyermap.errors import InvalidValueError

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BacktestQuery:
    horizon_days: int = 90
    every_days: int = 91  # about quarterly
    warmup_days: int = 180  # history needed before the first origin
    simulations: int = 2_000
    seed: int = 0
    segment: str | None = "segment"
    bootstrap: int = 10

    def __post_init__(self) -> None:
        check_bounds(self.simulations, self.horizon_days, self.seed)


@dataclass(frozen=True, slots=True)
class Realised:
    open_pipeline: float  # won within the horizon, of the deals open at the cut
    new_deals: float  # won within the horizon, of the deals created after the cut


def realised(history: History, cutoff: datetime, horizon_days: int) -> Realised:
    """What was booked in ``[cutoff, cutoff + horizon)``, split by when the deal was created."""
    frame = history.frame
    stop = cutoff + timedelta(days=horizon_days)
    before = frame.filter(pl.col("changed_at") < cutoff)
    open_ids = (
        before.group_by("deal_id")
        .agg(pl.col("kind").last())
        .filter(pl.col("kind") == "open")["deal_id"]
    )
    created = frame.group_by("deal_id").agg(
        pl.min_horizontal(pl.col("opened_at").first(), pl.col("changed_at").min()).alias("created")
    )
    wins = (
        frame.filter(
            (pl.col("kind") == "won")
            & ~pl.col("is_snapshot")
            & (pl.col("changed_at") >= cutoff)
            & (pl.col("changed_at") < stop)
        )
        .group_by("deal_id")
        .agg(pl.col("amount").first())
        .join(created, on="deal_id")
    )
    from_open = float(wins.filter(pl.col("deal_id").is_in(open_ids.implode()))["amount"].sum())
    from_new = float(wins.filter(pl.col("created") >= cutoff)["amount"].sum())
    return Realised(open_pipeline=from_open, new_deals=from_new)


@dataclass(frozen=True, slots=True)
class Origin:
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
    left_out: dict[str, int] = field(default_factory=dict)  # as in the forecast's evidence

    def to_dict(self) -> dict[str, Any]:
        out = {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}
        out["as_of"] = self.as_of.isoformat()
        out["covered"] = self.p10 <= self.actual <= self.p90
        out["with_new_covered"] = self.with_new_p10 <= self.actual_with_new <= self.with_new_p90
        return out


def _scores(forecast: list[float], actual: list[float]) -> dict[str, float | None]:
    f, a = np.array(forecast), np.array(actual)
    ok = a > 0
    if not ok.any():
        return {"mape": None, "bias": None, "mae": float(np.abs(f - a).mean())}
    rel = (f[ok] - a[ok]) / a[ok]
    return {
        "mape": round(float(np.abs(rel).mean()), 4),
        # total over total: a mean of ratios would be pulled up by the low actuals
        "bias": round(float((f.sum() - a.sum()) / a.sum()), 4),
        "mae": round(float(np.abs(f - a).mean()), 2),
    }


@dataclass(frozen=True, slots=True)
class BacktestResult:
    query: BacktestQuery
    origins: tuple[Origin, ...]
    provenance: Provenance

    def summary(self) -> dict[str, Any]:
        o = self.origins
        actual = [x.actual for x in o]
        actual_new = [x.actual_with_new for x in o]
        return {
            "origins": len(o),
            "model": {
                **_scores([x.expected for x in o], actual),
                "coverage_p10_p90": round(
                    float(np.mean([x.p10 <= x.actual <= x.p90 for x in o])), 4
                ),
            },
            "weighted_pipeline": _scores([x.weighted_pipeline for x in o], actual),
            "with_new_deals": {
                **_scores([x.with_new_expected for x in o], actual_new),
                "coverage_p10_p90": round(
                    float(
                        np.mean([x.with_new_p10 <= x.actual_with_new <= x.with_new_p90 for x in o])
                    ),
                    4,
                ),
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizon_days": self.query.horizon_days,
            "every_days": self.query.every_days,
            "summary": self.summary(),
            "origins": [x.to_dict() for x in self.origins],
            "provenance": self.provenance.to_dict(),
        }


def origins_for(history: History, query: BacktestQuery) -> list[date]:
    first = history.frame["changed_at"].min()
    if not isinstance(first, datetime):
        raise InvalidValueError(f"{history.source}: the history has no stage changes")
    start = (first + timedelta(days=query.warmup_days)).date()
    last = (history.end - timedelta(days=query.horizon_days)).date()
    out: list[date] = []
    day = start
    while day <= last:
        out.append(day)
        day += timedelta(days=query.every_days)
    if not out:
        raise InvalidValueError(
            f"{history.source}: the history spans too little time for a backtest: it needs "
            f"{query.warmup_days} days of warm-up plus a {query.horizon_days}-day horizon"
        )
    return out


def run_backtest(
    history: History, query: BacktestQuery, progress: Progress | None = None
) -> BacktestResult:
    days = origins_for(history, query)
    results: list[Origin] = []
    for i, as_of in enumerate(days):
        checkpoint()
        fq = ForecastQuery(
            as_of=as_of,
            horizon_days=query.horizon_days,
            simulations=query.simulations,
            seed=query.seed + i,
            segment=query.segment,
            bootstrap=query.bootstrap,
            at_risk_limit=0,
        )
        f = run_forecast(history, fq)
        real = realised(history, cutoff_of(as_of), query.horizon_days)
        results.append(
            Origin(
                as_of=as_of,
                open_deals=f.open_deals,
                expected=f.open_pipeline.expected,
                p10=f.open_pipeline.p10,
                p90=f.open_pipeline.p90,
                weighted_pipeline=f.weighted_pipeline,
                actual=real.open_pipeline,
                with_new_expected=f.with_new_deals.expected,
                with_new_p10=f.with_new_deals.p10,
                with_new_p90=f.with_new_deals.p90,
                actual_with_new=real.open_pipeline + real.new_deals,
                left_out=dict(f.evidence["left_out"]),
            )
        )
        if progress is not None:
            progress(i + 1, len(days))
    return BacktestResult(
        query=query,
        origins=tuple(results),
        provenance=Provenance(
            analysis="pipeline.backtest",
            inputs_hash=history.inputs_hash,
            settings_hash=hash_settings(asdict(query)),
        ),
    )
