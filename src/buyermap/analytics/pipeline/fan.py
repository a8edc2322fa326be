"""The forecast over time: cumulative bookings by day within the horizon, with bands.

:func:`run_fan` answers "how much will be booked by day t" for t = each week-end of the
horizon (and its last day), from the same model as :mod:`forecast`: for each open deal
the chance to be won within t days follows the same backward recursion, and the spread by
Monte Carlo. One uniform draw per deal and simulation decides *when* (if at all) the deal
is won (inverse CDF of its win time), so the simulated paths are cumulative and consistent
across t. New deals use the creation model of :mod:`newdeals`. At the last day the
expected values equal the forecast's exactly; the bands agree up to simulation noise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from buyermap.analytics.base import Provenance, hash_settings
from buyermap.analytics.pipeline.forecast import (
    ForecastQuery,
    fit_hazard_model,
    prepare,
    refits,
)
from buyermap.analytics.pipeline.history import History
from buyermap.analytics.pipeline.newdeals import creations
from buyermap.analytics.pipeline.paths import Snapshot, open_ages
from buyermap.analytics.pipeline.survival import win_recursion
from buyermap.errors import InvalidValueError

F = npt.NDArray[np.float64]
MAX_FAN_SIMULATIONS = 4_000
DEAL_BLOCK = 256


@dataclass(frozen=True, slots=True)
class Band:
    """Cumulative bookings by each day of :attr:`FanResult.days`."""

    expected: tuple[float, ...]
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]

    def to_dict(self) -> dict[str, list[float]]:
        return {k: [round(x, 2) for x in v] for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class FanResult:
    as_of: date
    horizon_days: int
    days: tuple[int, ...]  # days after the as-of date (7, 14, ..., horizon)
    open_pipeline: Band
    with_new_deals: Band
    simulations: int
    provenance: Provenance

    def to_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "days": list(self.days),
            "open_pipeline": self.open_pipeline.to_dict(),
            "with_new_deals": self.with_new_deals.to_dict(),
            "simulations": self.simulations,
            "provenance": self.provenance.to_dict(),
        }


def checkpoints(horizon: int, step: int = 7) -> tuple[int, ...]:
    days = list(range(step, horizon, step))
    return (*days, horizon)


def _open_paths(
    probs: F, amount: F, sims: int, rng: np.random.Generator
) -> F:  # probs[deal, j] increasing in j
    """Simulated cumulative totals ``[sim, j]``: a deal is won by day j when u < probs[., j]."""
    out = np.zeros((sims, probs.shape[1]))
    for i in range(0, len(amount), DEAL_BLOCK):
        u = rng.random((min(DEAL_BLOCK, len(amount) - i), sims))
        p, a = probs[i : i + DEAL_BLOCK], amount[i : i + DEAL_BLOCK]
        for j in range(probs.shape[1]):
            out[:, j] += a @ (u < p[:, j : j + 1])
    return out


def _new_paths(
    snap: Snapshot, fresh: F, days: tuple[int, ...], sims: int, rng: np.random.Generator
) -> tuple[F, F]:
    """Expected and simulated cumulative bookings of deals created within the horizon."""
    horizon = days[-1]
    c = creations(snap, fresh, horizon)
    expected = np.array([c.expected_by(t) for t in days])
    sim_of, c_day, member, u = c.draw(sims, rng)
    paths = np.zeros((sims, len(days)))
    for j, t in enumerate(days):
        alive = c_day < t
        won = alive & (u < c.win_t[member, np.clip(t - 1 - c_day, 0, horizon)])
        paths[:, j] = np.bincount(sim_of[won], weights=c.amount[member[won]], minlength=sims)
    return expected, paths


def _band(expected: F, paths: F) -> Band:
    q = np.percentile(paths, [10, 50, 90], axis=0)
    return Band(
        expected=tuple(float(x) for x in expected),
        p10=tuple(float(x) for x in q[0]),
        p50=tuple(float(x) for x in q[1]),
        p90=tuple(float(x) for x in q[2]),
    )


def run_fan(history: History, query: ForecastQuery, *, step_days: int = 7) -> FanResult:
    """Cumulative bookings by week within the horizon (open pipeline, and with new deals)."""
    if query.horizon_days < 1 or query.simulations < 10 or step_days < 1:
        raise InvalidValueError(
            f"horizon {query.horizon_days} days / {query.simulations} simulations / step "
            f"{step_days} days: use a horizon and step of at least 1 day, 10 simulations"
        )
    history, snap = prepare(history, query)
    rng = np.random.default_rng([query.seed, 7])
    horizon = query.horizon_days
    days = checkpoints(horizon, step_days)
    sims = min(query.simulations, MAX_FAN_SIMULATIONS)
    is_open = snap.open_mask()
    seg, stage = snap.segment[is_open], snap.state[is_open]
    age = np.clip(np.floor(open_ages(snap)[0]).astype(np.int64), 0, None)
    amount = snap.amount[is_open]

    def probs(at_age: F) -> F:
        a = np.minimum(age, at_age.shape[3] - 1)
        out: F = at_age[:, seg, stage, a].T  # deal, j
        return out

    at_age, fresh = win_recursion(fit_hazard_model(snap), horizon, days)
    expected = (probs(at_age) * amount[:, None]).sum(axis=0)
    if query.bootstrap > 0:
        paths = np.zeros((sims, len(days)))
        for part, hazards in refits(snap, sims, query.bootstrap, rng):
            boot_at_age, _ = win_recursion(hazards, horizon, days)
            paths[part] = _open_paths(probs(boot_at_age), amount, len(part), rng)
    else:
        paths = _open_paths(probs(at_age), amount, sims, rng)
    if query.new_deals:
        new_expected, new_paths = _new_paths(snap, fresh, days, sims, rng)
    else:
        new_expected, new_paths = np.zeros(len(days)), np.zeros((sims, len(days)))
    settings = asdict(query) | {"as_of": query.as_of.isoformat(), "step_days": step_days}
    return FanResult(
        as_of=query.as_of,
        horizon_days=horizon,
        days=days,
        open_pipeline=_band(expected, paths),
        with_new_deals=_band(expected + new_expected, paths + new_paths),
        simulations=sims,
        provenance=Provenance(
            analysis="pipeline.fan",
            inputs_hash=history.inputs_hash,
            settings_hash=hash_settings(settings),
        ),
    )
