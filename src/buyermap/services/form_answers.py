"""Form answers kept as evidence (imported by :mod:`buyermap.io.form_answers`): where a
question's answers belong (a journey stage and, optionally, an objection), the keyword
rules that file answers into themes (:mod:`buyermap.analytics.journeys.themes`), and the
kept answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from buyermap.db.models import (
    FormAnswer,
    FormKeyword,
    FormQuestionMap,
    Journey,
    JourneyLine,
)
from buyermap.domain.journeys import TEMPLATES, clean_text, stage_key
from buyermap.errors import InvalidValueError, NotFoundError

KINDS = ("stage", "objection")


def stage_keys(session: Session) -> list[str]:
    """Every stage an answer can be filed under: the templates' and the journeys' own."""
    out = [k for stages in TEMPLATES.values() for k in stages]
    for stages in session.scalars(select(Journey.stages)):
        out.extend(s for s in stages or [] if s not in out)
    return out


def objection_keys(session: Session) -> list[str]:
    """The keys of the objections on the journey maps."""
    rows = session.scalars(
        select(JourneyLine.key)
        .where(JourneyLine.kind == "objection", JourneyLine.key != "")
        .distinct()
        .order_by(JourneyLine.key)
    )
    return list(rows)


def _checked_stage(session: Session, stage: str, *, what: str) -> str:
    key = stage_key(stage)
    valid = stage_keys(session)
    if key not in valid:
        raise InvalidValueError(
            f"{what}: stage {stage!r} is not a journey stage; valid: {', '.join(valid)}",
            details={"field": "stage"},
        )
    return key


def _checked_objection(session: Session, objection: str, *, what: str) -> str:
    if not objection:
        return ""
    valid = objection_keys(session)
    if objection not in valid:
        raise InvalidValueError(
            f"{what}: objection {objection!r} is on no journey map; valid keys: "
            f"{', '.join(valid) or '(none yet: add objections with buyermap journeys import)'}",
            details={"field": "objection"},
        )
    return objection


def map_questions(
    session: Session, rows: Iterable[tuple[int, str, str, str]]
) -> list[dict[str, Any]]:
    """Say where the answers to each question belong: ``(line, question, stage,
    objection)``; the kept answers to it are filed there too. A bad stage or objection is
    refused with its line."""
    out = []
    for line, question, stage, objection in rows:
        what = f"line {line}"
        question = clean_text(question)
        if not question or len(question) > 500:
            raise InvalidValueError(
                f"{what}: the question has {len(question)} characters; 1 to 500",
                details={"field": "question"},
            )
        key = _checked_stage(session, stage, what=what)
        obj = _checked_objection(session, objection, what=what)
        found = session.scalar(select(FormQuestionMap).where(FormQuestionMap.question == question))
        if found is None:
            session.add(FormQuestionMap(question=question, stage=key, objection=obj))
        else:
            found.stage, found.objection = key, obj
        moved = session.execute(
            update(FormAnswer)
            .where(FormAnswer.question == question)
            .values(stage=key, objection=obj)
        )
        out.append(
            {
                "question": question,
                "stage": key,
                "objection": obj or None,
                "answers": int(moved.rowcount or 0),  # type: ignore[attr-defined]
            }
        )
    session.flush()
    return out


def set_keywords(session: Session, rows: Iterable[tuple[int, str, str, str]]) -> int:
    """Keep keyword rules ``(line, kind, key, word)``: ``kind`` stage or objection, ``key``
    a stage or an objection's key, ``word`` a keyword (``cena``) or a prefix (``cen*``).
    Returns how many were new."""
    added = 0
    for line, kind, key, word in rows:
        what = f"line {line}"
        kind = kind.strip().lower()
        if kind not in KINDS:
            raise InvalidValueError(
                f"{what}: kind {kind!r} is not one of {', '.join(KINDS)}", details={"field": "kind"}
            )
        key = (
            _checked_stage(session, key, what=what)
            if kind == "stage"
            else _checked_objection(session, key.strip(), what=what)
        )
        if not key:
            raise InvalidValueError(f"{what}: the key is empty", details={"field": "key"})
        word = clean_text(word).lower()
        if len(word) > 80:
            raise InvalidValueError(
                f"{what}: keyword {word[:40]!r}... has {len(word)} characters; at most 80",
                details={"field": "word"},
            )
        if not any(ch.isalnum() for ch in word.rstrip("*")):
            raise InvalidValueError(
                f"{what}: keyword {word!r} has no letter or digit", details={"field": "word"}
            )
        exists = session.scalar(
            select(FormKeyword.id).where(
                FormKeyword.kind == kind, FormKeyword.key == key, FormKeyword.word == word
            )
        )
        if exists is None:
            session.add(FormKeyword(kind=kind, key=key, word=word))
            added += 1
    session.flush()
    return added


def keyword_rules(session: Session) -> list[tuple[str, str, tuple[str, ...]]]:
    """The keyword rules as (kind, key, words), objections first (they say more than a
    stage), by key."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for k in session.scalars(select(FormKeyword).order_by(FormKeyword.id)):
        grouped.setdefault((k.kind, k.key), []).append(k.word)
    order = sorted(grouped, key=lambda kk: (kk[0] != "objection", kk[1]))
    return [(kind, key, tuple(grouped[(kind, key)])) for kind, key in order]


def answers(
    session: Session, *, persona: str | None = None, question: str | None = None
) -> Sequence[FormAnswer]:
    stmt = select(FormAnswer).order_by(FormAnswer.answered_at, FormAnswer.id)
    if persona is not None:
        stmt = stmt.where(FormAnswer.persona_key == persona)
    if question is not None:
        stmt = stmt.where(FormAnswer.question == question)
    return list(session.scalars(stmt))


def questions(session: Session) -> list[dict[str, Any]]:
    """Every question with kept answers or a mapping: its answer count and where its
    answers belong (stage and objection, empty when unmapped), the most answered first."""
    counts = dict(
        session.execute(
            select(FormAnswer.question, func.count()).group_by(FormAnswer.question)
        ).all()
    )
    maps = {m.question: m for m in session.scalars(select(FormQuestionMap))}
    out = [
        {
            "question": q,
            "answers": int(counts.get(q, 0)),
            "stage": maps[q].stage if q in maps else "",
            "objection": maps[q].objection if q in maps else "",
        }
        for q in {*counts, *maps}
    ]
    return sorted(out, key=lambda d: (-d["answers"], d["question"]))


def keywords(session: Session) -> Sequence[FormKeyword]:
    """The keyword rules one by one, objections first, by key and word."""
    return list(
        session.scalars(
            select(FormKeyword).order_by(FormKeyword.kind, FormKeyword.key, FormKeyword.word)
        )
    )


def remove_keyword(session: Session, keyword_id: int) -> FormKeyword:
    """Remove one keyword rule (NotFoundError when there is none of that id)."""
    found = session.get(FormKeyword, keyword_id)
    if found is None:
        raise NotFoundError(f"no keyword rule {keyword_id}")
    session.delete(found)
    session.flush()
    return found
