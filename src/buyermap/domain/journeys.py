"""Buyer journeys: stage templates, the kinds of line a journey map holds, and the diff
between two versions of a map. Plain types and rules; no I/O.

A journey map belongs to one persona and one stage template. Each stage holds lines of six
kinds: the buyer's tasks, their questions (including the phrases they search for), the
channels where they look, their objections (each with a ``key``), our answers (each tied to
an objection's key by ``ref``) and our content. A line carries its evidence: a free text
(where it came from) and a count (how many interviews or answers said so).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class LineKind(StrEnum):
    TASK = "task"
    QUESTION = "question"
    CHANNEL = "channel"
    OBJECTION = "objection"
    ANSWER = "answer"
    CONTENT = "content"


KINDS: tuple[str, ...] = tuple(k.value for k in LineKind)
KIND_WORDS: dict[str, str] = {
    "task": "What they must get done",
    "question": "What they ask and search for",
    "channel": "Where they look",
    "objection": "What holds them back",
    "answer": "Our answers",
    "content": "Our content",
}


class TemplateName(StrEnum):
    SEED5 = "seed5"
    CONSUMER4 = "consumer4"
    B2B6 = "b2b6"
    CUSTOM = "custom"


# The stage templates of the trainers we follow (issue 12): stage key -> words.
TEMPLATES: dict[str, dict[str, str]] = {
    "seed5": {
        "problem_awareness": "Problem awareness",
        "concept_search": "Search for a concept",
        "education": "Education",
        "concept_choice": "Choice of a concept",
        "purchase": "Purchase",
    },
    "consumer4": {
        "problem": "Problem",
        "solutions": "Solutions",
        "requirements": "Requirements",
        "supplier_research": "Supplier research",
    },
    "b2b6": {
        "problem_identification": "Problem identification",
        "solution_exploration": "Solution exploration",
        "requirements_building": "Requirements building",
        "supplier_selection": "Supplier selection",
        "validation": "Validation",
        "consensus": "Consensus across the team",
    },
}
TEMPLATE_WORDS: dict[str, str] = {
    "seed5": "Five buying stages (problem awareness to purchase)",
    "consumer4": "Four consumer stages (problem to supplier research)",
    "b2b6": "Six B2B stages (problem identification to consensus)",
    "custom": "Stages of your own",
}
DEFAULT_TEMPLATE = "seed5"
CUSTOM = "custom"
STATUSES = ("draft", "published")
DIRECTIONS = ("inbound", "outbound")


def stage_key(text: str) -> str:
    """A custom stage's key from its words: ``Proof of value`` -> ``proof_of_value``
    (letters of any language kept, accents too)."""
    return re.sub(r"[\W]+", "_", unicodedata.normalize("NFC", text).strip().lower()).strip("_")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """A line's text as kept: NFC, control characters dropped, runs of blanks one space."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", str(text))).split())


def stage_word(key: str) -> str:
    for stages in TEMPLATES.values():
        if key in stages:
            return stages[key]
    return key.replace("_", " ").capitalize()


def template_stages(template: str, custom: list[str] | None = None) -> list[str]:
    """The stage keys of ``template`` in order; ``custom`` takes the given keys."""
    if template == CUSTOM:
        return list(custom or [])
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; valid: {', '.join([*TEMPLATES, CUSTOM])}")
    return list(TEMPLATES[template])


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a map, as it is compared between versions (no ids, no positions)."""

    stage: str
    kind: str
    text: str
    key: str = ""
    ref: str = ""
    evidence: str = ""
    evidence_count: int | None = None

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What names a line across versions: an objection by its key, others by text."""
        if self.kind == LineKind.OBJECTION and self.key:
            return (self.stage, self.kind, self.key, "")
        return (self.stage, self.kind, self.text.casefold(), self.ref)

    def to_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "kind": self.kind,
            "key": self.key,
            "text": self.text,
            "ref": self.ref,
            "evidence": self.evidence,
            "evidence_count": self.evidence_count,
        }


@dataclass(frozen=True, slots=True)
class LineChange:
    change: str  # added | removed | changed
    stage: str
    kind: str
    text: str
    before: str | None = None  # the old text, for changed lines

    def to_dict(self) -> dict[str, object]:
        return {
            "change": self.change,
            "stage": self.stage,
            "kind": self.kind,
            "text": self.text,
            "before": self.before,
        }


def _numbered(lines: list[Line]) -> dict[tuple[object, ...], Line]:
    """Lines by identity and occurrence: two equal lines in a cell are two lines."""
    seen: dict[tuple[str, str, str, str], int] = {}
    out: dict[tuple[object, ...], Line] = {}
    for line in lines:
        n = seen.get(line.identity, 0)
        seen[line.identity] = n + 1
        out[(*line.identity, n)] = line
    return out


def diff_lines(before: list[Line], after: list[Line]) -> list[LineChange]:
    """What changed from ``before`` to ``after``: lines added, removed, or changed (same
    identity, other text or evidence); order within a cell is not a change."""
    old = _numbered(before)
    new = _numbered(after)
    changes: list[LineChange] = []
    for ident, line in new.items():
        was = old.get(ident)
        if was is None:
            changes.append(LineChange("added", line.stage, line.kind, line.text))
        elif was != line:
            changes.append(LineChange("changed", line.stage, line.kind, line.text, was.text))
    for ident, line in old.items():
        if ident not in new:
            changes.append(LineChange("removed", line.stage, line.kind, line.text))
    return changes


def check_line(
    *, stage: str, kind: str, key: str, ref: str, stages: list[str], objection_keys: set[str]
) -> list[tuple[str, str]]:
    """What is wrong with one line: (column, message naming the bad value and valid ones)."""
    problems: list[tuple[str, str]] = []
    if stage not in stages:
        problems.append(
            ("stage", f"unknown stage {stage!r} for this template; valid: {', '.join(stages)}")
        )
    if kind not in KINDS:
        problems.append(("kind", f"unknown kind {kind!r}; valid: {', '.join(KINDS)}"))
    for name, value, limit in (("key", key, 80), ("ref", ref, 80)):
        if "[" in value or "]" in value or len(value) > limit:
            problems.append(
                (name, f"{name} {value[:40]!r} must have at most {limit} characters, no [ or ]")
            )
    if kind == LineKind.OBJECTION and not key:
        problems.append(("key", "an objection needs a key (a short name answers refer to)"))
    if kind == LineKind.ANSWER:
        if not ref:
            problems.append(("ref", "an answer needs ref: the key of the objection it answers"))
        elif ref not in objection_keys:
            known = ", ".join(sorted(objection_keys)) or "none yet"
            problems.append(
                (
                    "ref",
                    f"answer refers to objection {ref!r}, which this persona has not; "
                    f"its objections: {known}",
                )
            )
    return problems
