"""The journey-against-funnel seam: one document for the CLI's ``--json``, the REST API and
the ``/journeys`` page alike (docs/journeys.md, "Journey against funnel").

- :func:`alignment_document` runs :func:`run_alignment` on the workspace's touchpoints,
  content, personas and the chosen pipeline's deals and history;
- :func:`mapping_document` is a pipeline's declared (or default) mapping;
- :func:`set_mapping_document` declares one journey stage's funnel stages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from buyermap.analytics.journeys.alignment import (
    AlignmentQuery,
    AlignmentResult,
    result_dict,
    run_alignment,
)
from buyermap.db.models import Pipeline
from buyermap.domain.journeys import stage_word
from buyermap.errors import NotFoundError
from buyermap.seams.alignment_data import alignment_input
from buyermap.services import journeys as journeys_svc
from buyermap.services import touchpoints as svc

EMPTY_WORDS = (
    "No touchpoints yet: import who touched which content and when "
    "(buyermap import touchpoints FILE, columns contact_email,url,at,channel)."
)


def _days(value: float | None) -> str:
    if value is None:
        return "no finished visit yet"
    return f"{value:g} day" if value == 1 else f"{value:g} days"


def _time_words(result: AlignmentResult, names: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for persona, stages in result.time_in_stage.items():
        rows = []
        for st in stages:
            words = (
                f"{stage_word(st.stage)}: {_days(st.median_days)}"
                if st.median_days is None
                else f"{stage_word(st.stage)}: median {_days(st.median_days)} over "
                f"{st.contacts} contact{'s' if st.contacts != 1 else ''} ({st.visits} visit"
                f"{'s' if st.visits != 1 else ''})"
            )
            if st.skipped:
                words += f"; {st.skipped} skipped it"
            rows.append(
                {
                    "stage": st.stage,
                    "label": stage_word(st.stage),
                    "median_days": st.median_days,
                    "contacts": st.contacts,
                    "visits": st.visits,
                    "skipped": st.skipped,
                    "words": words,
                }
            )
        out.append({"persona": persona, "name": names.get(persona, persona), "stages": rows})
    return out


def _check_persona(session: Session, persona: str | None) -> None:
    if persona is None:
        return
    known = [p.key for p in journeys_svc.personas(session)]
    if persona not in known:
        raise NotFoundError(
            f"no persona {persona!r}; valid personas: {', '.join(known) or 'none yet'}"
        )


def alignment_result(
    session: Session, *, pipeline: str | None = None, persona: str | None = None
) -> tuple[AlignmentResult, Pipeline | None]:
    chosen = svc.pipeline_for(session, pipeline)
    _check_persona(session, persona)
    data = alignment_input(session, pipeline=chosen)
    return run_alignment(AlignmentQuery(persona=persona), data), chosen


def alignment_document(
    session: Session, *, pipeline: str | None = None, persona: str | None = None
) -> dict[str, Any]:
    """The matrix (journey stage at each touch x the funnel stage of the contact's deal
    then), the share off the mapping, and time per journey stage by persona."""
    result, chosen = alignment_result(session, pipeline=pipeline, persona=persona)
    return document_of(session, result, chosen, persona=persona)


def document_of(
    session: Session,
    result: AlignmentResult,
    chosen: Pipeline | None,
    *,
    persona: str | None = None,
) -> dict[str, Any]:
    """:func:`alignment_document` of a result already run (the page draws it too)."""
    names = {p.key: p.name for p in journeys_svc.personas(session)}
    doc = result_dict(result)
    doc["matrix"]["row_labels"] = [stage_word(r) for r in result.rows]
    doc["time_in_stage_by_persona"] = _time_words(result, names)
    mapping, origin = svc.mapping_of(session, pipeline=chosen) if chosen else ({}, "default")
    share = result.off_mapping_share
    doc.update(
        {
            "pipeline": chosen.name if chosen else None,
            "persona": persona,
            "mapping": mapping,
            "mapping_origin": origin,
            "empty": result.touchpoints == 0,
            "words": (
                EMPTY_WORDS
                if result.touchpoints == 0
                else f"{result.matched} of {result.touchpoints} touchpoints fall on a deal's "
                f"stage; {'no share' if share is None else f'{share:.0%}'} of them lie off "
                "the mapping between journey and funnel stages."
            ),
        }
    )
    return doc


def mapping_document(session: Session, *, pipeline: str | None = None) -> dict[str, Any]:
    chosen = svc.pipeline_for(session, pipeline)
    if chosen is None:
        raise NotFoundError("no pipeline yet: import deals or create a pipeline first")
    mapping, origin = svc.mapping_of(session, pipeline=chosen)
    return {
        "pipeline": chosen.name,
        "origin": origin,
        "journey_stages": svc.journey_stages(session),
        "funnel_stages": [s.name for s in chosen.stages],
        "mapping": mapping,
    }


def set_mapping_document(
    session: Session,
    *,
    journey_stage: str,
    funnel: list[str],
    pipeline: str | None = None,
) -> dict[str, Any]:
    chosen = svc.pipeline_for(session, pipeline)
    if chosen is None:
        raise NotFoundError("no pipeline yet: import deals or create a pipeline first")
    svc.set_mapping(session, pipeline=chosen, journey_stage=journey_stage, funnel=funnel)
    return mapping_document(session, pipeline=chosen.name)


def reset_mapping_document(session: Session, *, pipeline: str | None = None) -> dict[str, Any]:
    chosen = svc.pipeline_for(session, pipeline)
    if chosen is None:
        raise NotFoundError("no pipeline yet: import deals or create a pipeline first")
    svc.reset_mapping(session, pipeline=chosen)
    return mapping_document(session, pipeline=chosen.name)
