"""Form answers as evidence: the kept answers and their themes, one document each for the
CLI, REST and the pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from buyermap.analytics.journeys.themes import MAX_CLUSTERS as MAX_CLUSTERS
from buyermap.analytics.journeys.themes import Answer, Rule, run_themes
from buyermap.errors import NotFoundError
from buyermap.services import form_answers as svc
from buyermap.services import journeys as journeys_svc


def _check_persona(session: Session, persona: str | None) -> None:
    if persona is not None and journeys_svc.find_persona(session, persona) is None:
        valid = ", ".join(sorted(p.key for p in journeys_svc.personas(session)))
        raise NotFoundError(
            f"no persona {persona!r}; valid: {valid or '(none yet)'}", details={"field": "persona"}
        )


def answers_document(
    session: Session, *, persona: str | None = None, question: str | None = None
) -> dict[str, Any]:
    """The kept answers (of ``persona``, to ``question``), oldest first."""
    _check_persona(session, persona)
    rows = svc.answers(session, persona=persona, question=question)
    return {
        "persona": persona,
        "count": len(rows),
        "answers": [
            {
                "id": a.id,
                "persona": a.persona_key,
                "respondent": a.respondent,
                "contact_id": a.contact_id,
                "question": a.question,
                "answer": a.answer,
                "answered_at": a.answered_at.isoformat(),
                "stage": a.stage or None,
                "objection": a.objection or None,
                "source": f"{a.source_file}, line {a.line}",
            }
            for a in rows
        ],
    }


def themes_document(
    session: Session, *, persona: str | None = None, max_clusters: int = MAX_CLUSTERS
) -> dict[str, Any]:
    """The kept answers (of ``persona``) grouped into themes: one per keyword rule that
    catches some, then clusters of the rest; each with a suggested stage or objection."""
    _check_persona(session, persona)
    kept = svc.answers(session, persona=persona)
    given = [
        Answer(a.id, a.answer, a.question, (a.stage, a.objection) if a.stage else None)
        for a in kept
    ]
    rules = [Rule(kind, key, words) for kind, key, words in svc.keyword_rules(session)]
    result = run_themes(given, rules, max_clusters=max_clusters)
    notes = list(result.notes)
    if not kept:
        notes.append(
            "no answers kept yet: import a form export with buyermap journeys answers import FILE"
        )
    elif not rules:
        notes.append(
            "no keyword rules yet: themes are clusters only; add rules with buyermap journeys "
            "answers keywords FILE (columns kind,key,word)"
        )
    return {
        "persona": persona,
        "answers": result.answers,
        "unthemed": result.unthemed,
        "rules": len(rules),
        "themes": [t.to_dict() for t in result.themes],
        "notes": notes,
        "version": result.version,
    }
