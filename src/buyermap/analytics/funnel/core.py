"""The chain computation over events in any order, with compiled kernels (kernels.py).

Input codes: ``0..k-1`` for the steps, :data:`OTHER` for any other event (only needed in
``strict_order``) and :data:`EXCLUDED` for exclusion events. Each entity's events are read
in (time, code) order: other and exclusion events before step events sharing a timestamp,
and steps in step order.

:func:`compute` groups the events by entity (a stable radix sort of the entity ids, so
input that is already in time order needs no further sorting), orders each entity's
events by (time, code) where they are not already, and walks every entity's chains in a
single compiled pass over its events, split over the cores by entity ranges. The work is
linear in the number of events (plus a sort of the entities whose events are out of
order), whatever the number of steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
import numpy.typing as npt

from buyermap.analytics.funnel import kernels
from buyermap.analytics.funnel.query import FunnelMode

if TYPE_CHECKING:
    from buyermap.analytics.funnel.tally import Tally

OTHER = -1
EXCLUDED = -2

I64 = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int8]
F64 = npt.NDArray[np.float64]

_MODES = {
    FunnelMode.DEFAULT: kernels.MODE_DEFAULT,
    FunnelMode.STRICT_ORDER: kernels.MODE_STRICT_ORDER,
    FunnelMode.STRICT_INCREASE: kernels.MODE_STRICT_INCREASE,
    FunnelMode.STRICT_DEDUPLICATION: kernels.MODE_STRICT_DEDUPLICATION,
}
_MAX_DIGIT_BITS = 24  # one radix pass for up to 16M distinct ids (dense ids need one pass)


@dataclass(frozen=True, slots=True)
class Events:
    """Events of one or more entities, in any order (one array per column)."""

    entity: I64
    ts: I64
    code: Codes
    by: npt.NDArray[np.int32] | None = None  # index into by_labels; only read on code 0

    def __len__(self) -> int:
        return int(self.ts.shape[0])


@dataclass(frozen=True, slots=True)
class Outcomes:
    """One row per entity that did the first step (the funnel's population)."""

    entity: I64  # the entity's key (as given in Events.entity), ascending
    level: npt.NDArray[np.int16]  # steps reached, 1..k
    entry_ts: I64  # time of the entity's earliest first-step event (us)
    by: npt.NDArray[np.int32] | None  # breakdown code at that event (smallest on ties)
    # per step j: seconds from the first step, for the entities with level > j (in order)
    step_seconds: list[F64]

    def __len__(self) -> int:
        return int(self.entity.shape[0])

    @classmethod
    def empty(cls, k: int, with_by: bool) -> Outcomes:
        return cls(
            entity=np.zeros(0, np.int64),
            level=np.zeros(0, np.int16),
            entry_ts=np.zeros(0, np.int64),
            by=np.zeros(0, np.int32) if with_by else None,
            step_seconds=[np.zeros(0, np.float64) for _ in range(k)],
        )

    def seconds_matrix(self) -> F64:
        """(entities, k) seconds from the first step; NaN where the step was not reached."""
        out = np.full((len(self), len(self.step_seconds)), np.nan, dtype=np.float64)
        for j, values in enumerate(self.step_seconds):
            out[self.level > j, j] = values
        return out


def _readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only view: the radix pass is compiled for read-only inputs only (Arrow's
    zero-copy arrays are read-only), which keeps it to one compiled signature."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _group_by_entity(ev: Events) -> tuple[I64, I64, I64, Codes, npt.NDArray[np.int32]]:
    """Events regrouped by entity, stably: the entity of each group (ascending), the start
    of each group plus the end, and ts, code, by. The arrays returned are new (the walk
    orders each entity's events in place)."""
    n = len(ev)
    by = ev.by.astype(np.int32, copy=False) if ev.by is not None else np.empty(0, np.int32)
    ts = ev.ts.astype(np.int64, copy=False)
    code = ev.code.astype(np.int8, copy=False)
    entity = ev.entity.astype(np.int64, copy=False)
    if n == 0:
        return entity[:0], np.zeros(1, np.int64), ts.copy(), code.copy(), by.copy()
    low = int(entity.min())
    bits = (int(entity.max()) - low).bit_length()
    if bits == 0:  # one entity: nothing to group
        seg = np.array([0, n], dtype=np.int64)
        return entity[:1].copy(), seg, ts.copy(), code.copy(), by.copy()
    # wrapping int64 arithmetic viewed as unsigned is the exact unsigned difference
    key = (entity - np.int64(low)).view(np.uint64)
    digit = min(_MAX_DIGIT_BITS, max(8, n.bit_length() + 1))
    passes = math.ceil(bits / digit)
    width = math.ceil(bits / passes)
    for i in range(passes):
        key, ts, code, by, totals = kernels.radix_pass(
            _readonly(key),
            _readonly(ts),
            _readonly(code),
            _readonly(by),
            i * width,
            width,
            numba.get_num_threads(),
            passes > 1,
        )
    if passes == 1:  # the digit is the whole key: the groups are the non-empty digits
        present = np.flatnonzero(totals)
        keys = present.astype(np.uint64)
        seg = np.concatenate([[0], np.cumsum(totals[present])]).astype(np.int64)
    else:
        seg = kernels.segments(key)
        keys = key[seg[:-1]]
    groups = (keys + np.uint64(low & 0xFFFF_FFFF_FFFF_FFFF)).view(np.int64)
    return groups, seg, ts, code, by


def compute(ev: Events, k: int, window_us: int, mode: FunnelMode) -> Outcomes:
    """Per-entity outcomes for events in any order (the arrays are not modified)."""
    groups, seg, ts, code, by = _group_by_entity(ev)
    parts = 8 * numba.get_num_threads()
    level, entry_ts, entry_by = kernels.walk(seg, ts, code, by, k, window_us, _MODES[mode], parts)
    gaps = ts  # the walk wrote each group's gaps over its first times
    rows, flat, offsets = kernels.step_seconds(seg, level, gaps, k)
    return Outcomes(
        entity=groups[rows],
        level=level[rows],
        entry_ts=entry_ts[rows],
        by=entry_by[rows] if ev.by is not None else None,
        step_seconds=[flat[offsets[j] : offsets[j + 1]] for j in range(k)],
    )


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """What every engine hands back: per-entity outcomes (local engines) or their tally
    (engines that aggregate where the data is: Spark), and what it read."""

    outcomes: Outcomes  # empty when ``tally`` is given
    n_events: int  # events that took part (steps and exclusions; all events in strict_order)
    step_events: list[int]  # events per step, to warn about steps that never occur
    by_labels: list[str]
    dropped_rows: int = 0  # rows with a missing entity or time among those events
    tally: Tally | None = None  # already aggregated (then outcomes is empty)


MISSING = "(missing)"
