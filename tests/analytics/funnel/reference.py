"""A deliberately simple reference funnel: per entity, obvious loops, no cleverness.

For every first-step event it walks forward and takes the next expected step whenever the
mode allows it (the earliest match, which is optimal for a fixed start); the entity's level
is the best over all starts. Events are ordered by (time, code): non-step events before
step events sharing a timestamp, steps in step order.
"""

from __future__ import annotations

from dataclasses import dataclass

OTHER = -1
EXCLUDED = -2


@dataclass(frozen=True)
class Event:
    entity: int
    ts: int  # seconds
    name: str
    by: str | None = None


@dataclass(frozen=True)
class EntityResult:
    level: int
    entry_ts: int
    by: str | None
    seconds: tuple[float | None, ...]  # per step, seconds from the first step


def _code(name: str, steps: list[str], exclude: list[str]) -> int:
    if name in steps:
        return steps.index(name)
    if name in exclude:
        return EXCLUDED
    return OTHER


def _path(evs: list[tuple[int, int]], s: int, k: int, window: int, mode: str) -> list[int]:
    """Positions of the chain started at position ``s`` (greedy earliest matches)."""
    path = [s]
    start_ts = evs[s][0]
    for p in range(s + 1, len(evs)):
        if len(path) == k:
            break
        ts, code = evs[p]
        wanted = len(path)
        in_window = ts <= start_ts + window
        if mode == "strict_order":
            if code == wanted and in_window:
                path.append(p)
                continue
            break
        if code == EXCLUDED:
            break
        if mode == "strict_deduplication":
            if 0 <= code <= wanted:
                if code == wanted and in_window:
                    path.append(p)
                    continue
                break
            continue
        if code != wanted or not in_window:
            continue
        if mode == "strict_increase" and ts <= evs[path[-1]][0]:
            continue
        path.append(p)
    return path


def reference_funnel(
    events: list[Event],
    steps: list[str],
    window: int,
    mode: str = "default",
    exclude: tuple[str, ...] = (),
) -> dict[int, EntityResult]:
    """Per entity that did the first step: its level, entry, breakdown value and times."""
    k = len(steps)
    out: dict[int, EntityResult] = {}
    for entity in sorted({e.entity for e in events}):
        mine = [e for e in events if e.entity == entity]
        rows = sorted(
            ((e.ts, _code(e.name, steps, list(exclude)), e.by) for e in mine),
            key=lambda r: (r[0], r[1]),
        )
        evs = [(ts, code) for ts, code, _ in rows]
        starts = [i for i, (_, code) in enumerate(evs) if code == 0]
        if not starts:
            continue
        paths = [_path(evs, s, k, window, mode) for s in starts]
        level = max(len(p) for p in paths)
        seconds: list[float | None] = []
        for j in range(k):
            ends = [p[j] for p in paths if len(p) > j]
            if not ends:
                seconds.append(None)
                continue
            first_end = min(ends)
            latest_start = max(evs[p[0]][0] for p in paths if len(p) > j and p[j] == first_end)
            seconds.append(float(evs[first_end][0] - latest_start))
        entry_ts = min(evs[s][0] for s in starts)
        labels = ["(missing)" if by is None else by for ts, code, by in rows]
        entry_by = min(
            labels[i] for i, (ts, code) in enumerate(evs) if code == 0 and ts == entry_ts
        )
        out[entity] = EntityResult(level, entry_ts, entry_by, tuple(seconds))
    return out
