"""Pipeline rules and the stage timeline of a deal (time spent in each stage)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from buyermap.domain.enums import StageKind
from buyermap.errors import InvalidValueError

STAGE_NAME_MAX = 120  # the length of ``stages.name`` and ``pipelines.name``

# The usual names of won and lost stages, in English and in the languages of our first
# markets (pl, cs, hu, ro, is, fi) and German and French, as CRMs and sheets write them.
WON_NAMES = frozenset(
    {"won", "closed won", "closedwon", "closed-won", "closed_won"}
    | {"wygrana", "wygrane", "vyhráno", "vyhraná", "megnyert", "nyert", "câștigat", "câştigat"}
    | {"unnið", "voitettu", "gewonnen", "gagné", "gagnée"}
)
LOST_NAMES = frozenset(
    {"lost", "closed lost", "closedlost", "closed-lost", "closed_lost"}
    | {"przegrana", "przegrane", "prohráno", "ztraceno", "elvesztett", "vesztett", "pierdut"}
    | {"tapað", "hävitty", "verloren", "perdu", "perdue"}
)


def norm(name: str) -> str:
    """The matching key of a name: lower case, letters and digits only.

    ``Closed Won``, ``closed-won`` and ``closedwon`` are one name.
    """
    return "".join(ch for ch in name.lower() if ch.isalnum())


def clean_name(name: str, *, what: str = "stage") -> str:
    """A stage or pipeline name with its spacing tidied; refuses empty and too long names."""
    text = " ".join(name.split())
    if not norm(text):
        raise InvalidValueError(
            f"{what} name {name!r} has no letter or digit; give it a name like 'Qualified'"
        )
    if len(text) > STAGE_NAME_MAX:
        raise InvalidValueError(
            f"{what} name {text[:40]!r}... is {len(text)} characters long; "
            f"use at most {STAGE_NAME_MAX}"
        )
    return text


def check_probability(name: str, probability: float | None) -> None:
    if probability is not None and not 0.0 <= probability <= 1.0:
        raise InvalidValueError(
            f"stage {name!r} has probability {probability}; use a value from 0 to 1"
        )


def stage_kind_from_name(name: str) -> StageKind:
    """Recognise won and lost terminal stages by their usual CRM names, any case."""
    key = " ".join(name.strip().lower().split())
    if key in WON_NAMES:
        return StageKind.WON
    if key in LOST_NAMES:
        return StageKind.LOST
    return StageKind.OPEN


@dataclass(frozen=True, slots=True)
class StageSpec:
    name: str
    kind: StageKind = StageKind.OPEN
    probability: float | None = None


def validate_pipeline(stages: Sequence[StageSpec]) -> None:
    """A pipeline has uniquely named stages, at least one open, one won and one lost stage.

    Names are unique by :func:`norm`, so ``Closed Won`` and ``closed-won`` cannot both be
    stages of one pipeline (a lookup by either would be ambiguous).
    """
    if any(not s.name.strip() for s in stages):
        raise InvalidValueError("a stage name is empty; every stage needs a name")
    names = [clean_name(s.name) for s in stages]
    seen: dict[str, str] = {}
    for n in names:
        if norm(n) in seen:
            raise InvalidValueError(
                f"stage {n!r} appears twice (as {seen[norm(n)]!r}); stage names must be unique"
            )
        seen[norm(n)] = n
    kinds = [s.kind for s in stages]
    for kind in StageKind:
        if kind not in kinds:
            raise InvalidValueError(
                f"the pipeline has no {kind.value} stage; it needs open stages, "
                "one won and at least one lost stage"
            )
    if kinds.count(StageKind.WON) != 1:
        raise InvalidValueError("a pipeline has exactly one won stage")
    for s in stages:
        check_probability(s.name, s.probability)


@dataclass(frozen=True, slots=True)
class StageVisit:
    """One stay in a stage: entered at ``start``, left at ``end`` (None while still there).

    ``start_known`` is False when the stay begins with a snapshot change: the deal was in
    the stage at least since ``start`` (an import), the source did not say since when;
    ``end_known`` is False when the next change is such a snapshot (left by ``end``).
    """

    stage: str
    start: datetime
    end: datetime | None
    amount: float | None
    start_known: bool = True
    end_known: bool = True

    def days(self, now: datetime) -> float:
        stop = self.end if self.end is not None else now
        return max((stop - self.start).total_seconds() / 86400.0, 0.0)


@dataclass(frozen=True, slots=True)
class Move:
    to_stage: str
    at: datetime
    amount: float | None = None
    snapshot: bool = False  # only the stage seen at an import; ``at`` is the import time


def stage_timeline(moves: Sequence[Move]) -> list[StageVisit]:
    """Turn stage changes into visits. Moves are sorted by time; ties keep their given order.

    A visit to a terminal stage has no end: the deal stays there.
    """
    ordered = sorted(enumerate(moves), key=lambda im: (im[1].at, im[0]))
    visits: list[StageVisit] = []
    for i, (_, move) in enumerate(ordered):
        following = ordered[i + 1][1] if i + 1 < len(ordered) else None
        visits.append(
            StageVisit(
                stage=move.to_stage,
                start=move.at,
                end=following.at if following is not None else None,
                amount=move.amount,
                start_known=not move.snapshot,
                end_known=following is None or not following.snapshot,
            )
        )
    return visits
