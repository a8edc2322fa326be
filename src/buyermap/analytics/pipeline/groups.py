"""Pipeline outcomes and the bookings forecast split by a grouping of the deals (the avatar
tier of each deal's account, docs/pipeline.md "By avatar tier").

The grouping is given, not learned: ``group_of`` maps a deal id to its group and deals it
does not name fall in ``missing`` ("not scored"). Per group:

* **outcomes** at the as-of cut: deals, open, won, lost, the win rate won / closed with a
  95% Wilson interval, the median days from opening to winning of the won deals whose
  opening and close are both dated (the cycle time), and the open pipeline (open deals and
  their amounts as they stand);
* **the forecast** of the open deals of the group: expected bookings within the horizon
  (the same point model as :func:`~buyermap.analytics.pipeline.forecast.run_forecast`, so
  the groups' expected values add up to the forecast's) and P10/P50/P90 of the group's own
  simulated total, with the same bootstrap refits mixed in. Percentiles do not add up
  across groups (the P10 of a sum is not the sum of the P10s). New deals have no account
  yet, so they are not split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from buyermap.analytics.pipeline.forecast import ForecastQuery, fit_model, prepare, refits
from buyermap.analytics.pipeline.history import History, cutoff_of
from buyermap.analytics.pipeline.montecarlo import simulate_wins
from buyermap.analytics.pipeline.paths import Snapshot, open_ages, snapshot
from buyermap.analytics.pipeline.survival import win_curves
from buyermap.errors import InvalidValueError

F = npt.NDArray[np.float64]
Z95 = 1.959964


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion; None without trials."""
    if n <= 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    group: str
    deals: int
    open_deals: int
    won: int
    lost: int
    win_rate: float | None  # won / closed
    win_rate_interval: tuple[float, float] | None  # 95% Wilson
    median_cycle_days: float | None  # opening to winning, won deals with both dates
    cycle_deals: int  # the won deals the median rests on
    open_amount: float

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["win_rate"] = None if self.win_rate is None else round(self.win_rate, 4)
        out["win_rate_interval"] = (
            None
            if self.win_rate_interval is None
            else [round(v, 4) for v in self.win_rate_interval]
        )
        if self.median_cycle_days is not None:
            out["median_cycle_days"] = round(self.median_cycle_days, 1)
        out["open_amount"] = round(self.open_amount, 2)
        return out


@dataclass(frozen=True, slots=True)
class GroupForecast:
    group: str
    open_deals: int
    open_amount: float
    expected: float
    p10: float
    p50: float
    p90: float

    def to_dict(self) -> dict[str, object]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _labels(snap: Snapshot, group_of: Mapping[str, str], missing: str) -> npt.NDArray[np.str_]:
    return np.array([group_of.get(d, missing) for d in snap.deal_ids], dtype=object).astype(str)


def ordered_groups(present: Sequence[str], order: Sequence[str], missing: str) -> list[str]:
    """``order`` first (those present), then any other group by name, ``missing`` last."""
    seen = set(present)
    head = [g for g in order if g in seen and g != missing]
    rest = sorted(seen - set(order) - {missing})
    return head + rest + ([missing] if missing in seen else [])


def outcomes_by_group(
    history: History,
    *,
    as_of: date | None,
    group_of: Mapping[str, str],
    order: Sequence[str] = (),
    missing: str,
) -> tuple[date, list[GroupOutcome]]:
    """Outcome numbers per group from the changes up to ``as_of`` (default: the latest)."""
    day = as_of or history.end.date()
    cutoff = cutoff_of(day)
    snap = snapshot(history.until(cutoff), cutoff)
    if len(snap.deal_ids) == 0:
        raise InvalidValueError(f"{history.source}: no stage changes before {day.isoformat()}")
    labels = _labels(snap, group_of, missing)
    won_all, lost_all = snap.state == snap.won, snap.state == snap.lost
    open_all = snap.open_mask()
    cycle = snap.closed - snap.created  # NaN unless both ends are dated
    rows = []
    for group in ordered_groups(sorted(set(labels.tolist())), order, missing):
        m = labels == group
        won, lost = int((m & won_all).sum()), int((m & lost_all).sum())
        days = cycle[m & won_all]
        days = days[np.isfinite(days)]
        rows.append(
            GroupOutcome(
                group=group,
                deals=int(m.sum()),
                open_deals=int((m & open_all).sum()),
                won=won,
                lost=lost,
                win_rate=won / (won + lost) if won + lost else None,
                win_rate_interval=wilson(won, won + lost),
                median_cycle_days=float(np.median(days)) if len(days) else None,
                cycle_deals=len(days),
                open_amount=float(snap.amount[m & open_all].sum()),
            )
        )
    return day, rows


def forecast_by_group(
    history: History,
    query: ForecastQuery,
    *,
    group_of: Mapping[str, str],
    order: Sequence[str] = (),
    missing: str,
) -> list[GroupForecast]:
    """Expected bookings and P10/P50/P90 of each group's open deals within the horizon;
    refused as the forecast is (too little history)."""
    history, snap = prepare(history, query)
    rng = np.random.default_rng(query.seed)
    curves = fit_model(snap, horizon=query.horizon_days)
    is_open = snap.open_mask()
    seg, stage = snap.segment[is_open], snap.state[is_open]
    age, _ = open_ages(snap)
    amount = snap.amount[is_open]
    p = curves.lookup(seg, stage, age)
    labels = _labels(snap, group_of, missing)
    open_labels = labels[is_open]
    groups = ordered_groups(sorted(set(labels.tolist())), order, missing)
    masks = {g: open_labels == g for g in groups}
    sims = query.simulations
    totals = {g: np.zeros(sims) for g in groups}
    if query.bootstrap <= 0 or len(p) == 0:
        for g, m in masks.items():
            totals[g] = simulate_wins(p[m], amount[m], sims, rng)
    else:
        for part, hazards in refits(snap, sims, query.bootstrap, rng):
            pr = win_curves(hazards, query.horizon_days).lookup(seg, stage, age)
            for g, m in masks.items():
                totals[g][part] = simulate_wins(pr[m], amount[m], len(part), rng)
    out = []
    for g, m in masks.items():
        p10, p50, p90 = (float(v) for v in np.percentile(totals[g], [10, 50, 90]))
        out.append(
            GroupForecast(
                group=g,
                open_deals=int(m.sum()),
                open_amount=float(amount[m].sum()),
                expected=float((p[m] * amount[m]).sum()),
                p10=p10,
                p50=p50,
                p90=p90,
            )
        )
    return out
