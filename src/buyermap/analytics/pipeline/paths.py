"""From a normalised history to numpy arrays: stays in stages and each deal's state at a cut.

Times are in days (float) since 1970-01-01. Stage codes: ``0..S-1`` are the open stages in
pipeline order, ``S`` is won, ``S+1`` is lost; ``-1`` marks a stay still going on (censored).
Consecutive rows of a deal in the same stage (an amount update) are one stay.

Unknown times stay unknown (history frame columns ``opened_at`` and ``is_snapshot``):

* a deal's ``created`` is its ``opened_at`` (or its first change, when that is earlier: a
  deal cannot move before it is opened); NaN when the opening time is unknown;
* a stay is *dated* when both its ends are real move times: it does not start with a
  snapshot change (whose time is the import time, not when the deal got there) and does
  not end with one (censored stays end at the cut, which is known);
* ``closed`` is when a closed deal closed: the start of its terminal stay, NaN when that
  stay starts with a snapshot (the file did not say when it closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import polars as pl

from buyermap.analytics.pipeline.history import History

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
B = npt.NDArray[np.bool_]

CENSORED = -1
NO_SEGMENT = "(none)"


def to_days(when: datetime) -> float:
    return (when - datetime(1970, 1, 1)).total_seconds() / 86400.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What was known at ``cutoff``: every stay in a stage and every deal's state."""

    cutoff: float
    stages: tuple[str, ...]  # open stages in order
    segments: tuple[str, ...]
    # stays (one row per visit to any stage, terminal ones included)
    v_deal: I
    v_stage: I
    v_start: F
    v_duration: F  # to the next change, or to the cut when censored
    v_dest: I  # code of the next stage, CENSORED when none yet
    v_amount: F  # amount when the stay ended (or at the cut)
    v_dated: B  # both ends are real move times (see the module docstring)
    # deals
    deal_ids: tuple[str, ...]
    created: F
    segment: I
    amount: F  # amount as it stands at the cut
    state: I  # code of the current stage
    entered: F  # when the current stay began (the import time for a snapshot stay)
    first_stage: I
    first_amount: F
    entered_known: B  # the current stay began with a real move (not a snapshot)
    first_known: B  # the first change is the deal's opening: its first stage is known

    @property
    def closed(self) -> F:
        """When each closed deal closed; NaN while open or when the close is undated."""
        out: F = np.where((self.state >= self.won) & self.entered_known, self.entered, np.nan)
        return out

    @property
    def n_open_stages(self) -> int:
        return len(self.stages)

    @property
    def won(self) -> int:
        return len(self.stages)

    @property
    def lost(self) -> int:
        return len(self.stages) + 1

    def open_mask(self) -> B:
        return self.state < self.won


def snapshot(history: History, cutoff: datetime, *, segment: str | None = "segment") -> Snapshot:
    """Stays and deal states from the changes before ``cutoff``."""
    frame = history.frame.filter(pl.col("changed_at") < cutoff)
    setup = history.stages
    n_open = len(setup.open_stages)
    codes = {s: i for i, s in enumerate(setup.open_stages)}
    codes |= dict.fromkeys(setup.won, n_open) | dict.fromkeys(setup.lost, n_open + 1)
    seg_col = segment if segment and segment in frame.columns else None
    seg_expr = pl.col(seg_col).fill_null(NO_SEGMENT) if seg_col else pl.lit(NO_SEGMENT)
    frame = frame.with_columns(
        pl.col("stage").replace_strict(codes, return_dtype=pl.Int64).alias("_code"),
        (pl.col("changed_at").dt.epoch("us").cast(pl.Float64) / 86_400e6).alias("_t"),
        seg_expr.alias("_seg"),
    )
    seg_names = tuple(sorted(str(s) for s in frame["_seg"].unique()))
    seg_codes = {s: i for i, s in enumerate(seg_names)}
    deal_raw = frame["deal_id"].to_numpy()
    code = frame["_code"].to_numpy().astype(np.int64)
    t = frame["_t"].to_numpy().astype(np.float64)
    amount = frame["amount"].to_numpy().astype(np.float64)
    is_snap = frame["is_snapshot"].to_numpy().astype(bool)
    opened = frame["opened_at"].dt.epoch("us").cast(pl.Float64).to_numpy() / 86_400e6
    seg_raw = np.array(
        [seg_codes[s] for s in frame["_seg"].to_list()] if frame.height else [], dtype=np.int64
    )
    n = len(code)
    new_deal = np.ones(n, dtype=bool)
    if n:
        new_deal[1:] = deal_raw[1:] != deal_raw[:-1]
    deal = np.cumsum(new_deal) - 1
    starts = new_deal.copy()
    if n:
        starts[1:] |= code[1:] != code[:-1]
    idx = np.flatnonzero(starts)
    v_deal = deal[idx]
    v_stage = code[idx]
    v_start = t[idx]
    nxt = np.append(idx[1:], n)
    last_row = nxt - 1  # the last row of each stay
    has_next = np.zeros(len(idx), dtype=bool)
    if len(idx):
        has_next[:-1] = v_deal[1:] == v_deal[:-1]
    nxt_start = np.append(v_start[1:], np.nan)
    nxt_code = np.append(v_stage[1:], CENSORED)
    cut = to_days(cutoff)
    v_duration = np.where(has_next, nxt_start - v_start, cut - v_start)
    v_dest = np.where(has_next, nxt_code, CENSORED)
    v_amount = amount[last_row] if len(idx) else np.zeros(0)
    v_snap = is_snap[idx]
    ends_snap = has_next & np.append(v_snap[1:], False)[: len(idx)]
    v_dated = ~v_snap & ~ends_snap
    # deals: first and last rows
    first_rows = np.flatnonzero(new_deal)
    last_rows = np.append(first_rows[1:], n) - 1
    last_visit = np.flatnonzero(~has_next)
    first_t = t[first_rows]
    opened_first = opened[first_rows].astype(np.float64)  # NaN: unknown
    created = np.fmin(opened_first, first_t)  # fmin: NaN only when the opening is unknown
    created[np.isnan(opened_first)] = np.nan
    # segment: the last value given for the deal
    seg_last = seg_raw[last_rows] if n else np.zeros(0, dtype=np.int64)
    if seg_col:
        known = frame.group_by("deal_id", maintain_order=True).agg(
            pl.col(seg_col).drop_nulls().last().fill_null(NO_SEGMENT).alias("_segv")
        )
        seg_last = np.array([seg_codes[str(s)] for s in known["_segv"].to_list()], dtype=np.int64)
    return Snapshot(
        cutoff=cut,
        stages=setup.open_stages,
        segments=seg_names,
        v_deal=v_deal,
        v_stage=v_stage,
        v_start=v_start,
        v_duration=v_duration,
        v_dest=v_dest,
        v_amount=v_amount,
        deal_ids=tuple(str(d) for d in deal_raw[first_rows]),
        created=created,
        segment=seg_last,
        amount=amount[last_rows] if n else np.zeros(0),
        state=code[last_rows] if n else np.zeros(0, dtype=np.int64),
        entered=v_start[last_visit],
        first_stage=code[first_rows],
        first_amount=amount[first_rows],
        v_dated=v_dated,
        entered_known=~v_snap[last_visit],
        first_known=~is_snap[first_rows] & (first_t <= opened_first),
    )


def left_out(snap: Snapshot) -> dict[str, int]:
    """How many deals and stays the analytics leave out because a time is unknown.

    ``opening_date_unknown``: deals without an opening date (out of cohorts, days to close
    or win, time to close, the new-deal rate); ``close_date_unknown``: closed deals whose
    close was only seen at an import (out of days to close or win); ``snapshot_stays``:
    stays in open stages that start or end with a snapshot change (out of time in stage and
    the forecast's hazards); ``open_days_in_stage_unknown``: open deals whose current stay
    started with a snapshot (their days in stage are at least the days since the import).
    All of them still count in stage reach, conversion and win rates.
    """
    closed = snap.state >= snap.won
    return {
        "opening_date_unknown": int(np.isnan(snap.created).sum()),
        "close_date_unknown": int((closed & ~snap.entered_known).sum()),
        "snapshot_stays": int(((snap.v_stage < snap.won) & ~snap.v_dated).sum()),
        "open_days_in_stage_unknown": int((snap.open_mask() & ~snap.entered_known).sum()),
    }


def open_ages(snap: Snapshot) -> tuple[F, B]:
    """Days in stage of each open deal (in deal order), and whether it is known.

    A deal whose current stay started with a snapshot has been in its stage at least since
    that import (the lower bound) and at most since it was opened (when known). It gets
    the median days in stage of the dated open deals in the same stage, kept within those
    bounds; with no dated open deal in the stage, the lower bound (the youngest plausible
    age, which makes it look fresh: the forecast says how many such deals there are).
    """
    is_open = snap.open_mask()
    lower = snap.cutoff - snap.entered[is_open]
    known = snap.entered_known[is_open]
    stage = snap.state[is_open]
    upper = snap.cutoff - snap.created[is_open]  # NaN when the opening is unknown
    age = lower.copy()
    for s in np.unique(stage[~known]):
        dated = known & (stage == s)
        if dated.any():
            pick = ~known & (stage == s)
            age[pick] = np.maximum(lower[pick], float(np.median(lower[dated])))
    capped = np.where(np.isnan(upper), age, np.minimum(age, np.fmax(upper, lower)))
    out: F = capped.astype(np.float64)
    return out, known


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def describe_left_out(counts: Mapping[str, int]) -> list[str]:
    """The :func:`left_out` counts in words, one sentence per nonzero count."""
    out = []
    if n := counts.get("opening_date_unknown", 0):
        out.append(
            f"{_n(n, 'deal has', 'deals have')} no opening date: left out of cohorts and "
            "cycle times."
        )
    if n := counts.get("close_date_unknown", 0):
        out.append(
            f"{_n(n, 'closed deal has', 'closed deals have')} no close date (only seen closed "
            "at an import): left out of cycle times."
        )
    if n := counts.get("snapshot_stays", 0):
        out.append(
            f"{_n(n, 'stay starts or ends', 'stays start or end')} at an import rather than "
            "a known move: left out of time in stage."
        )
    if n := counts.get("future_dated", 0):
        out.append(
            f"{_n(n, 'stage change is', 'stage changes are')} dated in the future (a typo such "
            "as 2100?): left out at the default as-of date; correct the date in the deal's "
            "history."
        )
    if n := counts.get("open_days_in_stage_unknown", 0):
        its, it = ("its", "it") if n == 1 else ("their", "they")
        out.append(
            f"{_n(n, 'open deal is', 'open deals are')} in {its} stage at least since an "
            f"import (the file did not say when {it} moved there): stale is judged on the "
            "days since the import; the forecast assumes the median days in stage of the "
            "dated open deals in that stage."
        )
    return out
