"""``/answers``: what buyers told us in forms. Upload a form export (Google Forms,
Microsoft Forms, Typeform; CSV in any code page or XLSX), say where each question's answers
belong (a journey stage and, if it asks about one, an objection), keep keyword rules, and
read the answers grouped into themes with the stage or objection each theme suggests; the
same services as ``buyermap journeys answers`` and ``journeys themes``.

Forms post and redirect back (303); a refused form shows the page again with the message
(422). An upload with bad rows writes nothing unless "import the good responses" is
ticked, and the page lists every bad row with its line and reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.domain.journeys import stage_word
from buyermap.errors import BuyermapError
from buyermap.io.form_answers import AnswersReport, import_form_answers
from buyermap.seams import form_answers as seam
from buyermap.services import form_answers as svc
from buyermap.services import journeys as journeys_svc
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.forms import FormRejectedError, form_status
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import render
from buyermap.web.uploads import save_upload

router = APIRouter()

PersonaQ = Annotated[str | None, Query(max_length=80)]
MAX_BAD_SHOWN = 50


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _context(
    session: Session,
    persona: str | None,
    *,
    report: AnswersReport | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    personas = journeys_svc.personas(session)
    known = {p.key for p in personas}
    shown = persona if persona in known else None
    return {
        "personas": personas,
        "names": {p.key: p.name for p in personas},
        "persona": shown,
        "questions": svc.questions(session),
        "stages": svc.stage_keys(session),
        "objections": svc.objection_keys(session),
        "keywords": svc.keywords(session),
        "themes": seam.themes_document(session, persona=shown),
        "stage_word": stage_word,
        "report": report.to_dict() if report is not None else None,
        "max_bad": MAX_BAD_SHOWN,
        "error": error,
    }


def _refused(request: Request, session: Session, exc: BuyermapError) -> FormRejectedError:
    context = _context(session, None, error=exc.message)
    return FormRejectedError(render(request, "answers.html", context, status_code=form_status(exc)))


@router.get("/answers", summary="What buyers told us")
def answers_page(request: Request, session: SessionDep, persona: PersonaQ = None) -> Response:
    """The questions with where their answers belong, the keyword rules, and the answers
    grouped into themes (of one persona, or all)."""
    return render(request, "answers.html", _context(session, persona))


@router.post("/answers/import", summary="Import form answers", dependencies=[WRITE])
async def answers_import(
    request: Request, session: SessionDep, settings: SettingsDep, file: UploadFile
) -> Response:
    """Keep the open answers of an uploaded form export; show what the import did."""
    form = await request.form()
    persona = _text(form, "persona") or None
    partial = form.get("partial") == "yes"
    try:
        upload = await save_upload(settings, file)
        report = import_form_answers(
            session,
            path=upload.path,
            name=upload.name,
            persona=persona,
            partial=partial,
            quarantine=upload.path.with_name("quarantine.csv"),
        )
    except BuyermapError as exc:
        raise _refused(request, session, exc) from None
    return render(request, "answers.html", _context(session, None, report=report))


@router.post("/answers/map", summary="Say where a question's answers belong", dependencies=[WRITE])
def answers_map(request: Request, session: SessionDep, form: FormDep) -> Response:
    """File a question's answers under a stage (and an objection, if it asks about one)."""
    row = (1, _text(form, "question"), _text(form, "stage"), _text(form, "objection"))
    try:
        svc.map_questions(session, [row])
    except BuyermapError as exc:
        raise _refused(request, session, exc) from None
    return RedirectResponse("/answers#questions", status_code=303)


@router.post("/answers/keywords", summary="Add a keyword rule", dependencies=[WRITE])
def keyword_add(request: Request, session: SessionDep, form: FormDep) -> Response:
    """A keyword (or a prefix ending in ``*``) that files an answer under an objection or a
    stage."""
    row = (1, _text(form, "kind"), _text(form, "key"), _text(form, "word"))
    try:
        svc.set_keywords(session, [row])
    except BuyermapError as exc:
        raise _refused(request, session, exc) from None
    return RedirectResponse("/answers#keywords", status_code=303)


@router.post(
    "/answers/keywords/{keyword_id}/delete", summary="Remove a keyword rule", dependencies=[WRITE]
)
def keyword_remove(session: SessionDep, keyword_id: RecordId) -> Response:
    """Remove a keyword rule; the themes no longer use it."""
    svc.remove_keyword(session, keyword_id)
    return RedirectResponse("/answers#keywords", status_code=303)
