"""Journey against funnel: where buyers are in their journey (from the content they touch)
against where their deal is in the pipeline at the same moment.

An :class:`AlignmentInput` (the journey stages in order, the touchpoints with their assets'
stages, each contact's persona and deals with their dated stage history, the pipeline's
stages and the declared mapping) runs in :func:`run_alignment` to an
:class:`AlignmentResult`.

Rules (docs/journeys.md, "Journey against funnel"):

- **A contact's journey stage** moves with each touch, in time order. The first touch puts
  the contact at the asset's earliest stage. Later, an asset that lists the current stage
  keeps the contact there; an asset that does not moves the contact to the asset's stage
  nearest the current one (on a tie, the earlier one). Back and forth is allowed. An asset
  for every stage (none listed) keeps the current stage; as a first touch it places
  nobody (counted in ``unmatched.no_journey_stage``).
- **The funnel stage at a touch**: the contact's deals (CRM contacts and committee
  members) in the pipeline that were open at that moment (opened at or before it, not
  closed before it); of several, the one opened last. Its stage then is the last recorded
  move at or before the moment. No such deal: ``unmatched.no_deal``; a deal with no move
  recorded yet: ``unmatched.no_funnel_stage``.
- **Off the mapping**: a counted touch whose funnel stage is not among the funnel stages
  the mapping gives its journey stage.
- **Time in stage**: a contact's visit to a stage lasts from the touch that moved them
  there to the touch that moved them on; the last visit is still open and not counted.
  Per persona and stage: the median over contacts of their days in the stage (visits
  summed), with the number of contacts and visits; ``skipped``: contacts who reached a
  later stage without ever being in this one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

VERSION = "journey-alignment/1"
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Touch:
    contact_id: int
    at: datetime
    stages: tuple[str, ...]  # the asset's journey stages; () for every stage
    channel: str = ""
    order: int = 0  # tie-break within one moment (the touchpoint's id)


@dataclass(frozen=True, slots=True)
class DealTrack:
    deal_id: int
    opened_at: datetime | None
    closed_at: datetime | None
    moves: tuple[tuple[datetime, str], ...]  # (when, funnel stage name), in time order

    @property
    def start(self) -> datetime | None:
        if self.opened_at is not None:
            return self.opened_at
        return self.moves[0][0] if self.moves else None

    def stage_at(self, at: datetime) -> str | None:
        stage = None
        for when, name in self.moves:
            if when > at:
                break
            stage = name
        return stage


@dataclass(frozen=True, slots=True)
class AlignmentInput:
    journey_stages: tuple[str, ...]
    funnel_stages: tuple[str, ...]
    mapping: dict[str, tuple[str, ...]]
    touches: tuple[Touch, ...]
    persona_of: dict[int, str] = field(default_factory=dict)
    deals_of: dict[int, tuple[DealTrack, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlignmentQuery:
    persona: str | None = None


@dataclass(frozen=True, slots=True)
class StagedTouch:
    contact_id: int
    at: datetime
    journey_stage: str | None
    funnel_stage: str | None
    reason: str | None  # why it is not in the matrix, or None


@dataclass(frozen=True, slots=True)
class StageTime:
    stage: str
    median_days: float | None
    contacts: int
    visits: int
    skipped: int


@dataclass(frozen=True, slots=True)
class AlignmentResult:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    mapped: tuple[tuple[bool, ...], ...]
    off_mapping_share: float | None
    time_in_stage: dict[str, tuple[StageTime, ...]]
    touchpoints: int
    matched: int
    unmatched: dict[str, int]
    contacts: int
    unassigned_contacts: int
    inputs_hash: str
    version: str = VERSION

    @property
    def off_mapping(self) -> int:
        return sum(
            c
            for row, flags in zip(self.counts, self.mapped, strict=True)
            for c, ok in zip(row, flags, strict=True)
            if not ok
        )


def next_stage(order: dict[str, int], current: str | None, stages: tuple[str, ...]) -> str | None:
    """The journey stage after touching an asset for ``stages`` (the rule above)."""
    if not stages:
        return current
    ranked = sorted(stages, key=lambda s: (order.get(s, len(order)), s))
    if current is None:
        return ranked[0]
    if current in stages:
        return current
    here = order.get(current, len(order))
    return min(ranked, key=lambda s: (abs(order.get(s, len(order)) - here), order.get(s, 0)))


def derive_stages(order: dict[str, int], touches: list[Touch]) -> list[str | None]:
    """Each touch's journey stage for one contact's touches (already in time order)."""
    out: list[str | None] = []
    current: str | None = None
    for t in touches:
        current = next_stage(order, current, t.stages)
        out.append(current)
    return out


def _deal_at(tracks: tuple[DealTrack, ...], at: datetime) -> DealTrack | None:
    open_then = [
        d
        for d in tracks
        if d.start is not None and d.start <= at and (d.closed_at is None or d.closed_at >= at)
    ]
    if not open_then:
        return None
    return max(open_then, key=lambda d: (d.start or at, d.deal_id))


def _visits(staged: list[tuple[datetime, str | None]]) -> list[tuple[str, float]]:
    """(stage, days) of each closed visit: consecutive touches in one stage are one visit."""
    out: list[tuple[str, float]] = []
    start: tuple[datetime, str] | None = None
    for at, stage in staged:
        if stage is None:
            continue
        if start is None:
            start = (at, stage)
        elif stage != start[1]:
            out.append((start[1], (at - start[0]).total_seconds() / DAY))
            start = (at, stage)
    return out


def _hash(data: AlignmentInput, query: AlignmentQuery) -> str:
    payload = {
        "j": data.journey_stages,
        "f": data.funnel_stages,
        "m": sorted((k, list(v)) for k, v in data.mapping.items()),
        "t": [(t.contact_id, t.at.isoformat(), t.stages, t.order) for t in data.touches],
        "p": sorted(data.persona_of.items()),
        "d": sorted(
            (c, [(d.deal_id, str(d.opened_at), str(d.closed_at), len(d.moves)) for d in ds])
            for c, ds in data.deals_of.items()
        ),
        "q": query.persona,
    }
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def stage_touches(data: AlignmentInput, query: AlignmentQuery) -> list[StagedTouch]:
    """Every touch (of the persona asked for) with its journey and funnel stage."""
    order = {s: i for i, s in enumerate(data.journey_stages)}
    by_contact: dict[int, list[Touch]] = {}
    for t in data.touches:
        if query.persona is None or data.persona_of.get(t.contact_id) == query.persona:
            by_contact.setdefault(t.contact_id, []).append(t)
    out: list[StagedTouch] = []
    for contact_id in sorted(by_contact):
        touches = sorted(by_contact[contact_id], key=lambda t: (t.at, t.order))
        tracks = data.deals_of.get(contact_id, ())
        for t, stage in zip(touches, derive_stages(order, touches), strict=True):
            deal = _deal_at(tracks, t.at)
            funnel = deal.stage_at(t.at) if deal is not None else None
            reason = (
                "no_journey_stage"
                if stage is None
                else "no_deal"
                if deal is None
                else "no_funnel_stage"
                if funnel is None or funnel not in data.funnel_stages
                else None
            )
            out.append(StagedTouch(contact_id, t.at, stage, funnel, reason))
    return out


def _time_in_stage(
    rows: tuple[str, ...], staged: list[StagedTouch], persona_of: dict[int, str]
) -> tuple[dict[str, tuple[StageTime, ...]], int]:
    order = {s: i for i, s in enumerate(rows)}
    per_contact: dict[int, list[tuple[datetime, str | None]]] = {}
    for s in staged:
        per_contact.setdefault(s.contact_id, []).append((s.at, s.journey_stage))
    days: dict[str, dict[str, list[float]]] = {}  # persona -> stage -> days per contact
    visits: dict[str, dict[str, int]] = {}
    skipped: dict[str, dict[str, int]] = {}
    unassigned = 0
    for contact_id, seq in per_contact.items():
        persona = persona_of.get(contact_id)
        if persona is None:
            unassigned += 1
            continue
        totals: dict[str, float] = {}
        for stage, d in _visits(seq):
            totals[stage] = totals.get(stage, 0.0) + d
            visits.setdefault(persona, {})[stage] = visits.get(persona, {}).get(stage, 0) + 1
        for stage, d in totals.items():
            days.setdefault(persona, {}).setdefault(stage, []).append(d)
        seen = {s for _, s in seq if s is not None}
        furthest = max((order.get(s, -1) for s in seen), default=-1)
        for stage in rows[: max(furthest, 0)]:
            if stage not in seen:
                skipped.setdefault(persona, {})[stage] = skipped.get(persona, {}).get(stage, 0) + 1
        days.setdefault(persona, {})
    out: dict[str, tuple[StageTime, ...]] = {}
    for persona in sorted(days):
        out[persona] = tuple(
            StageTime(
                stage=stage,
                median_days=(
                    round(median(days[persona][stage]), 2) if days[persona].get(stage) else None
                ),
                contacts=len(days[persona].get(stage, [])),
                visits=visits.get(persona, {}).get(stage, 0),
                skipped=skipped.get(persona, {}).get(stage, 0),
            )
            for stage in rows
        )
    return out, unassigned


def run_alignment(query: AlignmentQuery, data: AlignmentInput) -> AlignmentResult:
    staged = stage_touches(data, query)
    rows = data.journey_stages
    extra = sorted({s.journey_stage for s in staged if s.journey_stage} - set(rows))
    rows = rows + tuple(extra)
    columns = data.funnel_stages
    grid = [[0] * len(columns) for _ in rows]
    unmatched = {"no_journey_stage": 0, "no_deal": 0, "no_funnel_stage": 0}
    for s in staged:
        if s.reason is not None:
            unmatched[s.reason] += 1
            continue
        assert s.journey_stage is not None
        assert s.funnel_stage is not None
        grid[rows.index(s.journey_stage)][columns.index(s.funnel_stage)] += 1
    mapped = tuple(tuple(col in data.mapping.get(r, ()) for col in columns) for r in rows)
    matched = sum(map(sum, grid))
    off = sum(
        c
        for row, flags in zip(grid, mapped, strict=True)
        for c, ok in zip(row, flags, strict=True)
        if not ok
    )
    times, unassigned = _time_in_stage(rows, staged, data.persona_of)
    return AlignmentResult(
        rows=rows,
        columns=columns,
        counts=tuple(tuple(r) for r in grid),
        mapped=mapped,
        off_mapping_share=round(off / matched, 4) if matched else None,
        time_in_stage=times,
        touchpoints=len(staged),
        matched=matched,
        unmatched=unmatched,
        contacts=len({s.contact_id for s in staged}),
        unassigned_contacts=unassigned,
        inputs_hash=_hash(data, query),
    )


def result_dict(result: AlignmentResult) -> dict[str, Any]:
    return {
        "matrix": {
            "rows": list(result.rows),
            "columns": list(result.columns),
            "counts": [list(r) for r in result.counts],
            "mapped": [list(r) for r in result.mapped],
        },
        "off_mapping_share": result.off_mapping_share,
        "off_mapping": result.off_mapping,
        "touchpoints": result.touchpoints,
        "matched": result.matched,
        "unmatched": dict(result.unmatched),
        "contacts": result.contacts,
        "unassigned_contacts": result.unassigned_contacts,
        "inputs_hash": result.inputs_hash,
        "version": result.version,
    }
