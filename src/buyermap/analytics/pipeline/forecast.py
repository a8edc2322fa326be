"""Bookings expected within a horizon, with P10/P50/P90, from the deals open at a date.

Model: each open deal waits in its stage and leaves it to another stage, to won or to
lost with daily chances that depend on the stage, on how long it has already waited and
(where there is data) on its segment (:mod:`survival`). The chance of being won within the
horizon follows by recursion; the spread of the total by Monte Carlo (:mod:`montecarlo`),
mixing a few bootstrap refits of the model so that the interval also carries the
uncertainty of what was learned from history. Only changes before the cut are used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from buyermap.analytics.base import Provenance, hash_settings
from buyermap.analytics.cancel import checkpoint
from buyermap.analytics.pipeline.history import History, cutoff_of
from buyermap.analytics.pipeline.montecarlo import simulate_wins
from buyermap.analytics.pipeline.newdeals import forecast_new
from buyermap.analytics.pipeline.paths import Snapshot, left_out, open_ages, snapshot
from buyermap.analytics.pipeline.survival import (
    Hazards,
    WinCurves,
    fit_hazards,
    kaplan_meier,
    win_curves,
)
from buyermap.errors import InvalidValueError

F = npt.NDArray[np.float64]
MIN_CLOSED = 10
MIN_SEGMENT_DEALS = 30  # fewer deals: the segment joins "(other)"
MAX_SEGMENTS = 20
OTHER_SEGMENT = "(other)"


@dataclass(frozen=True, slots=True)
class ForecastQuery:
    as_of: date
    horizon_days: int = 90
    simulations: int = 10_000
    seed: int = 0
    segment: str | None = "segment"
    bootstrap: int = 20  # refits of the model mixed into the interval (0: none)
    new_deals: bool = True
    at_risk_limit: int = 20

    def __post_init__(self) -> None:
        check_bounds(self.simulations, self.horizon_days, self.seed)


MAX_SIMULATION_DAYS = 20_000_000
"""Bound on simulations x horizon days: the work of one forecast."""
MAX_SEED = 2**32 - 1


def check_bounds(simulations: int, horizon_days: int, seed: int) -> None:
    """Refuse a forecast too heavy to answer, or a seed the generator cannot take."""
    if simulations * horizon_days > MAX_SIMULATION_DAYS:
        raise InvalidValueError(
            f"simulations x horizon days is {simulations * horizon_days:,}; at most "
            f"{MAX_SIMULATION_DAYS:,}: use fewer simulations or a shorter horizon",
            details={"field": "simulations", "value": simulations},
        )
    if not 0 <= seed <= MAX_SEED:
        raise InvalidValueError(
            f"seed {seed} is out of range: use 0 to {MAX_SEED}",
            details={"field": "seed", "value": seed},
        )


@dataclass(frozen=True, slots=True)
class Interval:
    expected: float
    p10: float
    p50: float
    p90: float

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class DealForecast:
    deal_id: str
    stage: str
    segment: str
    days_in_stage: float
    amount: float
    p_win: float
    expected: float
    stage_win_rate: float  # the weighted pipeline's rate for the stage
    stale: bool
    p_win_fresh: float  # the chance a deal just entering the stage would have
    # False: the stay began with a snapshot; days_in_stage is then the age assumed
    # (paths.open_ages) and stale is judged on the days since the import
    days_in_stage_known: bool = True

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("days_in_stage", "amount", "expected"):
            out[k] = round(out[k], 2)
        for k in ("p_win", "stage_win_rate", "p_win_fresh"):
            out[k] = round(out[k], 4)
        return out


@dataclass(frozen=True, slots=True)
class ForecastResult:
    query: ForecastQuery
    open_deals: int
    open_amount: float
    open_pipeline: Interval
    weighted_pipeline: float
    with_new_deals: Interval
    new_deals_expected_count: float
    deals: tuple[DealForecast, ...]
    at_risk: tuple[DealForecast, ...]
    evidence: dict[str, Any]
    provenance: Provenance
    totals: F = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.query.as_of.isoformat(),
            "horizon_days": self.query.horizon_days,
            "simulations": self.query.simulations,
            "seed": self.query.seed,
            "open_deals": self.open_deals,
            "open_amount": round(self.open_amount, 2),
            **self.open_pipeline.to_dict(),
            "weighted_pipeline": round(self.weighted_pipeline, 2),
            "with_new_deals": {
                **self.with_new_deals.to_dict(),
                "new_deals_expected_count": round(self.new_deals_expected_count, 2),
            },
            "deals": [d.to_dict() for d in self.deals],
            "at_risk": [d.to_dict() for d in self.at_risk],
            "evidence": self.evidence,
            "provenance": self.provenance.to_dict(),
        }


def _interval(expected: float, totals: F) -> Interval:
    p10, p50, p90 = (float(v) for v in np.percentile(totals, [10, 50, 90]))
    return Interval(expected=expected, p10=p10, p50=p50, p90=p90)


def fit_model(snap: Snapshot, *, horizon: int) -> WinCurves:
    """Hazards from the stays in open stages, then the win-within-horizon curves."""
    return win_curves(fit_hazard_model(snap), horizon)


def fit_hazard_model(snap: Snapshot, *, weights: F | None = None) -> Hazards:
    """Stays whose start or end is a snapshot time are left out: their length is unknown."""
    in_open = (snap.v_stage < snap.won) & snap.v_dated
    w = None if weights is None else weights[snap.v_deal[in_open]]
    return fit_hazards(
        snap.v_stage[in_open],
        snap.segment[snap.v_deal[in_open]],
        snap.v_duration[in_open],
        snap.v_dest[in_open],
        n_stages=snap.n_open_stages,
        n_groups=len(snap.segments),
        weights=w,
    )


def stage_win_rates(snap: Snapshot) -> F:
    """Of the closed deals that were ever in each open stage, the share won."""
    closed = snap.state >= snap.won
    won = snap.state == snap.won
    overall = won.sum() / max(closed.sum(), 1)
    rates = np.full(snap.n_open_stages, float(overall))
    in_open = snap.v_stage < snap.won
    for s in range(snap.n_open_stages):
        deals = np.unique(snap.v_deal[in_open & (snap.v_stage == s)])
        n_closed = closed[deals].sum()
        if n_closed:
            rates[s] = won[deals].sum() / n_closed
    return rates


def stale_limits(snap: Snapshot) -> F:
    """Per open stage, the Kaplan-Meier p90 of days in stage (inf when unknown), from the
    dated stays only."""
    limits = np.full(snap.n_open_stages, np.inf)
    for s in range(snap.n_open_stages):
        sel = (snap.v_stage == s) & snap.v_dated
        km = kaplan_meier(snap.v_duration[sel], snap.v_dest[sel] >= 0)
        q = km.quantile(0.9)
        if q is not None:
            limits[s] = q
    return limits


def check_evidence(snap: Snapshot, source: str, as_of: date) -> None:
    closed = int((snap.state >= snap.won).sum())
    if closed < MIN_CLOSED or not (snap.state == snap.won).any():
        raise InvalidValueError(
            f"{source}: too little history before {as_of.isoformat()}: {closed} closed deals "
            f"({int((snap.state == snap.won).sum())} won); a forecast needs at least "
            f"{MIN_CLOSED} closed deals and one won; pick a later as-of date"
        )


def run_forecast(history: History, query: ForecastQuery) -> ForecastResult:
    if query.horizon_days < 1 or query.simulations < 10:
        raise InvalidValueError(
            f"horizon {query.horizon_days} days / {query.simulations} simulations: "
            "use a horizon of at least 1 day and at least 10 simulations"
        )
    history, snap = prepare(history, query)
    return forecast_snapshot(snap, query, history)


def prepare(history: History, query: ForecastQuery) -> tuple[History, Snapshot]:
    """The history before the as-of cut and its snapshot (small segments merged); refuses
    when there is too little history to fit the model."""
    cutoff = cutoff_of(query.as_of)
    history = history.until(cutoff)
    snap = snapshot(history, cutoff, segment=query.segment)
    check_evidence(snap, history.source, query.as_of)
    return history, merge_small_segments(snap)


def merge_small_segments(snap: Snapshot) -> Snapshot:
    """Segments with few deals (or beyond the largest few) are modelled together as other."""
    counts = np.bincount(snap.segment, minlength=len(snap.segments))
    order = np.argsort(-counts, kind="stable")
    keep = [int(g) for g in order[:MAX_SEGMENTS] if counts[g] >= MIN_SEGMENT_DEALS]
    if len(keep) == len(snap.segments):
        return snap
    names = [snap.segments[g] for g in keep]
    names.append(OTHER_SEGMENT)
    remap = np.full(len(snap.segments), len(keep), dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return replace(snap, segment=remap[snap.segment], segments=tuple(names))


def forecast_snapshot(snap: Snapshot, query: ForecastQuery, history: History) -> ForecastResult:
    rng = np.random.default_rng(query.seed)
    horizon = query.horizon_days
    curves = fit_model(snap, horizon=horizon)
    is_open = snap.open_mask()
    seg, stage = snap.segment[is_open], snap.state[is_open]
    age, age_known = open_ages(snap)
    waited = snap.cutoff - snap.entered[is_open]  # known at least (since the import)
    amount = snap.amount[is_open]
    p = curves.lookup(seg, stage, age)
    expected = float((p * amount).sum())
    totals = _simulate(snap, query, rng, p, amount, seg, stage, age)
    rates = stage_win_rates(snap)
    weighted = float((amount * rates[stage]).sum())
    new = forecast_new(snap, curves, horizon, query.simulations, rng) if query.new_deals else None
    new_totals = new.totals if new is not None else np.zeros_like(totals)
    with_new = _interval(expected + (new.expected if new else 0.0), totals + new_totals)
    limits = stale_limits(snap)
    fresh = curves.at_age[seg, stage, 0]
    ids = np.array(snap.deal_ids, dtype=object)[is_open]
    deals = [
        DealForecast(
            deal_id=str(ids[i]),
            stage=snap.stages[stage[i]],
            segment=snap.segments[seg[i]],
            days_in_stage=float(age[i]),
            amount=float(amount[i]),
            p_win=float(p[i]),
            expected=float(p[i] * amount[i]),
            stage_win_rate=float(rates[stage[i]]),
            stale=bool(waited[i] > limits[stage[i]]),
            p_win_fresh=float(fresh[i]),
            days_in_stage_known=bool(age_known[i]),
        )
        for i in np.argsort(-(p * amount), kind="stable")
    ]
    at_risk = sorted(
        (d for d in deals if d.stale or d.p_win < 0.5 * d.p_win_fresh),
        key=lambda d: -d.amount * (d.p_win_fresh - d.p_win),
    )[: query.at_risk_limit]
    settings = asdict(query) | {"as_of": query.as_of.isoformat()}
    return ForecastResult(
        query=query,
        open_deals=int(is_open.sum()),
        open_amount=float(amount.sum()),
        open_pipeline=_interval(expected, totals),
        weighted_pipeline=weighted,
        with_new_deals=with_new,
        new_deals_expected_count=new.expected_created if new else 0.0,
        deals=tuple(deals),
        at_risk=tuple(at_risk),
        evidence={
            "deals_in_history": len(snap.deal_ids),
            "closed_deals": int((snap.state >= snap.won).sum()),
            "won_deals": int((snap.state == snap.won).sum()),
            "stays_in_open_stages": int((snap.v_stage < snap.won).sum()),
            "segments": list(snap.segments),
            "stages": list(snap.stages),
            "new_deals_weeks_of_history": new.weeks_of_history if new else 0,
            "bootstrap_refits": query.bootstrap,
            "left_out": left_out(snap),
        },
        provenance=Provenance(
            analysis="pipeline.forecast",
            inputs_hash=history.inputs_hash,
            settings_hash=hash_settings(settings),
        ),
        totals=totals + new_totals,
    )


def _simulate(
    snap: Snapshot,
    query: ForecastQuery,
    rng: np.random.Generator,
    p: F,
    amount: F,
    seg: npt.NDArray[np.int64],
    stage: npt.NDArray[np.int64],
    age: F,
) -> F:
    """Simulated totals; with bootstrap, each refit of the model runs its share of them."""
    sims = query.simulations
    if query.bootstrap <= 0 or len(p) == 0:
        return simulate_wins(p, amount, sims, rng)
    out = np.zeros(sims)
    for part, hazards in refits(snap, sims, query.bootstrap, rng):
        curves = win_curves(hazards, query.horizon_days)
        out[part] = simulate_wins(curves.lookup(seg, stage, age), amount, len(part), rng)
    return out


def refits(
    snap: Snapshot, simulations: int, bootstrap: int, rng: np.random.Generator
) -> Iterator[tuple[npt.NDArray[np.intp], Hazards]]:
    """The simulations split among ``bootstrap`` refits of the hazard model, each on fresh
    Bayesian-bootstrap weights of the deals, drawn from ``rng`` when its turn comes."""
    for part in np.array_split(np.arange(simulations), min(bootstrap, simulations)):
        checkpoint()
        weights = rng.exponential(1.0, len(snap.deal_ids))
        yield part, fit_hazard_model(snap, weights=weights)
