"""Gaps of the persona x stage matrix: where we say nothing to the buyer.

A :class:`GapsQuery` (which persona, the weights) runs over :class:`GapsInput` (the maps
and the content library as plain data) in :func:`run_gaps` to a :class:`GapsResult`.

- A cell is a persona's stage: its content count (assets for the persona, or for every
  persona, and for the stage, or every stage), inbound and outbound among them, its
  objections and how many of them are unanswered.
- An objection is answered when an answer line of the persona refers to its key, or a
  content asset for the persona lists its key among the objections it answers.
- A question nobody answers: a question in a cell with neither an answer line nor content.
- Priorities rank the unanswered objections (importance 2), the cells without content (1)
  and the unanswered questions (0.5) by importance x the persona's weight: its share of won
  revenue when persona assignments and won deals exist, else an equal share each.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = "journey-gaps/1"
IMPORTANCE = {"unanswered_objection": 2.0, "no_content": 1.0, "unanswered_question": 0.5}


@dataclass(frozen=True, slots=True)
class MapLine:
    stage: str
    kind: str
    text: str
    key: str = ""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class PersonaMap:
    persona: str
    name: str
    stages: tuple[str, ...]
    lines: tuple[MapLine, ...]


@dataclass(frozen=True, slots=True)
class Asset:
    title: str
    personas: tuple[str, ...]
    stages: tuple[str, ...]
    objections: tuple[str, ...]
    direction: str = "inbound"

    def serves(self, persona: str, stage: str | None) -> bool:
        return (not self.personas or persona in self.personas) and (
            stage is None or not self.stages or stage in self.stages
        )


@dataclass(frozen=True, slots=True)
class GapsInput:
    maps: tuple[PersonaMap, ...]
    assets: tuple[Asset, ...]
    won_revenue: dict[str, float] = field(default_factory=dict)

    def digest(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class GapsQuery:
    persona: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    persona: str
    stage: str
    content_count: int
    inbound: int
    outbound: int
    objections: int
    unanswered: int
    questions: int
    unanswered_questions: int


@dataclass(frozen=True, slots=True)
class Objection:
    key: str
    text: str
    persona: str
    stage: str


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    persona: str
    stage: str


@dataclass(frozen=True, slots=True)
class Priority:
    rank: int
    kind: str  # unanswered_objection | no_content | unanswered_question
    persona: str
    stage: str
    what: str
    weight: float
    score: float


@dataclass(frozen=True, slots=True)
class GapsResult:
    cells: list[Cell]
    unanswered_objections: list[Objection]
    unanswered_questions: list[Question]
    priorities: list[Priority]
    weights: dict[str, float]
    weighting: str  # won_revenue | equal
    weighting_words: str
    personas: int
    objections: int
    assets: int
    inputs_hash: str
    version: str = VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _weights(
    maps: tuple[PersonaMap, ...], won: dict[str, float]
) -> tuple[dict[str, float], str, str]:
    keys = [m.persona for m in maps]
    total = sum(won.get(k, 0.0) for k in keys)
    if keys and total > 0:
        return (
            {k: round(won.get(k, 0.0) / total, 6) for k in keys},
            "won_revenue",
            "each persona's share of won revenue (won deals' amounts shared among their "
            "contacts' personas)",
        )
    share = round(1 / len(keys), 6) if keys else 0.0
    return (
        dict.fromkeys(keys, share),
        "equal",
        "equal for every persona: no won deals with persona assignments to weigh by",
    )


def run_gaps(query: GapsQuery, data: GapsInput) -> GapsResult:
    """The gaps (see the module); all personas' weights are computed before ``query``
    picks one, so a persona's weight is the same alone or among all."""
    weights, weighting, words = _weights(data.maps, data.won_revenue)
    maps = [m for m in data.maps if query.persona is None or m.persona == query.persona]
    cells: list[Cell] = []
    unanswered: list[Objection] = []
    questions: list[Question] = []
    pending: list[tuple[str, str, str, str]] = []  # kind, persona, stage, what
    n_objections = 0
    for m in maps:
        answered = {ln.ref for ln in m.lines if ln.kind == "answer" and ln.ref}
        for a in data.assets:
            if a.serves(m.persona, None):
                answered.update(a.objections)
        for stage in m.stages:
            here = [ln for ln in m.lines if ln.stage == stage]
            content = [a for a in data.assets if a.serves(m.persona, stage)]
            objections = [ln for ln in here if ln.kind == "objection"]
            open_ = [ln for ln in objections if ln.key not in answered]
            asked = [ln for ln in here if ln.kind == "question"]
            has_answer = bool(content) or any(ln.kind in ("answer", "content") for ln in here)
            lonely = [] if has_answer else asked
            n_objections += len(objections)
            cells.append(
                Cell(
                    persona=m.persona,
                    stage=stage,
                    content_count=len(content),
                    inbound=sum(1 for a in content if a.direction == "inbound"),
                    outbound=sum(1 for a in content if a.direction == "outbound"),
                    objections=len(objections),
                    unanswered=len(open_),
                    questions=len(asked),
                    unanswered_questions=len(lonely),
                )
            )
            for ln in open_:
                unanswered.append(Objection(ln.key, ln.text, m.persona, stage))
                pending.append(("unanswered_objection", m.persona, stage, f"{ln.key}: {ln.text}"))
            if not content:
                pending.append(("no_content", m.persona, stage, "no content for this stage"))
            for ln in lonely:
                questions.append(Question(ln.text, m.persona, stage))
                pending.append(("unanswered_question", m.persona, stage, ln.text))
    stage_at = {(m.persona, s): i for m in maps for i, s in enumerate(m.stages)}
    scored = sorted(
        pending,
        key=lambda p: (
            -IMPORTANCE[p[0]] * weights.get(p[1], 0.0),
            stage_at.get((p[1], p[2]), 0),
            p[1],
            p[3],
        ),
    )
    priorities = [
        Priority(
            rank=i + 1,
            kind=kind,
            persona=persona,
            stage=stage,
            what=what,
            weight=weights.get(persona, 0.0),
            score=round(IMPORTANCE[kind] * weights.get(persona, 0.0), 6),
        )
        for i, (kind, persona, stage, what) in enumerate(scored)
    ]
    return GapsResult(
        cells=cells,
        unanswered_objections=unanswered,
        unanswered_questions=questions,
        priorities=priorities,
        weights={k: v for k, v in weights.items() if query.persona is None or k == query.persona},
        weighting=weighting,
        weighting_words=words,
        personas=len(maps),
        objections=n_objections,
        assets=len(data.assets),
        inputs_hash=data.digest(),
    )
