"""Deals, their stage history (fate + rotting model), committees and notes (pure plan)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from buyermap.demo.common import PlanContext, Row, minute, weighted_choice
from buyermap.demo.companies import AccountPlan
from buyermap.demo.constants import (
    ABANDON_SHARE,
    HISTORY_DAYS,
    LOST_REASON_BY_STAGE,
    LOST_REASONS,
    LOST_STAGE,
    N_DEALS,
    OPEN_STAGES,
    ROTTING_FACTOR,
    SOURCES,
    STAGE_TIMING,
    WON_STAGE,
    scaled,
    win_probability,
)

PHASE_DEALS = 6
PRODUCTS = ("Sales Workbench", "Forecasting add-on", "Enterprise plan", "Team plan", "Analytics")


@dataclass(frozen=True, slots=True)
class Move:
    stage: str
    at: datetime
    amount: float
    by: int  # user index


@dataclass(frozen=True)
class DealPlan:
    rows: list[Row]  # DB columns plus "_account", "_owner", "_lost_reason"
    moves: list[list[Move]]  # per deal, in time order; the first move is into Lead
    fates: list[str]  # planted fate: won | lost | abandoned


def advance_days(rng: np.random.Generator, stage: str, size: int) -> np.ndarray:
    """Days in ``stage`` before advancing, for deals that do advance.

    The advance hazard is h(t) = rate * exp(-t / decay): its cumulative hazard
    H(t) = rate * decay * (1 - exp(-t / decay)) is bounded, so the chance of ever advancing,
    1 - exp(-rate * decay), is below one and a deal that has waited long is unlikely to
    move on. Times are drawn by inverting H conditioned on advancing.
    """
    timing = STAGE_TIMING[stage]
    total = timing.rate * timing.decay_days
    reach = 1.0 - math.exp(-total)
    u = rng.uniform(0.0, 1.0, size)
    cum = -np.log1p(-u * reach)  # cumulative hazard at the advance time, < total
    return -timing.decay_days * np.log1p(-cum / total) + 0.25


def median_advance_days(stage: str) -> float:
    """The median time in ``stage`` of the deals that advance (u = 0.5 in advance_days)."""
    timing = STAGE_TIMING[stage]
    total = timing.rate * timing.decay_days
    cum = -math.log1p(-0.5 * (1.0 - math.exp(-total)))
    return -timing.decay_days * math.log1p(-cum / total) + 0.25


def plan_deals(ctx: PlanContext, accounts: AccountPlan, n_users: int) -> DealPlan:
    rng = ctx.rng(PHASE_DEALS)
    n = scaled(N_DEALS, ctx.scale, minimum=10)
    employees = np.array([int(r["employees"]) for r in accounts.rows])
    weights = 1.0 + 0.25 * np.log(employees)
    acc_idx = rng.choice(len(accounts.rows), size=n, p=weights / weights.sum())
    opened_days = np.sort(rng.uniform(1.0, HISTORY_DAYS, n))[::-1]
    sources = weighted_choice(rng, SOURCES, n)
    lose_p = np.array([STAGE_TIMING[s].lose_share for s in OPEN_STAGES])
    rows: list[Row] = []
    all_moves: list[list[Move]] = []
    fates: list[str] = []
    for d in range(n):
        a = int(acc_idx[d])
        acc = accounts.rows[a]
        p = win_probability(
            industry=acc["industry"],
            employees=int(acc["employees"]),
            region=acc["region"],
            source=sources[d],
        )
        owner = accounts.owners[a] if rng.random() < 0.85 else int(rng.integers(n_users))
        won = bool(rng.random() < p)
        if won:
            fate, last_open = "won", len(OPEN_STAGES) - 1
        else:
            fate = "abandoned" if rng.random() < ABANDON_SHARE else "lost"
            last_open = int(rng.choice(len(OPEN_STAGES), p=lose_p / lose_p.sum()))
        opened = minute(ctx.as_of - timedelta(days=float(opened_days[d])))
        amount = float(round(3000 * employees[a] ** 0.45 * rng.lognormal(0.0, 0.45), -2))
        moves, amount = _walk(rng, ctx.as_of, opened, fate, last_open, amount, owner, won=won)
        reason = None
        if moves[-1].stage == LOST_STAGE:
            lost_in = moves[-2].stage
            probs = np.array(LOST_REASON_BY_STAGE[lost_in])
            reason = LOST_REASONS[int(rng.choice(len(LOST_REASONS), p=probs / probs.sum()))]
        closed = moves[-1].stage in (WON_STAGE, LOST_STAGE)
        expected = (
            moves[-1].at.date() - timedelta(days=int(rng.integers(-10, 20)))
            if closed
            else opened.date() + timedelta(days=int(rng.integers(60, 120)))
        )
        in_stage_days = (ctx.as_of - moves[-1].at).total_seconds() / 86400
        rows.append(
            {
                "name": f"{acc['name']} – {PRODUCTS[int(rng.integers(len(PRODUCTS)))]}",
                "amount": amount,
                "currency": "USD",
                "source": sources[d],
                "channel": "partner" if sources[d] == "partner" else "direct",
                "opened_at": opened,
                "expected_close": expected,
                "custom": {"deal_type": "expansion" if rng.random() < 0.15 else "new business"},
                "extra": {
                    "_planted_win_probability": round(p, 6),
                    "_planted_fate": fate,
                    "_planted_rotting": fate == "abandoned"
                    and moves[-1].stage == OPEN_STAGES[last_open]
                    and in_stage_days > ROTTING_FACTOR * median_advance_days(moves[-1].stage),
                    "_planted_days_in_stage": round(in_stage_days, 2) if not closed else None,
                },
                "created_at": opened,
                "updated_at": moves[-1].at,
                "_account": a,
                "_owner": owner,
                "_lost_reason": reason,
            }
        )
        all_moves.append(moves)
        fates.append(fate)
    return DealPlan(rows=rows, moves=all_moves, fates=fates)


def _walk(
    rng: np.random.Generator,
    as_of: datetime,
    opened: datetime,
    fate: str,
    last_open: int,
    amount: float,
    owner: int,
    *,
    won: bool,
) -> tuple[list[Move], float]:
    """The stage path of one deal, cut off at ``as_of`` (the deal then stays open)."""

    def by() -> int:
        return 0 if rng.random() < 0.1 else owner

    moves = [Move(OPEN_STAGES[0], opened, amount, owner)]
    at = opened
    for k in range(last_open + (1 if won else 0)):
        stage = OPEN_STAGES[k]
        at = minute(at + timedelta(days=float(advance_days(rng, stage, 1)[0])))
        if at > as_of:
            return moves, amount
        nxt = OPEN_STAGES[k + 1] if k + 1 < len(OPEN_STAGES) else WON_STAGE
        if nxt == "Proposal":
            amount = float(round(amount * rng.lognormal(0.05, 0.2), -2))
        elif nxt == "Negotiation":
            amount = float(round(amount * rng.uniform(0.85, 0.98), -2))
        moves.append(Move(nxt, at, amount, by()))
    if won or fate == "abandoned":
        return moves, amount
    timing = STAGE_TIMING[OPEN_STAGES[last_open]]
    at = minute(at + timedelta(days=float(rng.exponential(timing.mean_days_to_loss)) + 0.25))
    if at <= as_of:
        moves.append(Move(LOST_STAGE, at, amount, by()))
    return moves, amount
