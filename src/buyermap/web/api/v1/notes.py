"""Notes and interviews: ``/api/v1/{accounts,contacts,deals}/{id}/notes`` and
``/api/v1/notes/{note_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy.orm import Session

from buyermap.domain.enums import NoteKind
from buyermap.schemas.common import Page
from buyermap.schemas.notes import NoteCreate, NoteDraft, NotePublic, NoteUpdate
from buyermap.services import notes as svc
from buyermap.services.listing import ListQuery
from buyermap.web.api.v1.params import ListQueryDep, page_of
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["notes"])

KindParam = Annotated[NoteKind | None, Query(description="Only notes of this kind.")]
# Ids fit the databases' 64-bit integers: a larger one is a 422, not a server error.
MAX_ID = 2**63 - 1
AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account's id")]
ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id")]
DealId = Annotated[int, Path(ge=1, le=MAX_ID, description="The deal's id")]
NoteId = Annotated[int, Path(ge=1, le=MAX_ID, description="The note's id")]


def _page(
    session: Session, query: ListQuery, kind: NoteKind | None, **link: int
) -> Page[NotePublic]:
    listed = svc.list_notes(session, query=query, kind=kind, **link)
    return page_of(listed, NotePublic.model_validate)


def _add(session: Session, data: NoteCreate) -> NotePublic:
    return NotePublic.model_validate(svc.add_note(session, data=data))


@router.get("/accounts/{account_id}/notes", summary="List an account's notes")
def list_account_notes(
    session: SessionDep, account_id: AccountId, query: ListQueryDep, kind: KindParam = None
) -> Page[NotePublic]:
    """The account's notes, newest first (404 when there is no such account).

    Search title, body and source with ``q``; filter with ``kind`` (``interview`` for
    interviews); sort by occurred_at, kind, title, source or id."""
    return _page(session, query, kind, account_id=account_id)


@router.post(
    "/accounts/{account_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Add a note to an account",
    dependencies=[WRITE],
)
def create_account_note(session: SessionDep, account_id: AccountId, data: NoteDraft) -> NotePublic:
    """Add a note (or an interview, call, ...) to the account; see ``NoteDraft`` for limits."""
    return _add(session, NoteCreate(**data.model_dump(), account_id=account_id))


@router.get("/contacts/{contact_id}/notes", summary="List a contact's notes")
def list_contact_notes(
    session: SessionDep, contact_id: ContactId, query: ListQueryDep, kind: KindParam = None
) -> Page[NotePublic]:
    """The contact's notes, newest first (404 when there is no such contact).

    Search title, body and source with ``q``; filter with ``kind`` (``interview`` for
    interviews); sort by occurred_at, kind, title, source or id."""
    return _page(session, query, kind, contact_id=contact_id)


@router.post(
    "/contacts/{contact_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Add a note to a contact",
    dependencies=[WRITE],
)
def create_contact_note(session: SessionDep, contact_id: ContactId, data: NoteDraft) -> NotePublic:
    """Add a note (or an interview, call, ...) to the contact; see ``NoteDraft`` for limits."""
    return _add(session, NoteCreate(**data.model_dump(), contact_id=contact_id))


@router.get("/deals/{deal_id}/notes", summary="List a deal's notes")
def list_deal_notes(
    session: SessionDep, deal_id: DealId, query: ListQueryDep, kind: KindParam = None
) -> Page[NotePublic]:
    """The deal's notes, newest first (404 when there is no such deal).

    Search title, body and source with ``q``; filter with ``kind`` (``interview`` for
    interviews); sort by occurred_at, kind, title, source or id."""
    return _page(session, query, kind, deal_id=deal_id)


@router.post(
    "/deals/{deal_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Add a note to a deal",
    dependencies=[WRITE],
)
def create_deal_note(session: SessionDep, deal_id: DealId, data: NoteDraft) -> NotePublic:
    """Add a note (or an interview, call, ...) to the deal; see ``NoteDraft`` for limits."""
    return _add(session, NoteCreate(**data.model_dump(), deal_id=deal_id))


@router.get("/notes/{note_id}", summary="Get a note", responses=VERSIONED)
def get_note(session: SessionDep, note_id: NoteId, response: Response) -> NotePublic:
    """One note by id (404 when there is none); its version in the ``ETag`` header."""
    note = svc.get_note(session, note_id=note_id)
    set_etag(response, note.version)
    return NotePublic.model_validate(note)


@router.patch(
    "/notes/{note_id}",
    summary="Update a note",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
)
def update_note(
    session: SessionDep, note_id: NoteId, data: NoteUpdate, version: IfMatchDep, response: Response
) -> NotePublic:
    """Change the fields given in the body; fields left out keep their value. The records
    the note belongs to stay; ``title`` and ``source`` can be cleared with null.

    Send the version you read (``If-Match`` or ``version``) to have a stale save refused
    (409); the new version comes back in the ``ETag`` header."""
    note = svc.update_note(session, note_id=note_id, data=with_version(data, version))
    set_etag(response, note.version)
    return NotePublic.model_validate(note)


@router.delete(
    "/notes/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a note",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def delete_note(session: SessionDep, note_id: NoteId, version: IfMatchDep) -> Response:
    """Delete the note (only the note: the records it belonged to stay). With ``If-Match``,
    a stale version is refused (409)."""
    svc.delete_note(session, note_id=note_id, expected_version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
