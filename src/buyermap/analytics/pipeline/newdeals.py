"""Bookings from deals not created yet.

Creations per week follow a Poisson regression with a log-linear trend and month-of-year
effects (ridge-penalised, so a short history falls back to a flat rate), fitted by IRLS.
Extra-Poisson variation seen in the weekly counts is carried into the simulation as a
gamma-distributed rate multiplier. Each new deal is a resample of a recently created deal
(its segment, first stage and amount), created on a day drawn from the forecast rate, and
is won in time with the chance its first stage gives for the days left in the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from buyermap.analytics.pipeline.paths import Snapshot
from buyermap.analytics.pipeline.survival import WinCurves

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
MIN_WEEKS = 8
RIDGE_TREND = 4.0
RIDGE_MONTH = 8.0
POOL_DAYS = 365.0
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class CreationModel:
    coef: F  # intercept, trend (per year), 12 month effects
    weeks: int
    overdispersion: float  # kappa in Var = mu + kappa mu^2

    def weekly_rate(self, days: F, cutoff: float) -> F:
        out: F = np.exp(_design(days, cutoff) @ self.coef)
        return out


def _months(days: F) -> npt.NDArray[np.int64]:
    return np.array([(EPOCH + timedelta(days=float(d))).month - 1 for d in days], dtype=np.int64)


def _design(days: F, cutoff: float) -> F:
    x = np.zeros((len(days), 14))
    x[:, 0] = 1.0
    x[:, 1] = (days - cutoff) / 365.25
    x[np.arange(len(days)), 2 + _months(days)] = 1.0
    return x


def fit_creations(created: F, cutoff: float) -> CreationModel:
    """Poisson regression of weekly creation counts (complete weeks before the cut)."""
    first = float(created.min()) if len(created) else cutoff
    weeks = max(int((cutoff - first) // 7), 1)
    back = np.floor((cutoff - created) / 7.0).astype(np.int64)
    counts = np.bincount(back[back < weeks], minlength=weeks).astype(np.float64)
    mid = (cutoff - 7.0 * (np.arange(weeks) + 0.5)).astype(np.float64)
    x = _design(mid, cutoff)
    penalty = np.zeros(14)
    penalty[1] = RIDGE_TREND * (1.0 if weeks >= MIN_WEEKS else 1e6)
    penalty[2:] = RIDGE_MONTH * (1.0 if weeks >= 52 else 1e6)
    beta = np.zeros(14)
    beta[0] = np.log(max(counts.mean(), 1e-3))
    for _ in range(50):
        mu = np.exp(x @ beta)
        grad = x.T @ (counts - mu) - penalty * beta
        hess = (x * mu[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    mu = np.exp(x @ beta)
    kappa = float(np.mean(((counts - mu) ** 2 - mu) / np.maximum(mu, 1e-9) ** 2))
    return CreationModel(coef=beta, weeks=weeks, overdispersion=max(kappa, 0.0))


@dataclass(frozen=True, slots=True)
class Creations:
    """The deals to be created within a horizon: how many a day, and what they look like."""

    model: CreationModel
    daily: F  # expected creations on each day of the horizon
    amount: F  # the pool of recently created deals, resampled as the new ones
    win_t: F  # [member, t]: chance to be won within t days of creation, t = 0..horizon
    n_history: int  # deals created before the cut

    @property
    def total_rate(self) -> float:
        return float(self.daily.sum())

    def expected_by(self, t: int) -> float:
        """Expected bookings by day ``t`` of deals created from day 0 on."""
        left = t - 1 - np.arange(t)  # whole days left by day t for a deal created on day c
        per_day = (self.amount[:, None] * self.win_t[:, left]).mean(axis=0)
        return float((self.daily[:t] * per_day).sum())

    def draw(self, simulations: int, rng: np.random.Generator) -> tuple[I, I, I, F]:
        """Simulated creations: ``(simulation, day created, pool member, uniform)`` each."""
        horizon = len(self.daily)
        total_rate = self.total_rate
        # one rate multiplier per simulation: week-to-week extra variation averaged over the
        # horizon's weeks, plus the uncertainty of the fitted level (about 1 / deals seen)
        kappa = self.model.overdispersion / max(horizon / 7.0, 1.0) + 1.0 / max(self.n_history, 1)
        created = rng.poisson(total_rate * rng.gamma(1.0 / kappa, kappa, simulations))
        n = int(created.sum())
        sim_of = np.repeat(np.arange(simulations), created)
        day = rng.choice(horizon, size=n, p=self.daily / total_rate) if n else np.zeros(0, np.int64)
        member = rng.integers(0, max(len(self.amount), 1), size=n)
        return sim_of, day, member, rng.random(n)


def creations(snap: Snapshot, fresh: F, horizon: int) -> Creations:
    """The creation model fitted before the cut, and the pool new deals are drawn from.

    ``fresh[g, s, t]`` is the chance to be won within t days of entering open stage s.
    Deals without an opening date are left out of the creation rate; the pool takes deals
    whose history starts at their opening (their first stage and amount are known), the
    recent ones when there are 20, else all such deals, else every deal.
    """
    cut = snap.cutoff
    dated = ~np.isnan(snap.created)
    model = fit_creations(snap.created[dated], cut)
    days = (cut + np.arange(horizon) + 0.5).astype(np.float64)
    recent = snap.first_known & (snap.created >= cut - POOL_DAYS)
    if recent.sum() < 20:
        recent = snap.first_known.copy()
    if not recent.any():
        recent = np.ones(len(snap.created), dtype=bool)
    seg, stage = snap.segment[recent], snap.first_stage[recent]
    win_t = np.zeros((len(seg), horizon + 1))
    is_open = stage < snap.n_open_stages
    win_t[is_open] = fresh[seg[is_open], stage[is_open]]
    win_t[stage == snap.won] = 1.0
    return Creations(
        model=model,
        daily=model.weekly_rate(days, cut) / 7.0,
        amount=snap.first_amount[recent],
        win_t=win_t,
        n_history=int(dated.sum()),
    )


@dataclass(frozen=True, slots=True)
class NewDeals:
    expected_created: float
    expected: float
    totals: F  # bookings per simulation
    weeks_of_history: int


def forecast_new(
    snap: Snapshot, curves: WinCurves, horizon: int, simulations: int, rng: np.random.Generator
) -> NewDeals:
    """Expected and simulated bookings of deals created within the horizon."""
    c = creations(snap, curves.fresh, horizon)
    sim_of, day, member, u = c.draw(simulations, rng)
    won = u < c.win_t[member, horizon - 1 - day]
    totals = np.bincount(sim_of[won], weights=c.amount[member[won]], minlength=simulations)
    return NewDeals(
        expected_created=c.total_rate,
        expected=c.expected_by(horizon),
        totals=totals.astype(np.float64),
        weeks_of_history=c.model.weeks,
    )
