"""Journeys in the web: ``/journeys`` (personas with their map's status and the gaps
heatmap), ``/journeys/{persona}`` (the stages x rows grid: add, edit, reorder and remove
lines, link an answer to an objection and content to a cell, publish, history with its
diff) and ``/content`` (the content library, filtered).

Forms post and redirect back (303); a refused form shows the page again with the message
and what was typed (422, or 409 when the line changed since it was read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.charts.journeys import gaps_heatmap
from buyermap.charts.render import to_svg
from buyermap.domain.journeys import KIND_WORDS, TEMPLATE_WORDS, TEMPLATES, stage_word
from buyermap.errors import BuyermapError
from buyermap.seams import journeys as seam
from buyermap.services import content as content_svc
from buyermap.services import journeys as svc
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import FormRejectedError, form_status
from buyermap.web.pages.alignment import alignment_context
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import render

router = APIRouter()

PersonaKey = Annotated[str, Path(min_length=1, max_length=80)]
Filter = Annotated[str | None, Query(max_length=80)]
TYPED = ("stage", "kind", "text", "key", "ref", "evidence", "evidence_count")


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _count(form: Any, name: str) -> int | None:
    text = _text(form, name).strip()
    return int(text) if text.isascii() and text.isdigit() else None


@router.get("/journeys", summary="Buyer journeys")
def journeys_page(request: Request, session: SessionDep) -> Response:
    """Each persona with its map's status, and the gaps heatmap (persona x stage) with the
    prioritised list; the documents ``GET /api/v1/journeys`` and ``/journeys/gaps`` give."""
    overview = seam.overview(session)
    result = seam.gaps(session)
    names = {p["persona"]: p["name"] for p in overview}
    heatmap = (
        to_svg(gaps_heatmap(result, names=names), title="Open gaps per persona and stage")
        if result.cells
        else None
    )
    return render(
        request,
        "journeys.html",
        {
            "overview": overview,
            "gaps": result,
            "heatmap": heatmap,
            "names": names,
            "stage_word": stage_word,
            "templates": TEMPLATE_WORDS,
            **alignment_context(session),
        },
    )


def _journey_context(session: Session, persona: str) -> dict[str, Any]:
    doc = seam.journey_document(session, persona=persona)
    history = seam.history_document(session, persona=persona)
    diff = seam.diff_document(session, persona=persona)
    gaps = seam.gaps(session, persona=persona)
    return {
        "doc": doc,
        "history": history,
        "diff": diff,
        "gaps": {(c.stage): c for c in gaps.cells},
        "kind_words": KIND_WORDS,
        "stage_word": stage_word,
        "assets": seam.content_documents(session),
        "error": None,
        "typed": dict.fromkeys(TYPED, ""),
    }


@router.get("/journeys/{persona}", summary="A persona's journey map")
def journey_page(
    request: Request,
    session: SessionDep,
    persona: PersonaKey,
    diff_from: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    diff_to: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> Response:
    """The stages x rows grid of the persona's draft, with its history and changes."""
    if svc.get_journey(session, persona) is None:
        ref = svc.find_persona(session, persona)
        return render(
            request,
            "journey_start.html",
            {
                "persona": persona,
                "name": ref.name if ref else persona,
                "templates": TEMPLATE_WORDS,
                "stages_of": TEMPLATES,
            },
            status_code=200 if ref else 404,
        )
    context = _journey_context(session, persona)
    if diff_from or diff_to:
        context["diff"] = seam.diff_document(
            session, persona=persona, from_version=diff_from, to_version=diff_to
        )
    return render(request, "journey.html", context)


def _refused(
    request: Request, session: Session, persona: str, exc: BuyermapError, typed: dict[str, str]
) -> FormRejectedError:
    context = _journey_context(session, persona)
    context["error"] = exc.message
    context["typed"] = {**context["typed"], **typed}
    return FormRejectedError(render(request, "journey.html", context, status_code=form_status(exc)))


def _back(persona: str, anchor: str = "grid") -> Response:
    return RedirectResponse(f"/journeys/{persona}#{anchor}", status_code=303)


@router.post("/journeys/{persona}/start", summary="Start a journey map", dependencies=[WRITE])
def start_journey(
    request: Request, session: SessionDep, persona: PersonaKey, form: FormDep
) -> Response:
    """Start the persona's map on a template (custom: stages separated by ';')."""
    template = _text(form, "template") or "seed5"
    stages = [s.strip() for s in _text(form, "stages").split(";") if s.strip()]
    svc.ensure_journey(session, persona=persona, template=template, stages=stages or None)
    return _back(persona)


@router.post("/journeys/{persona}/lines", summary="Add a journey line", dependencies=[WRITE])
def add_line(request: Request, session: SessionDep, persona: PersonaKey, form: FormDep) -> Response:
    """Add a line to a cell (an answer names the objection it answers)."""
    typed = {k: _text(form, k) for k in TYPED}
    try:
        svc.add_line(
            session,
            persona=persona,
            stage=typed["stage"],
            kind=typed["kind"],
            text=typed["text"],
            key=typed["key"],
            ref=typed["ref"],
            evidence=typed["evidence"],
            evidence_count=_count(form, "evidence_count"),
        )
    except BuyermapError as exc:
        raise _refused(request, session, persona, exc, typed) from None
    return _back(persona, f"stage-{typed['stage']}")


@router.post("/journey-lines/{line_id}/edit", summary="Change a journey line", dependencies=[WRITE])
def edit_line(request: Request, session: SessionDep, line_id: RecordId, form: FormDep) -> Response:
    """Change a line's text (and an answer's objection), from the version it was read at."""
    line = svc.get_line(session, line_id=line_id)
    persona = line.journey.persona_key
    ref = _text(form, "ref") if line.kind == "answer" and "ref" in form else None
    try:
        svc.update_line(
            session,
            line_id=line_id,
            text=_text(form, "text"),
            ref=ref,
            version=_count(form, "version"),
        )
    except BuyermapError as exc:
        raise _refused(request, session, persona, exc, {}) from None
    return _back(persona, f"line-{line_id}")


@router.post(
    "/journey-lines/{line_id}/move", summary="Reorder a journey line", dependencies=[WRITE]
)
def move_line(session: SessionDep, line_id: RecordId, form: FormDep) -> Response:
    """Move a line up or down in its cell."""
    line = svc.move_line(session, line_id=line_id, by=-1 if _text(form, "by") == "up" else 1)
    return _back(line.journey.persona_key, f"line-{line_id}")


@router.post(
    "/journey-lines/{line_id}/delete", summary="Remove a journey line", dependencies=[WRITE]
)
def delete_line(session: SessionDep, line_id: RecordId) -> Response:
    """Remove a line (an objection with its answers)."""
    persona = svc.get_line(session, line_id=line_id).journey.persona_key
    svc.delete_line(session, line_id=line_id)
    return _back(persona)


@router.post("/journeys/{persona}/content", summary="Link content to a cell", dependencies=[WRITE])
def link_content(
    request: Request, session: SessionDep, persona: PersonaKey, form: FormDep
) -> Response:
    """Link a library asset to one stage of the persona's map."""
    stage = _text(form, "stage")
    try:
        content_svc.link_asset(
            session, asset_id=_count(form, "asset") or 0, persona=persona, stage=stage
        )
    except BuyermapError as exc:
        raise _refused(request, session, persona, exc, {}) from None
    return _back(persona, f"stage-{stage}")


@router.post("/journeys/{persona}/publish", summary="Publish a journey map", dependencies=[WRITE])
def publish(session: SessionDep, persona: PersonaKey) -> Response:
    """Publish the draft as the next version."""
    svc.publish(session, persona=persona)
    return _back(persona, "history")


@router.get("/content", summary="The content library")
def content_page(
    request: Request,
    session: SessionDep,
    persona: Filter = None,
    stage: Filter = None,
    type: Filter = None,
    direction: Annotated[str | None, Query(pattern="^(inbound|outbound|)$")] = None,
) -> Response:
    """Assets with their personas, stages and the objections they answer, filtered."""
    everything = seam.content_documents(session)
    assets = seam.content_documents(
        session,
        persona=persona or None,
        stage=stage or None,
        type=type or None,
        direction=direction or None,
    )
    return render(
        request,
        "content.html",
        {
            "assets": assets,
            "total": len(everything),
            "filters": {
                "persona": persona or "",
                "stage": stage or "",
                "type": type or "",
                "direction": direction or "",
            },
            "personas": [p.key for p in svc.personas(session)],
            "stages": sorted({s for a in everything for s in a["stages"]}),
            "types": sorted({a["type"] for a in everything if a["type"]}),
            "stage_word": stage_word,
        },
    )
