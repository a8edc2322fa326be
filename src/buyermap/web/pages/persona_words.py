"""Personas in words in the web: make a persona by hand (``/personas/new``, with a picture
upload), edit any persona's words (``/personas/{key}/edit``: a discovered persona is renamed
and described in place, its evidence stays), a hand-made persona's page, and the
department sheets (``/personas/{key}/sheet/{department}``). Every form goes through the
seam the CLI and the API use (:mod:`buyermap.seams.persona_profiles`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.schemas.persona_profiles import (
    DEPARTMENTS,
    Department,
    PersonaProfileCreate,
    PersonaProfilePublic,
    PersonaProfileUpdate,
)
from buyermap.seams import persona_profiles as seam
from buyermap.seams.requests import build
from buyermap.services.persona_profiles import is_hand_made
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import FormField, FormRejectedError, FormState, form_status
from buyermap.web.pages.editing import FormDep
from buyermap.web.templating import render

router = APIRouter()

RunParam = Annotated[str | None, Query()]
LINES = ("goals", "frustrations", "channels", "messages", "questions")
ROLES = (("", "Not said"), ("buyer", "Buyer"), ("end_user", "End user"))


def persona_fields(*, discovered: bool) -> list[FormField]:
    one = "One per line"
    fields = [
        FormField("name", "Name", required=True),
        FormField("description", "Short description", kind="textarea"),
        FormField("role", "Buyer or end user", kind="select", choices=ROLES),
        FormField("demographics", "Demographics", kind="textarea", hint="Age, place, job"),
        FormField("goals", "Goals and motivations", kind="textarea", hint=one),
        FormField("frustrations", "Frustrations", kind="textarea", hint=one),
        FormField("behaviour_online", "Behaviour online", kind="textarea"),
        FormField("behaviour_offline", "Behaviour offline", kind="textarea"),
        FormField("channels", "Where they look", kind="textarea", hint=one),
        FormField("messages", "Our messages to them", kind="textarea", hint=one),
        FormField(
            "objections",
            "Objections and our answers",
            kind="textarea",
            hint="One per line: objection | our answer",
        ),
        FormField("questions", "What they ask support", kind="textarea", hint=one),
    ]
    return fields[:2] if discovered else fields


def _values_of(p: PersonaProfilePublic) -> dict[str, str]:
    values: dict[str, str] = {
        "name": p.name,
        "description": p.description,
        "role": p.role or "",
        "demographics": p.demographics,
        "behaviour_online": p.behaviour_online,
        "behaviour_offline": p.behaviour_offline,
        "objections": "\n".join(
            f"{o.objection} | {o.answer}" if o.answer else o.objection for o in p.objections
        ),
    }
    for name in LINES:
        values[name] = "\n".join(getattr(p, name))
    return values


def _body(form: FormData, fields: list[FormField]) -> tuple[dict[str, str], dict[str, Any]]:
    typed = {f.name: str(form.get(f.name, "")) for f in fields}
    values: dict[str, Any] = {}
    for name, text in typed.items():
        if name in LINES:
            values[name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif name == "objections":
            values[name] = [
                {"objection": o.strip(), "answer": a.strip()}
                for o, _, a in (line.partition("|") for line in text.splitlines())
                if o.strip()
            ]
        elif name == "role":
            values[name] = text or None
        else:
            values[name] = text.strip() if name == "name" else text
    return typed, values


async def _picture(form: FormData) -> bytes | None:
    upload = form.get("picture")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        return data or None
    return None


def _place(state: FormState, exc: BuyermapError) -> None:
    errors = exc.details.get("errors") if isinstance(exc, InvalidValueError) else None
    if errors:
        for e in errors:
            field = str(e["field"]).split(".")[0]
            state.add_error(field, f"{state.label_of(field)}: {e['message']}")
    else:
        state.add_error(None, exc.message)


def _form_page(
    request: Request, *, state: FormState, persona: PersonaProfilePublic | None, status: int
) -> Response:
    return render(
        request, "persona_form.html", {"form": state, "persona": persona}, status_code=status
    )


@router.get("/personas/new", summary="Make a persona by hand")
def new_persona_page(request: Request) -> Response:
    """The form for a workshop's persona: name, picture, and what the workshop said."""
    state = FormState(persona_fields(discovered=False))
    return _form_page(request, state=state, persona=None, status=200)


@router.post("/personas/new", summary="Save a hand-made persona", dependencies=[WRITE])
async def create_persona_page(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Save the persona and show it; a bad value shows the form again with the message."""
    fields = persona_fields(discovered=False)
    typed, values = _body(form, fields)
    state = FormState(fields, typed)
    try:
        body = build(PersonaProfileCreate, **values)
        made = seam.create_persona(session, body, picture_bytes=await _picture(form))
    except BuyermapError as exc:
        _place(state, exc)
        status = 422 if isinstance(exc, InvalidValueError) else form_status(exc)
        raise FormRejectedError(
            _form_page(request, state=state, persona=None, status=status)
        ) from None
    return RedirectResponse(f"/personas/{made.key}", status_code=303)


@router.get("/personas/{key}/edit", summary="Edit a persona")
def edit_persona_page(
    request: Request, session: SessionDep, key: str, run: RunParam = None
) -> Response:
    """Edit a persona's words; a discovered persona's name and description (its evidence
    stays with the run)."""
    p = seam.show_persona(session, key=key, run=run)
    state = FormState(persona_fields(discovered=p.backed_by_data), _values_of(p))
    state.version = p.version
    return _form_page(request, state=state, persona=p, status=200)


@router.post("/personas/{key}/edit", summary="Save a persona's words", dependencies=[WRITE])
async def save_persona_page(
    request: Request, session: SessionDep, key: str, form: FormDep, run: RunParam = None
) -> Response:
    """Save the edit and go back to the persona."""
    p = seam.show_persona(session, key=key, run=run)
    fields = persona_fields(discovered=p.backed_by_data)
    typed, values = _body(form, fields)
    version = str(form.get("version", ""))
    if version.isdigit():
        values["version"] = int(version)
    state = FormState(fields, typed)
    state.version = p.version
    try:
        body = build(PersonaProfileUpdate, **values)
        seam.edit_persona(session, key=key, body=body, run=run, picture_bytes=await _picture(form))
    except BuyermapError as exc:
        _place(state, exc)
        status = 422 if isinstance(exc, InvalidValueError) else form_status(exc)
        raise FormRejectedError(
            _form_page(request, state=state, persona=p, status=status)
        ) from None
    query = f"?run={run}" if run else ""
    return RedirectResponse(f"/personas/{key}{query}", status_code=303)


def hand_made_page(request: Request, session: SessionDep, key: str) -> Response:
    """A hand-made persona's page (called by the persona page for ``h-`` keys)."""
    p = seam.show_persona(session, key=key)
    return render(request, "persona_hand_made.html", {"p": p, "departments": DEPARTMENTS})


@router.get("/personas/{key}/sheet/{department}", summary="A persona's department sheet")
def sheet_page(
    request: Request, session: SessionDep, key: str, department: Department, run: RunParam = None
) -> Response:
    """The persona as marketing, sales, product or support needs it (printable)."""
    sheet = seam.persona_sheet(session, key=key, department=department, run=run)
    p = seam.show_persona(session, key=key, run=run)
    return render(
        request,
        "persona_sheet.html",
        {"sheet": sheet, "p": p, "departments": DEPARTMENTS, "run_q": f"?run={run}" if run else ""},
    )


def uploaded_picture(session: SessionDep, key: str, run: str | None, size: int) -> bytes | None:
    """The persona's picture as PNG of ``size`` when uploaded or hand-made, else None (the
    caller draws the discovered persona's generated one)."""
    if not is_hand_made(session, key=key) and seam.picture(session, key=key, run=run) is None:
        return None
    return seam.png_bytes(seam.picture_image(session, key=key, run=run), size=size)
