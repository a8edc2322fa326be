"""From a normalised history to numpy arrays: stays in stages and each deal's state at a cut.

Times are in days (float) since 1970-01-01. Stage codes: ``0..S-1`` are the open stages in
pipeline order, ``S`` is won, ``S+1`` is lost; ``-1`` marks a stay still going on (censored).
Consecutive rows of a deal in the same stage (an amount update) are one stay.
"""

from __future__ import annotations

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
    # deals
    deal_ids: tuple[str, ...]
    created: F
    segment: I
    amount: F  # amount as it stands at the cut
    state: I  # code of the current stage
    entered: F  # when the current stay began
    first_stage: I
    first_amount: F

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
    # deals: first and last rows
    first_rows = np.flatnonzero(new_deal)
    last_rows = np.append(first_rows[1:], n) - 1
    last_visit = np.flatnonzero(~has_next)
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
        created=t[first_rows],
        segment=seg_last,
        amount=amount[last_rows] if n else np.zeros(0),
        state=code[last_rows] if n else np.zeros(0, dtype=np.int64),
        entered=v_start[last_visit],
        first_stage=code[first_rows],
        first_amount=amount[first_rows],
    )
