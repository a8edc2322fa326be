"""The chain computation, vectorised over events sorted by (entity, time, code).

Input codes: ``0..k-1`` for the steps, :data:`OTHER` for any other event (only needed in
``strict_order``) and :data:`EXCLUDED` for exclusion events. Sorting by code puts other and
exclusion events before step events sharing a timestamp, and steps in step order.

For each step ``j`` the core keeps the *valid* step-``j`` events (positions where some valid
chain reaches step ``j``) together with the *latest* first step that starts such a chain.
A later start is never worse (its window ends later, and it has fewer exclusions after it),
so step ``j + 1`` only needs, for each of its events, the latest valid step-``j`` event
before it: one ``searchsorted`` per step over that step's events. The total work is
``O(n log n)`` in the number of step events, whatever the number of steps.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from buyermap.analytics.funnel.query import FunnelMode

OTHER = -1
EXCLUDED = -2

I64 = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SortedEvents:
    """Events of one or more entities, sorted by (entity, ts, code)."""

    entity: I64
    ts: I64
    code: Codes
    by: npt.NDArray[np.int32] | None = None  # index into by_labels; only read on code 0

    def __len__(self) -> int:
        return int(self.ts.shape[0])


@dataclass(frozen=True, slots=True)
class Outcomes:
    """One row per entity that did the first step (the funnel's population)."""

    entity: I64  # the entity's key (as given in SortedEvents.entity)
    level: npt.NDArray[np.int16]  # steps reached, 1..k
    entry_ts: I64  # time of the entity's earliest first-step event (us)
    by: npt.NDArray[np.int32] | None  # breakdown code at that event (smallest on ties)
    # per step j: seconds from the first step, for the entities with level > j (in order)
    step_seconds: list[F64]

    def __len__(self) -> int:
        return int(self.entity.shape[0])

    def seconds_matrix(self) -> F64:
        """(entities, k) seconds from the first step; NaN where the step was not reached."""
        out = np.full((len(self), len(self.step_seconds)), np.nan, dtype=np.float64)
        for j, values in enumerate(self.step_seconds):
            out[self.level > j, j] = values
        return out


@dataclass(frozen=True, slots=True)
class _Level:
    pos: I64  # valid step-j positions, ascending
    start: I64  # position of the latest first step of a chain reaching each of them
    entity: I64  # entity at pos
    start_ts: I64  # time at start


class _Context:
    """The sorted events plus per-event helpers computed at most once per query."""

    def __init__(self, ev: SortedEvents) -> None:
        self.ev = ev

    @cached_property
    def group(self) -> I64:
        """A dense entity number per event (0, 1, ...), cheaper to compare and index."""
        return _running_count(_first_in_group(self.ev.entity)) - 1

    @cached_property
    def tie_start(self) -> I64:
        return _tie_start(self.ev)

    @cached_property
    def prev_not_greater(self) -> I64:
        return _prev_not_greater(self.ev)


Predecessor = Callable[[_Context, I64, "_Level", int], I64]


def _latest_before(level: _Level, bound: I64) -> I64:
    """Index into ``level`` of the last valid position < ``bound`` (or -1)."""
    found: I64 = np.searchsorted(level.pos, bound, side="left")
    return found - 1


def _pred_default(_ctx: _Context, pos: I64, prev: _Level, _j: int) -> I64:
    return _latest_before(prev, pos)


def _tie_start(ev: SortedEvents) -> I64:
    n = len(ev)
    new = np.ones(n, dtype=np.bool_)
    if n > 1:
        new[1:] = (ev.entity[1:] != ev.entity[:-1]) | (ev.ts[1:] != ev.ts[:-1])
    return np.maximum.accumulate(np.where(new, np.arange(n, dtype=np.int64), 0))


def _pred_increase(ctx: _Context, pos: I64, prev: _Level, _j: int) -> I64:
    # The previous step must be strictly earlier in time: search before the first event
    # sharing this event's timestamp.
    return _latest_before(prev, ctx.tie_start[pos])


def _prev_not_greater(ev: SortedEvents) -> I64:
    """For each event, the nearest earlier step event of the same entity whose code is <=
    its code (-1 if none); other and exclusion events are skipped.

    Pointer jumping over the step events: every pointer starts at the previous event and,
    while it points at a larger code, takes over that event's own pointer, skipping a
    stretch already known to hold only larger codes. Each round moves every unfinished
    pointer back, and stretches double up, so few rounds are needed in practice.
    """
    n = len(ev)
    out = np.full(n, -1, dtype=np.int64)
    sub = np.flatnonzero(ev.code >= 0)
    m = sub.size
    if m == 0:
        return out
    code = ev.code[sub].astype(np.int16)
    ent = ev.entity[sub]
    ptr = np.arange(m, dtype=np.int64) - 1
    ptr[0] = -1
    ptr[1:][ent[1:] != ent[:-1]] = -1
    todo = np.flatnonzero(ptr >= 0)
    while todo.size:
        todo = todo[code[ptr[todo]] > code[todo]]
        ptr[todo] = ptr[ptr[todo]]
        todo = todo[ptr[todo] >= 0]
    found = ptr >= 0
    out[sub[found]] = sub[ptr[found]]
    return out


def _pred_dedup(ctx: _Context, pos: I64, prev: _Level, _j: int) -> I64:
    # The chain's previous step must be the nearest earlier step event with a code <= j;
    # anything else in between (a repeat, or this step seen earlier) breaks the chain.
    ptr = ctx.prev_not_greater[pos]
    found = _latest_before(prev, ptr + 1)
    hit = (found >= 0) & (ptr >= 0)
    hit[hit] = prev.pos[found[hit]] == ptr[hit]
    return np.where(hit, found, -1)


_PREDECESSORS: dict[FunnelMode, Predecessor] = {
    FunnelMode.DEFAULT: _pred_default,
    FunnelMode.STRICT_INCREASE: _pred_increase,
    FunnelMode.STRICT_DEDUPLICATION: _pred_dedup,
}


def _last_exclusion_before(ev: SortedEvents, pos: I64) -> I64:
    excl = np.flatnonzero(ev.code == EXCLUDED)
    if excl.size == 0:
        return np.full(pos.shape[0], -1, dtype=np.int64)
    i = np.searchsorted(excl, pos, side="left") - 1
    return np.where(i >= 0, excl[np.maximum(i, 0)], -1).astype(np.int64)


def _positions_by_code(ev: SortedEvents, k: int) -> list[I64]:
    """Positions of each step's events, ascending: one stable (radix) sort of the codes."""
    order = np.argsort(ev.code, kind="stable")
    negative = int(np.count_nonzero(ev.code < 0))
    counts = np.bincount(ev.code[ev.code >= 0], minlength=k)[:k]
    bounds = negative + np.concatenate([[0], np.cumsum(counts)])
    return [order[bounds[j] : bounds[j + 1]] for j in range(k)]


def _level(ctx: _Context, pos: I64, start: I64) -> _Level:
    return _Level(pos=pos, start=start, entity=ctx.group[pos], start_ts=ctx.ev.ts[start])


def _levels_chained(ctx: _Context, k: int, window_us: int, mode: FunnelMode) -> list[_Level]:
    predecessor = _PREDECESSORS[mode]
    ev = ctx.ev
    by_code = _positions_by_code(ev, k)
    levels = [_level(ctx, by_code[0], by_code[0])]
    has_excl = bool(np.any(ev.code == EXCLUDED))
    for j in range(1, k):
        prev = levels[-1]
        pos = by_code[j]
        if pos.size == 0 or prev.pos.size == 0:
            levels.append(_level(ctx, pos[:0], pos[:0]))
            continue
        idx = predecessor(ctx, pos, prev, j)
        safe = np.maximum(idx, 0)
        entity = ctx.group[pos]
        start_ts = prev.start_ts[safe]
        ok = (idx >= 0) & (prev.entity[safe] == entity) & (ev.ts[pos] <= start_ts + window_us)
        start = prev.start[safe]
        if has_excl:
            ok &= start > _last_exclusion_before(ev, pos)
        levels.append(
            _Level(pos=pos[ok], start=start[ok], entity=entity[ok], start_ts=start_ts[ok])
        )
    return levels


def _levels_strict_order(ctx: _Context, k: int, window_us: int) -> list[_Level]:
    # A chain is a run of consecutive events (all events count, not only steps) whose codes
    # are 0, 1, 2, ...; the window is measured from the run's first event.
    ev = ctx.ev
    n = len(ev)
    code = ev.code.astype(np.int16)
    brk = np.ones(n, dtype=np.bool_)
    if n > 1:
        brk[1:] = ~(
            (ev.entity[1:] == ev.entity[:-1]) & (code[1:] >= 1) & (code[1:] == code[:-1] + 1)
        )
    run_start = np.maximum.accumulate(np.where(brk, np.arange(n, dtype=np.int64), 0))
    valid = (code >= 0) & (code[run_start] == 0) & (ev.ts <= ev.ts[run_start] + window_us)
    kept = [pos[valid[pos]] for pos in _positions_by_code(ev, k)]
    return [_level(ctx, pos, run_start[pos]) for pos in kept]


def _running_count(flags: Bools) -> I64:
    """Cumulative count of true flags (cast first: a casting cumsum is ~10x slower)."""
    out: I64 = np.cumsum(flags.astype(np.int64))
    return out


def _first_in_group(keys: I64) -> Bools:
    first = np.ones(keys.size, dtype=np.bool_)
    first[1:] = keys[1:] != keys[:-1]
    return first


PARALLEL_MIN_EVENTS = 2_000_000


def compute(
    ev: SortedEvents,
    k: int,
    window_us: int,
    mode: FunnelMode,
    *,
    threads: int | None = None,
    parallel_min_events: int = PARALLEL_MIN_EVENTS,
) -> Outcomes:
    """Per-entity outcomes for events sorted by (entity, ts, code).

    Entities are independent, so large inputs are cut at entity boundaries into one part
    per thread (numpy releases the GIL) and the parts' outcomes are concatenated.
    """
    parts = threads if threads is not None else min(os.cpu_count() or 1, 8)
    n = len(ev)
    if parts <= 1 or n < max(parallel_min_events, 1):
        return _compute_part(ev, k, window_us, mode)
    cuts = np.searchsorted(ev.entity, ev.entity[[n * i // parts for i in range(1, parts)]])
    bounds = [0, *sorted({int(c) for c in cuts}), n]
    slices = [
        SortedEvents(
            entity=ev.entity[a:b],
            ts=ev.ts[a:b],
            code=ev.code[a:b],
            by=ev.by[a:b] if ev.by is not None else None,
        )
        for a, b in itertools.pairwise(bounds)
        if b > a
    ]
    with ThreadPoolExecutor(max_workers=len(slices)) as pool:
        results = list(pool.map(lambda part: _compute_part(part, k, window_us, mode), slices))
    return _concat(results, k)


def _concat(results: list[Outcomes], k: int) -> Outcomes:
    by = [r.by for r in results if r.by is not None]
    return Outcomes(
        entity=np.concatenate([r.entity for r in results]),
        level=np.concatenate([r.level for r in results]),
        entry_ts=np.concatenate([r.entry_ts for r in results]),
        by=np.concatenate(by) if len(by) == len(results) else None,
        step_seconds=[np.concatenate([r.step_seconds[j] for r in results]) for j in range(k)],
    )


def _compute_part(ev: SortedEvents, k: int, window_us: int, mode: FunnelMode) -> Outcomes:
    ctx = _Context(ev)
    if mode is FunnelMode.STRICT_ORDER:
        levels = _levels_strict_order(ctx, k, window_us)
    else:
        levels = _levels_chained(ctx, k, window_us, mode)
    first = levels[0]
    # Population: entities with a first-step event; the entry is the earliest one.
    is_entry = _first_in_group(first.entity)
    groups = first.entity[is_entry]
    entities = ev.entity[first.pos[is_entry]]
    entry_ts = first.start_ts[is_entry]
    level = np.zeros(entities.size, dtype=np.int16)
    row_of_group = np.zeros(int(ctx.group[-1]) + 1 if len(ev) else 0, dtype=np.int64)
    row_of_group[groups] = np.arange(groups.size, dtype=np.int64)
    step_seconds: list[F64] = []
    for j, lv in enumerate(levels):
        earliest = _first_in_group(lv.entity)
        row = row_of_group[lv.entity[earliest]]
        level[row] = j + 1
        gap = ev.ts[lv.pos[earliest]] - lv.start_ts[earliest]
        step_seconds.append(gap / 1e6)
    by = None
    if ev.by is not None:
        # Smallest breakdown code among first-step events at the entry timestamp.
        group = _running_count(is_entry) - 1
        at_entry = first.start_ts == entry_ts[group]
        values = ev.by[first.pos[at_entry]]
        by = (
            np.minimum.reduceat(values, np.flatnonzero(is_entry[at_entry]))
            if values.size
            else (values)
        )
    return Outcomes(
        entity=entities, level=level, entry_ts=entry_ts, by=by, step_seconds=step_seconds
    )


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """What every engine hands back: per-entity outcomes and what it read."""

    outcomes: Outcomes
    n_events: int  # events that took part (steps and exclusions; all events in strict_order)
    step_events: list[int]  # events per step, to warn about steps that never occur
    by_labels: list[str]
    dropped_rows: int = 0  # rows with a missing entity or time among those events


MISSING = "(missing)"
