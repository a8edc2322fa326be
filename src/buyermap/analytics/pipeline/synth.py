"""Synthetic pipelines from a known model, and the true expected bookings they imply.

What is planted (all seeded, so a reader can check the analytics find it):

* stages Lead -> Qualified -> Proposal -> Negotiation -> Closed Won, any of them -> Closed Lost;
* segments smb / mid / ent with their own chances to advance and their own pace;
* a deal entering a stage is decided to advance (chance ``advance``) or to be lost; its
  wait is log-normal (median ``median_advance`` or ``median_lost`` days, times the
  segment's pace); a deal still waiting after ``rot`` days is lost then (it rots), so a
  long wait means a worse chance, which only an age-aware model can see;
* amounts: log-normal per segment at creation, multiplied at each move by a mean-one
  log-normal factor, so the amount as it stands is the unbiased guess of the final one;
* creations: Poisson per day with a yearly trend and month-of-year seasonality.

The true chance that a deal in stage s, waiting a days, is won within h days is computed
on a 0.25-day grid by convolving the stage wait distributions (:func:`true_win_prob`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.special import ndtr

from buyermap.analytics.pipeline.paths import Snapshot

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
STEP = 0.25  # days per grid cell of the true model
REASONS = ("price", "no decision", "competitor", "timing", "no budget")


@dataclass(frozen=True, slots=True)
class TrueModel:
    stages: tuple[str, ...] = ("Lead", "Qualified", "Proposal", "Negotiation")
    segments: tuple[str, ...] = ("smb", "mid", "ent")
    segment_share: tuple[float, ...] = (0.5, 0.3, 0.2)
    advance: tuple[tuple[float, ...], ...] = (
        (0.55, 0.6, 0.55, 0.75),
        (0.5, 0.55, 0.5, 0.7),
        (0.45, 0.5, 0.45, 0.65),
    )
    pace: tuple[float, ...] = (0.7, 1.0, 1.5)
    median_advance: tuple[float, ...] = (6.0, 12.0, 18.0, 14.0)
    median_lost: tuple[float, ...] = (15.0, 25.0, 35.0, 30.0)
    sigma: float = 0.7
    rot: tuple[float, ...] = (60.0, 90.0, 120.0, 100.0)
    amount_median: tuple[float, ...] = (6_000.0, 25_000.0, 90_000.0)
    amount_sigma: float = 0.6
    amount_drift_sigma: float = 0.15
    deals_per_week: float = 30.0
    trend_per_year: float = 0.15
    seasonality: float = 0.25
    owners: tuple[str, ...] = field(default=("ana", "ben", "chloe", "dev", "eli"))

    def creation_rate(self, days: F, start: float) -> F:
        """Deals created per day at ``days`` (days since 1970)."""
        months = np.array([(datetime(1970, 1, 1) + timedelta(days=float(d))).month for d in days])
        season = 1.0 + self.seasonality * np.sin(2 * np.pi * (months - 3) / 12.0)
        trend = 1.0 + self.trend_per_year * (days - start) / 365.25
        out: F = self.deals_per_week / 7.0 * trend * season
        return out

    def _lognormal_cdf(self, x: F, median: float) -> F:
        with np.errstate(divide="ignore"):
            z = (np.log(np.maximum(x, 1e-12)) - np.log(median)) / self.sigma
        out: F = ndtr(z)
        return out

    def grid_masses(self, g: int, s: int) -> tuple[F, F]:
        """Mass of (advance, lost) at each grid cell of the wait in stage s, segment g."""
        rot = self.rot[s]
        n = int(np.ceil(rot / STEP)) + 1
        edges = (np.arange(n + 1) * STEP).astype(np.float64)
        p = self.advance[g][s]
        cdf_a = self._lognormal_cdf(edges, self.median_advance[s] * self.pace[g])
        cdf_l = self._lognormal_cdf(edges, self.median_lost[s] * self.pace[g])
        adv = p * np.diff(cdf_a)
        lost = (1 - p) * np.diff(cdf_l)
        cut = int(rot // STEP)
        beyond = p * (1.0 - cdf_a[cut]) + (1 - p) * (1.0 - cdf_l[cut])  # all waits past rot
        adv[cut:] = 0.0
        lost[cut:] = 0.0
        lost[cut] = beyond  # rotten deals are lost at the rot limit
        return adv, lost


def _win_curves(model: TrueModel, g: int, n_grid: int) -> list[F]:
    """win[s][j]: chance to be won within j * STEP days of entering stage s."""
    win: list[F] = [np.ones(n_grid)] * (len(model.stages) + 1)
    for s in range(len(model.stages) - 1, -1, -1):
        win[s] = np.convolve(model.grid_masses(g, s)[0], win[s + 1])[:n_grid]
    return win


def true_new_expected(model: TrueModel, *, start: float, cutoff: float, horizon: int) -> float:
    """Expected bookings within the horizon from deals created after the cut."""
    n_grid = int(np.ceil(horizon / STEP)) + 2
    days = (cutoff + np.arange(horizon) + 0.5).astype(np.float64)
    rate = model.creation_rate(days, start)
    mean_amount = np.array(model.amount_median) * np.exp(model.amount_sigma**2 / 2)
    total = 0.0
    for g, share in enumerate(model.segment_share):
        fresh = _win_curves(model, g, n_grid)[0]
        left = np.floor((horizon - np.arange(horizon) - 0.5) / STEP).astype(np.int64)
        total += float((rate * share * mean_amount[g] * fresh[left]).sum())
    return total


def true_open_expected(model: TrueModel, snap: Snapshot, horizon: float) -> float:
    """Exact (to the grid) expected bookings within ``horizon`` of the deals open in ``snap``
    (a snapshot of a history generated from ``model``, not segment-merged)."""
    is_open = snap.open_mask()
    seg = np.array([model.segments.index(snap.segments[g]) for g in snap.segment[is_open]])
    stage = np.array([model.stages.index(snap.stages[s]) for s in snap.state[is_open]])
    p = true_win_prob(model, seg, stage, snap.cutoff - snap.entered[is_open], horizon)
    return float((p * snap.amount[is_open]).sum())


def true_win_prob(model: TrueModel, segment: I, stage: I, age: F, horizon: float) -> F:
    """Exact (to the grid) chance that each deal is won within ``horizon`` days."""
    n_grid = int(np.ceil((horizon + max(model.rot)) / STEP)) + 2
    out = np.zeros(len(stage))
    for g in range(len(model.segments)):
        win = _win_curves(model, g, n_grid)
        masses = [model.grid_masses(g, s) for s in range(len(model.stages))]
        for i in np.flatnonzero(segment == g):
            s = int(stage[i])
            adv, lost = masses[s]
            k0 = int(age[i] // STEP) + 1
            if k0 >= len(adv):
                continue
            still = adv[k0:].sum() + lost[k0:].sum()
            if still <= 0:
                continue
            left = horizon - (np.arange(k0, len(adv)) * STEP - age[i])
            j = np.floor(left / STEP).astype(np.int64)
            ok = j >= 0
            out[i] = float((adv[k0:][ok] * win[s + 1][np.minimum(j[ok], n_grid - 1)]).sum())
            out[i] /= still
    return out


def generate(model: TrueModel, *, start: datetime, end: datetime, seed: int = 0) -> pl.DataFrame:
    """A stage history (one row per change) of deals created from ``start`` to ``end``."""
    rng = np.random.default_rng(seed)
    t0 = (start - datetime(1970, 1, 1)).total_seconds() / 86400.0
    days = (t0 + np.arange(int((end - start).days))).astype(np.float64)
    counts = rng.poisson(model.creation_rate(days + 0.5, t0))
    created = np.repeat(days, counts) + rng.random(int(counts.sum()))
    n = len(created)
    seg = rng.choice(len(model.segments), size=n, p=np.array(model.segment_share))
    amount = np.round(
        np.array(model.amount_median)[seg] * rng.lognormal(0.0, model.amount_sigma, n), 2
    )
    owner = rng.integers(0, len(model.owners), n)
    source = rng.integers(0, 3, n)
    deal_rows: list[tuple[int, int, float, float]] = []  # deal, stage code, time, amount
    t = created.copy()
    active = np.arange(n)
    n_stages = len(model.stages)
    for s in range(n_stages):
        deal_rows.extend(zip(active, [s] * len(active), t[active], amount[active], strict=True))
        g = seg[active]
        adv = rng.random(len(active)) < np.array(model.advance)[g, s]
        med = np.where(adv, model.median_advance[s], model.median_lost[s]) * np.array(model.pace)[g]
        wait = med * np.exp(model.sigma * rng.standard_normal(len(active)))
        rotten = wait >= model.rot[s]
        wait = np.minimum(wait, model.rot[s])
        adv &= ~rotten
        t[active] += wait
        drift = np.exp(
            model.amount_drift_sigma * rng.standard_normal(len(active))
            - model.amount_drift_sigma**2 / 2
        )
        amount[active] = np.round(amount[active] * drift, 2)
        lost = active[~adv]
        deal_rows.extend(zip(lost, [n_stages + 1] * len(lost), t[lost], amount[lost], strict=True))
        active = active[adv]
    deal_rows.extend(zip(active, [n_stages] * len(active), t[active], amount[active], strict=True))
    names = [*model.stages, "Closed Won", "Closed Lost"]
    d = np.array([r[0] for r in deal_rows], dtype=np.int64)
    code = np.array([r[1] for r in deal_rows], dtype=np.int64)
    when = np.array([r[2] for r in deal_rows])
    amt = np.array([r[3] for r in deal_rows])
    keep = when < (end - datetime(1970, 1, 1)).total_seconds() / 86400.0
    d, code, when, amt = d[keep], code[keep], when[keep], amt[keep]
    reasons = rng.integers(0, len(REASONS), len(d))
    frame = pl.DataFrame(
        {
            "deal_id": [f"D{i:06d}" for i in d],
            "stage": [names[c] for c in code],
            "changed_at": pl.Series((when * 86_400e6).astype(np.int64)).cast(pl.Datetime("us")),
            "amount": amt,
            "segment": [model.segments[seg[i]] for i in d],
            "owner": [model.owners[owner[i]] for i in d],
            "source": [("inbound", "outbound", "partner")[source[i]] for i in d],
            "lost_reason": [
                REASONS[r] if c == n_stages + 1 else None
                for r, c in zip(reasons, code, strict=True)
            ],
        }
    )
    return frame.sort("deal_id", "changed_at")
