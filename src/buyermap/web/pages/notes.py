"""Log, edit and delete notes (calls, meetings, interviews, ...) on an account, contact or
deal page, in place with HTMX (without JavaScript each form posts and redirects back).

``POST /accounts/{id}/notes`` (and ``/contacts/...``, ``/deals/...``) answers the page's
notes region (``#notes-body``: the form and the list); ``GET /notes/{id}/edit`` the note's
inline form, ``POST /notes/{id}/edit`` the note (a stale version: the form with both
values), ``POST /notes/{id}/delete`` nothing (the note leaves the list).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.db.models import Note
from buyermap.errors import BuyermapError, ConflictError
from buyermap.schemas.notes import NoteCreate, NoteUpdate
from buyermap.services import accounts, contacts, deals
from buyermap.services import notes as svc
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import (
    FormField,
    FormRejectedError,
    FormState,
    edit_state,
    form_status,
    parse_form,
    place_conflict,
    place_error,
    submitted,
    values_of,
)
from buyermap.web.pages import choices
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import is_htmx, render

router = APIRouter()

# link of a note -> (path of the record's page, how to check that the record exists)
OWNERS: dict[str, tuple[str, Any]] = {
    "account_id": ("/accounts", lambda s, i: accounts.get_account(s, account_id=i)),
    "contact_id": ("/contacts", lambda s, i: contacts.get_contact(s, contact_id=i)),
    "deal_id": ("/deals", lambda s, i: deals.get_deal(s, deal_id=i)),
}


def note_fields() -> list[FormField]:
    return [
        FormField("kind", "Kind", kind="select", choices=choices.note_kind_choices()),
        FormField("title", "Title"),
        FormField("occurred_at", "When", kind="date", hint="Today when left empty"),
        FormField("tags", "Tags", kind="multi", hint="Separate with commas, e.g. pricing, IT"),
        FormField("body", "What was said or learnt", kind="textarea", required=True),
    ]


def notes_context(
    session: Session, *, link: str, owner_id: int, state: FormState | None = None
) -> dict[str, Any]:
    """The notes region of a record's page: its notes and the form to log one."""
    path = OWNERS[link][0]
    return {
        "notes": svc.notes_for(session, **{link: owner_id}),
        "notes_url": f"{path}/{owner_id}/notes",
        "note_form": state or FormState(note_fields(), {"kind": "note"}),
        "kind_labels": choices.NOTE_KIND_LABELS,
    }


def _add(request: Request, session: Session, link: str, owner_id: int, form: Any) -> Response:
    path, get = OWNERS[link]
    get(session, owner_id)
    fields = note_fields()
    values, _ = submitted(form, fields)
    state = FormState(fields, values)
    status = 422
    data = parse_form(NoteCreate, state, extra={link: owner_id})
    if data is not None:
        try:
            svc.add_note(session, data=data)
        except BuyermapError as exc:
            place_error(state, exc)
            status = form_status(exc)
        else:
            if not is_htmx(request):
                return RedirectResponse(f"{path}/{owner_id}#notes", status_code=303)
            context = notes_context(session, link=link, owner_id=owner_id)
            return render(request, "notes.html", context, block="notes")
    context = notes_context(session, link=link, owner_id=owner_id, state=state)
    raise FormRejectedError(
        render(request, "notes.html", context, block="notes", status_code=status)
    )


@router.post(
    "/accounts/{account_id}/notes", summary="Log a note on an account", dependencies=[WRITE]
)
def add_account_note(
    request: Request, session: SessionDep, account_id: RecordId, form: FormDep
) -> Response:
    """Log a note, call, meeting or interview about the account."""
    return _add(request, session, "account_id", account_id, form)


@router.post(
    "/contacts/{contact_id}/notes", summary="Log a note on a contact", dependencies=[WRITE]
)
def add_contact_note(
    request: Request, session: SessionDep, contact_id: RecordId, form: FormDep
) -> Response:
    """Log a note, call, meeting or interview about the person."""
    return _add(request, session, "contact_id", contact_id, form)


@router.post("/deals/{deal_id}/notes", summary="Log a note on a deal", dependencies=[WRITE])
def add_deal_note(
    request: Request, session: SessionDep, deal_id: RecordId, form: FormDep
) -> Response:
    """Log a note, call, meeting or interview about the deal."""
    return _add(request, session, "deal_id", deal_id, form)


def _page_of(note: Note) -> str:
    """The page a note is shown on: its deal's, else its contact's, else its account's."""
    for link in ("deal_id", "contact_id", "account_id"):
        owner = getattr(note, link)
        if owner is not None:
            return f"{OWNERS[link][0]}/{owner}#notes"
    return "/"


def _note_response(
    request: Request, note: Note, state: FormState | None, *, status: int = 200
) -> Response:
    context = {
        "note": note,
        "edit": state,
        "kind_labels": choices.NOTE_KIND_LABELS,
        "back": _page_of(note),
    }
    return render(request, "note.html", context, block="note", status_code=status)


@router.get("/notes/{note_id}/edit", summary="Edit a note")
def edit_note(request: Request, session: SessionDep, note_id: RecordId) -> Response:
    """The note's form in place of the note (a page of its own without HTMX)."""
    note = svc.get_note(session, note_id=note_id)
    fields = note_fields()
    values = values_of(note, fields)
    state = FormState(fields, values, original=dict(values), version=note.version)
    return _note_response(request, note, state)


@router.get("/notes/{note_id}", summary="A note")
def show_note(request: Request, session: SessionDep, note_id: RecordId) -> Response:
    """One note as the notes list shows it (what "Cancel" on its inline form brings back)."""
    return _note_response(request, svc.get_note(session, note_id=note_id), None)


@router.post("/notes/{note_id}/edit", summary="Save a note", dependencies=[WRITE])
def save_note(request: Request, session: SessionDep, note_id: RecordId, form: FormDep) -> Response:
    """Save the changed fields; a stale version shows both values of each field."""
    note = svc.get_note(session, note_id=note_id)
    fields = note_fields()
    state, extra = edit_state(form, fields)
    status = 422
    data = parse_form(NoteUpdate, state, extra=extra, only_changed=True)
    if data is not None:
        try:
            svc.update_note(session, note_id=note_id, data=data)
        except ConflictError as exc:
            status = 409
            if not place_conflict(state, exc, saved=values_of(note, fields)):
                place_error(state, exc)
        except BuyermapError as exc:
            place_error(state, exc)
            status = form_status(exc)
        else:
            if not is_htmx(request):
                return RedirectResponse(_page_of(note), status_code=303)
            return _note_response(request, note, None)
    raise FormRejectedError(_note_response(request, note, state, status=status))


@router.post("/notes/{note_id}/delete", summary="Delete a note", dependencies=[WRITE])
def delete_note(request: Request, session: SessionDep, note_id: RecordId) -> Response:
    """Delete the note; HTMX removes it from the list, a plain form goes back to the page."""
    note = svc.get_note(session, note_id=note_id)
    back = _page_of(note)
    svc.delete_note(session, note_id=note_id)
    if is_htmx(request):
        return Response(status_code=200)
    return RedirectResponse(back, status_code=303)
