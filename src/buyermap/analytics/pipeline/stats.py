"""Stage analytics from deal stage history.

Definitions (every number says how many deals it rests on):

* a deal *reached* a stage if it was ever in it or in a later one (won counts as reached
  everything; deals skip stages);
* *conversion to next* = deals that reached the next stage (won for the last one) / deals
  that reached the stage and are no longer in it; *win rate* = won / closed;
* *time in stage* is Kaplan-Meier over stays, open stays censored at the cut;
* *stale* = an open deal that has waited longer than its stage's Kaplan-Meier p90;
* *sales velocity* = open deals x average won amount x win rate / average days to win
  (bookings per day, shown per 30 days).

Unknown times stay unknown (:mod:`buyermap.analytics.pipeline.paths`): a deal without an
opening date is left out of cohorts, days to close or win and time to close; a closed deal
whose close was only seen at an import is left out of days to close or win; stays that
start or end with a snapshot change are left out of time in stage. All of them still count
in reach, conversion and win rates, and ``left_out`` says how many there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from buyermap.analytics.base import Provenance, hash_settings
from buyermap.analytics.pipeline.forecast import stale_limits
from buyermap.analytics.pipeline.history import BREAKDOWNS, History, cutoff_of
from buyermap.analytics.pipeline.paths import Snapshot, left_out, snapshot
from buyermap.analytics.pipeline.survival import kaplan_meier
from buyermap.errors import InvalidValueError

F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class StatsQuery:
    by: str | None = None  # one breakdown column; default: segment, owner, source, persona
    as_of: date | None = None  # default: the day of the last change
    stale_limit: int = 50


@dataclass(frozen=True, slots=True)
class StatsResult:
    query: StatsQuery
    as_of: date
    sections: dict[str, Any]
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            **self.sections,
            "provenance": self.provenance.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Context:
    snap: Snapshot
    history: History
    cutoff: datetime
    query: StatsQuery
    as_of: date
    reached: npt.NDArray[np.int64]  # highest open stage reached (n_open if won), -1 none
    closed_at: F  # nan while open, or when the close is undated


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _km(durations: F, events: B) -> dict[str, Any]:
    km = kaplan_meier(durations, events)
    return {
        "n": km.n,
        "left": km.events,
        "censored": km.n - km.events,
        "median_days": _r(km.quantile(0.5)),
        "p90_days": _r(km.quantile(0.9)),
    }


def _context(history: History, query: StatsQuery) -> Context:
    as_of = query.as_of or history.end.date()
    cutoff = cutoff_of(as_of)
    history = history.until(cutoff)
    snap = snapshot(history, cutoff)
    if len(snap.deal_ids) == 0:
        raise InvalidValueError(f"{history.source}: no stage changes before {as_of.isoformat()}")
    n = len(snap.deal_ids)
    in_open = snap.v_stage < snap.won
    reached = np.full(n, -1, dtype=np.int64)
    np.maximum.at(reached, snap.v_deal[in_open], snap.v_stage[in_open])
    reached[snap.state == snap.won] = snap.n_open_stages
    closed_at = snap.closed
    return Context(snap, history, cutoff, query, as_of, reached, closed_at)


def _outcomes(ctx: Context, deals: B) -> dict[str, Any]:
    s = ctx.snap
    won, lost = deals & (s.state == s.won), deals & (s.state == s.lost)
    closed = won | lost
    days_to_win = (ctx.closed_at - s.created)[won]
    days_to_win = days_to_win[np.isfinite(days_to_win)]  # both ends dated
    dated_win = len(days_to_win) > 0
    avg_won = float(s.amount[won].mean()) if won.any() else 0.0
    win_rate = won.sum() / closed.sum() if closed.any() else None
    n_open = int((deals & s.open_mask()).sum())
    velocity = (
        n_open * avg_won * win_rate / max(float(days_to_win.mean()), 1.0)
        if win_rate is not None and dated_win
        else None
    )
    return {
        "deals": int(deals.sum()),
        "open": n_open,
        "won": int(won.sum()),
        "lost": int(lost.sum()),
        "win_rate": _r(win_rate, 4),
        "won_amount": _r(float(s.amount[won].sum())),
        "avg_won_amount": _r(avg_won) if won.any() else None,
        "median_days_to_win": _r(float(np.median(days_to_win))) if dated_win else None,
        "velocity_per_30_days": _r(velocity * 30.0) if velocity is not None else None,
    }


def _conversion(ctx: Context, deals: B) -> list[dict[str, Any]]:
    s = ctx.snap
    rows = []
    open_now = s.open_mask()
    for i, name in enumerate(s.stages):
        reached = deals & (ctx.reached >= i)
        still = reached & open_now & (s.state == i)
        resolved = reached & ~still
        to_next = deals & (ctx.reached >= i + 1)
        won = reached & (s.state == s.won)
        closed = reached & (s.state >= s.won)
        rows.append(
            {
                "stage": name,
                "reached": int(reached.sum()),
                "resolved": int(resolved.sum()),
                "to_next": int(to_next.sum()),
                "conversion_to_next": _r(to_next.sum() / resolved.sum(), 4)
                if resolved.any()
                else None,
                "won": int(won.sum()),
                "win_rate": _r(won.sum() / closed.sum(), 4) if closed.any() else None,
            }
        )
    return rows


def _stages(ctx: Context) -> Any:
    s = ctx.snap
    rows = _conversion(ctx, np.ones(len(s.deal_ids), dtype=bool))
    for i, row in enumerate(rows):
        sel = (s.v_stage == i) & s.v_dated
        row["time_in_stage"] = _km(s.v_duration[sel], s.v_dest[sel] >= 0)
        row["open_now"] = int((s.state == i).sum())
    return rows


def _cohorts(ctx: Context) -> Any:
    s = ctx.snap
    dated = np.isfinite(s.created)  # deals with an unknown opening have no cohort
    months = np.array(
        [
            (EPOCH + timedelta(days=float(d))).strftime("%Y-%m") if ok else ""
            for d, ok in zip(s.created, dated, strict=True)
        ]
    )
    out = []
    for month in sorted(set(months[dated].tolist())):
        deals = months == month
        row = {"month": month, **_outcomes(ctx, deals)}
        to_close = (ctx.closed_at - s.created)[deals]
        to_close = to_close[np.isfinite(to_close)]
        row["median_days_to_close"] = _r(float(np.median(to_close))) if len(to_close) else None
        out.append(row)
    return out


def _losses(ctx: Context) -> Any:
    frame = ctx.history.frame.filter(pl.col("changed_at") < ctx.cutoff)
    reason = pl.col("lost_reason") if "lost_reason" in frame.columns else pl.lit(None)
    last = (
        frame.with_columns(
            pl.col("stage").shift(1).over("deal_id").alias("before"),
            reason.cast(pl.String).fill_null("(no reason)").alias("reason"),
        )
        .group_by("deal_id", maintain_order=True)
        .last()
        .filter(pl.col("kind") == "lost")
        .with_columns(pl.col("before").fill_null("(created lost)"))
    )
    out = []
    order = {name: i for i, name in enumerate(ctx.snap.stages)}
    for before in sorted(last["before"].unique().to_list(), key=lambda b: order.get(b, -1)):
        part = last.filter(pl.col("before") == before)
        reasons = part.group_by("reason").len().sort("len", "reason", descending=[True, False])
        out.append(
            {
                "last_stage": before,
                "lost": part.height,
                "amount": _r(float(part["amount"].sum())),
                "reasons": {str(r): int(n) for r, n in reasons.iter_rows()},
            }
        )
    return out


def _time_to_close(ctx: Context) -> Any:
    s = ctx.snap
    closed = s.state >= s.won
    age = np.where(closed, ctx.closed_at, s.cutoff) - s.created
    dated = np.isfinite(age)  # opening known, and the close when closed
    won = dated & (s.state == s.won)
    return {
        "all_closed": _km(age[dated], closed[dated]),
        "won": _km(age[won], np.ones(int(won.sum()), dtype=bool)),
    }


def _velocity(ctx: Context) -> Any:
    return _outcomes(ctx, np.ones(len(ctx.snap.deal_ids), dtype=bool))


def _stale(ctx: Context) -> Any:
    s = ctx.snap
    out: list[tuple[float, dict[str, Any]]] = []
    for i, (name, p90) in enumerate(zip(s.stages, stale_limits(s), strict=True)):
        if not np.isfinite(p90):
            continue
        for d in np.flatnonzero((s.state == i) & (s.cutoff - s.entered > p90)):
            waited = s.cutoff - s.entered[d]
            row = {
                "deal_id": s.deal_ids[d],
                "stage": name,
                "days_in_stage": _r(waited),
                "stage_p90_days": _r(p90),
                "amount": _r(float(s.amount[d])),
            }
            if not s.entered_known[d]:  # in the stage at least since an import
                row["days_in_stage_at_least"] = True
            out.append((-waited / max(p90, 1e-9), row))
    out.sort(key=lambda r: r[0])
    return {"count": len(out), "deals": [r for _, r in out[: ctx.query.stale_limit]]}


def _breakdowns(ctx: Context) -> Any:
    frame = ctx.history.frame.filter(pl.col("changed_at") < ctx.cutoff)
    if ctx.query.by is not None and ctx.query.by not in frame.columns:
        valid = ", ".join(ctx.history.extra_columns) or "none"
        raise InvalidValueError(
            f"{ctx.history.source}: no column {ctx.query.by!r} to break down by; "
            f"columns available: {valid}"
        )
    columns = [ctx.query.by] if ctx.query.by else [c for c in BREAKDOWNS if c in frame.columns]
    out: dict[str, Any] = {}
    for col in columns:
        values = (
            frame.group_by("deal_id", maintain_order=True)
            .agg(pl.col(col).cast(pl.String).drop_nulls().last().alias("_v"))
            .with_columns(pl.col("_v").fill_null("(none)"))
        )["_v"].to_numpy()
        rows = []
        for value in sorted(set(values.tolist())):
            deals = values == value
            conv = {r["stage"]: r["conversion_to_next"] for r in _conversion(ctx, deals)}
            rows.append({"value": value, **_outcomes(ctx, deals), "conversion_to_next": conv})
        out[col] = sorted(rows, key=lambda r: -r["deals"])
    return out


SECTIONS: dict[str, Callable[[Context], Any]] = {
    "stages": _stages,
    "cohorts": _cohorts,
    "losses": _losses,
    "time_to_close": _time_to_close,
    "velocity": _velocity,
    "stale": _stale,
    "breakdowns": _breakdowns,
    "left_out": lambda ctx: left_out(ctx.snap),
}


def run_stats(history: History, query: StatsQuery) -> StatsResult:
    ctx = _context(history, query)
    sections: dict[str, Any] = {
        "source": history.source,
        "stage_order": list(history.stages.open_stages),
        "won_stages": list(history.stages.won),
        "lost_stages": list(history.stages.lost),
    }
    sections |= {name: fn(ctx) for name, fn in SECTIONS.items()}
    settings = asdict(query) | {"as_of": query.as_of.isoformat() if query.as_of else None}
    return StatsResult(
        query=query,
        as_of=ctx.as_of,
        sections=sections,
        provenance=Provenance(
            analysis="pipeline.stats",
            inputs_hash=history.inputs_hash,
            settings_hash=hash_settings(settings),
        ),
    )
