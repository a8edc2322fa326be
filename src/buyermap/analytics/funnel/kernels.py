"""Compiled (numba) kernels: group events by entity, order each entity's events, and walk
every entity's chains in one pass.

Grouping is a stable LSD radix sort on ``entity - min(entity)`` (one pass of up to 24-bit
digits when the ids are dense, as DuckDB's or Arrow's dictionary codes are; more passes for
sparse 64-bit ids), so events keep their input order within an entity. Event logs are
usually already in time order, so each entity's events are then only *checked* for
(time, code) order and sorted when they are not.

The walk (per entity, events in (time, code) order) keeps, for each step ``j``, the start
(position of the first step) of the latest valid step-``j`` event. A later start is never
worse: its window ends later and fewer exclusions follow it. So a step-``j`` event is valid
when the latest valid step-``j-1`` event allowed by the mode exists, its start is after the
last exclusion, and the event is within that start's window. State per entity is O(steps).

Kernels are compiled on first use and cached on disk (``cache=True``); they release the GIL.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

MODE_DEFAULT = 0
MODE_STRICT_ORDER = 1
MODE_STRICT_INCREASE = 2
MODE_STRICT_DEDUPLICATION = 3

_INSERTION_MAX = 32


@njit(cache=True, nogil=True)
def _bounds(n: int, parts: int, i: int) -> tuple[int, int]:
    return n * i // parts, n * (i + 1) // parts


@njit(parallel=True, cache=True, nogil=True)
def radix_pass(key, ts, code, by, shift, bits, parts, move_key):  # type: ignore[no-untyped-def]
    """One stable counting-sort pass on the digit ``(key >> shift) & (2**bits - 1)``,
    moving every column (the key only if ``move_key``: a single pass does not need it);
    the input is cut into ``parts`` parts (one per thread). Also returns the number of
    events per digit value."""
    n = key.size
    buckets = 1 << bits
    sh = np.uint64(shift)
    mask = np.uint64(buckets - 1)
    hist = np.zeros((parts, buckets), dtype=np.int64)
    for t in prange(parts):
        lo, hi = _bounds(n, parts, t)
        for i in range(lo, hi):
            hist[t, (key[i] >> sh) & mask] += 1
    totals = np.zeros(buckets, dtype=np.int64)
    running = 0
    for b in range(buckets):
        for t in range(parts):
            c = hist[t, b]
            hist[t, b] = running
            running += c
            totals[b] += c
    key2 = np.empty_like(key) if move_key else np.empty(0, dtype=key.dtype)
    ts2 = np.empty_like(ts)
    code2 = np.empty_like(code)
    by2 = np.empty_like(by)
    has_by = by.size == n
    for t in prange(parts):
        lo, hi = _bounds(n, parts, t)
        for i in range(lo, hi):
            d = (key[i] >> sh) & mask
            p = hist[t, d]
            hist[t, d] = p + 1
            if move_key:
                key2[p] = key[i]
            ts2[p] = ts[i]
            code2[p] = code[i]
            if has_by:
                by2[p] = by[i]
    return key2, ts2, code2, by2, totals


@njit(cache=True, nogil=True)
def segments(key):  # type: ignore[no-untyped-def]
    """Start of each run of equal keys, plus ``key.size`` at the end."""
    n = key.size
    count = 1 if n else 0
    for i in range(1, n):
        if key[i] != key[i - 1]:
            count += 1
    out = np.empty(count + 1, dtype=np.int64)
    j = 0
    for i in range(n):
        if i == 0 or key[i] != key[i - 1]:
            out[j] = i
            j += 1
    out[count] = n
    return out


@njit(cache=True, nogil=True)
def _order_entity(ts, code, by, has_by, a, b):  # type: ignore[no-untyped-def]
    """Sorts positions a..b-1 by (ts, code) in place unless they already are (stable)."""
    ordered = True
    for p in range(a + 1, b):
        if ts[p] < ts[p - 1] or (ts[p] == ts[p - 1] and code[p] < code[p - 1]):
            ordered = False
            break
    if ordered:
        return
    if b - a <= _INSERTION_MAX:
        for p in range(a + 1, b):
            t, c = ts[p], code[p]
            v = by[p] if has_by else 0
            q = p - 1
            while q >= a and (ts[q] > t or (ts[q] == t and code[q] > c)):
                ts[q + 1] = ts[q]
                code[q + 1] = code[q]
                if has_by:
                    by[q + 1] = by[q]
                q -= 1
            ts[q + 1] = t
            code[q + 1] = c
            if has_by:
                by[q + 1] = v
        return
    seg_ts = ts[a:b].copy()
    seg_code = code[a:b].copy()
    perm = np.argsort(seg_code, kind="mergesort")
    perm = perm[np.argsort(seg_ts[perm], kind="mergesort")]
    ts[a:b] = seg_ts[perm]
    code[a:b] = seg_code[perm]
    if has_by:
        by[a:b] = by[a:b].copy()[perm]


@njit(cache=True, nogil=True)
def _walk_entity(  # type: ignore[no-untyped-def]
    ts, code, by, has_by, a, b, k, window, mode, last_start, last_ts, prev_start, last_pos, gaps
):
    """One entity's events a..b-1 (ordered): returns (level, entry_ts, entry_by) and writes
    the gap (us) from the start to the earliest valid event of step j at ``gaps[j]``."""
    for j in range(k):
        last_start[j] = -1
        last_ts[j] = 0
        prev_start[j] = -1
        last_pos[j] = -1
    last_excl = -1
    level = 0
    entry_ts = 0
    entry_by = -1
    run_start = a
    for p in range(a, b):
        c = code[p]
        t = ts[p]
        if mode == MODE_STRICT_ORDER:
            if p == a or not (c >= 1 and c == code[p - 1] + 1):
                run_start = p
            if c < 0 or code[run_start] != 0 or t > ts[run_start] + window:
                continue
            start = run_start
        else:
            if c < 0:
                if c == -2:  # EXCLUDED
                    last_excl = p
                continue
            if c == 0:
                start = p
            else:
                s = -1
                if mode == MODE_STRICT_INCREASE:
                    s = last_start[c - 1] if last_ts[c - 1] < t else prev_start[c - 1]
                elif mode == MODE_STRICT_DEDUPLICATION:
                    # the nearest earlier event of steps 0..c must be a valid step c-1
                    nearest = -1
                    for q in range(c + 1):
                        nearest = max(nearest, last_pos[q])
                    if nearest >= 0 and nearest == last_pos[c - 1]:
                        s = last_start[c - 1]
                    last_pos[c] = p
                else:
                    s = last_start[c - 1]
                if s < 0 or s <= last_excl or t > ts[s] + window:
                    if mode == MODE_STRICT_DEDUPLICATION:
                        last_start[c] = -1  # its latest event is not a valid step
                    continue
                start = s
            if mode == MODE_STRICT_DEDUPLICATION and c == 0:
                last_pos[0] = p
        # a valid step-c event whose chain starts at `start`
        if mode == MODE_STRICT_INCREASE and last_start[c] >= 0 and last_ts[c] < t:
            prev_start[c] = last_start[c]
        last_start[c] = start
        last_ts[c] = t
        if c == 0:
            if level == 0:
                entry_ts = t
                entry_by = by[p] if has_by else -1
            elif t == entry_ts and has_by and by[p] < entry_by:
                entry_by = by[p]
        if c >= level:
            # every step below c was reached earlier, so c == level here
            gaps[c] = t - ts[start]
            level = c + 1
    return level, entry_ts, entry_by


@njit(parallel=True, cache=True, nogil=True)
def walk(seg, ts, code, by, k, window, mode, parts):  # type: ignore[no-untyped-def]
    """Per entity (runs ``seg[g]..seg[g+1]-1``): level, entry time, entry breakdown code and
    the gaps. Orders each entity's events first (in place). Entities are cut into
    ``parts`` ranges (a few per thread, to even out the load).

    The gap (us) to step j of group g is written over ``ts[seg[g] + j]`` once the group is
    walked (its times are not read again; a group at level L has at least L events), so
    ``ts`` holds the gaps afterwards."""
    groups = seg.size - 1
    n = ts.size
    has_by = by.size == n
    level = np.zeros(groups, dtype=np.int16)
    entry_ts = np.zeros(groups, dtype=np.int64)
    entry_by = np.full(groups, -1, dtype=np.int32)
    parts = min(groups, parts)
    for part in prange(parts):
        last_start = np.empty(k, dtype=np.int64)
        last_ts = np.empty(k, dtype=np.int64)
        prev_start = np.empty(k, dtype=np.int64)
        last_pos = np.empty(k, dtype=np.int64)
        gaps = np.empty(k, dtype=np.int64)
        lo, hi = _bounds(groups, parts, part)
        for g in range(lo, hi):
            a, b = seg[g], seg[g + 1]
            _order_entity(ts, code, by, has_by, a, b)
            lv, et, eb = _walk_entity(
                ts,
                code,
                by,
                has_by,
                a,
                b,
                k,
                window,
                mode,
                last_start,
                last_ts,
                prev_start,
                last_pos,
                gaps,
            )
            level[g] = lv
            entry_ts[g] = et
            entry_by[g] = eb
            for j in range(lv):
                ts[a + j] = gaps[j]
    return level, entry_ts, entry_by


@njit(cache=True, nogil=True)
def step_seconds(seg, level, gaps, k):  # type: ignore[no-untyped-def]
    """The population (groups with level >= 1) and, step after step, the seconds of the
    entities reaching it (in group order): one flat array with per-step offsets."""
    reach = np.zeros(k + 1, dtype=np.int64)
    population = 0
    for g in range(level.size):
        lv = level[g]
        if lv > 0:
            population += 1
            reach[lv - 1] += 1
    # entities reaching step j = those whose level is > j
    for j in range(k - 2, -1, -1):
        reach[j] += reach[j + 1]
    offsets = np.zeros(k + 1, dtype=np.int64)
    for j in range(k):
        offsets[j + 1] = offsets[j] + reach[j]
    flat = np.empty(offsets[k], dtype=np.float64)
    cursor = offsets[:k].copy()
    rows = np.empty(population, dtype=np.int64)
    r = 0
    for g in range(level.size):
        lv = level[g]
        if lv == 0:
            continue
        rows[r] = g
        r += 1
        for j in range(lv):
            flat[cursor[j]] = gaps[seg[g] + j] / 1e6
            cursor[j] += 1
    return rows, flat, offsets
