"""``/api/v1/contacts``: people at your accounts."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from buyermap.schemas.common import Page
from buyermap.schemas.entities import ContactCreate, ContactPublic, ContactUpdate
from buyermap.services import contacts as svc
from buyermap.web.api.v1.params import ContactFilterDep, ListQueryDep, PathId, page_of
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", summary="List contacts")
def list_contacts(
    session: SessionDep, query: ListQueryDep, filters: ContactFilterDep
) -> Page[ContactPublic]:
    """Search (names, email, job title), sort and page through contacts.

    Sort by last_name, first_name, email, job_title, seniority, created_at or id.
    Filter by account_id, company (name of their current employer), seniority,
    department and persona; search also finds the company name.

    A page past the last one answers 200 with no items and the total (ask for page
    ceil(total / page_size) for the last one).
    """
    listed = svc.list_contacts(session, query=query, filters=filters)
    return page_of(listed, ContactPublic.model_validate)


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create a contact", dependencies=[WRITE]
)
def create_contact(session: SessionDep, data: ContactCreate) -> ContactPublic:
    """Create a contact; with ``account_id`` the person also gets a position there."""
    return ContactPublic.model_validate(svc.create_contact(session, data=data))


@router.get("/{contact_id}", summary="Get a contact", responses=VERSIONED)
def get_contact(session: SessionDep, contact_id: PathId, response: Response) -> ContactPublic:
    """One contact by id (404 when there is none); their version in the ``ETag`` header."""
    contact = svc.get_contact(session, contact_id=contact_id)
    set_etag(response, contact.version)
    return ContactPublic.model_validate(contact)


@router.patch(
    "/{contact_id}",
    summary="Update a contact",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
)
def update_contact(
    session: SessionDep,
    contact_id: PathId,
    data: ContactUpdate,
    version: IfMatchDep,
    response: Response,
) -> ContactPublic:
    """Change the fields given in the body; fields left out keep their value.

    Send the version you read (``If-Match`` or ``version``) to have a stale save refused
    (409); the new version comes back in the ``ETag`` header."""
    contact = svc.update_contact(session, contact_id=contact_id, data=with_version(data, version))
    set_etag(response, contact.version)
    return ContactPublic.model_validate(contact)


@router.delete(
    "/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a contact",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def delete_contact(session: SessionDep, contact_id: PathId, version: IfMatchDep) -> Response:
    """Delete a contact with their positions, notes and committee seats; notes also about an
    account or deal stay. With ``If-Match``, a stale version is refused (409)."""
    svc.delete_contact(session, contact_id=contact_id, expected_version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
