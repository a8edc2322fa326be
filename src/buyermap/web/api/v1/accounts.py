"""``/api/v1/accounts``: companies you sell to."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from buyermap.schemas.common import Page
from buyermap.schemas.entities import (
    AccountCreate,
    AccountDeleted,
    AccountPublic,
    AccountUpdate,
)
from buyermap.services import accounts as svc
from buyermap.web.api.v1.params import AccountFilterDep, ListQueryDep, PathId, page_of
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", summary="List accounts")
def list_accounts(
    session: SessionDep, query: ListQueryDep, filters: AccountFilterDep
) -> Page[AccountPublic]:
    """Search (name, domain, industry, country), sort and page through accounts.

    Sort by name, industry, employees, annual_revenue, country, created_at or id.
    Filter by industry, country, owner, size (employees band) and persona (of the
    account's people, in the active persona run).

    A page past the last one answers 200 with no items and the total (ask for page
    ceil(total / page_size) for the last one).
    """
    listed = svc.list_accounts(session, query=query, filters=filters)
    return page_of(listed, AccountPublic.model_validate)


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Create an account", dependencies=[WRITE]
)
def create_account(session: SessionDep, data: AccountCreate) -> AccountPublic:
    """Create an account. A domain belongs to one account only (409 when taken)."""
    return AccountPublic.model_validate(svc.create_account(session, data=data))


@router.get("/{account_id}", summary="Get an account", responses=VERSIONED)
def get_account(session: SessionDep, account_id: PathId, response: Response) -> AccountPublic:
    """One account by id (404 when there is none); its version in the ``ETag`` header."""
    account = svc.get_account(session, account_id=account_id)
    set_etag(response, account.version)
    return AccountPublic.model_validate(account)


@router.patch(
    "/{account_id}",
    summary="Update an account",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
)
def update_account(
    session: SessionDep,
    account_id: PathId,
    data: AccountUpdate,
    version: IfMatchDep,
    response: Response,
) -> AccountPublic:
    """Change the fields given in the body; fields left out keep their value.

    Send the version you read (``If-Match`` or ``version``) to have a stale save refused
    (409); the new version comes back in the ``ETag`` header."""
    account = svc.update_account(session, account_id=account_id, data=with_version(data, version))
    set_etag(response, account.version)
    return AccountPublic.model_validate(account)


@router.delete(
    "/{account_id}", summary="Delete an account", dependencies=[WRITE], responses=CONFLICT
)
def delete_account(session: SessionDep, account_id: PathId, version: IfMatchDep) -> AccountDeleted:
    """Delete an account and say what went with it.

    Its positions, notes about it alone and its account-level committee go; notes also about a
    contact or deal stay (unlinked from the account); its deals stay, without an account, and
    so do their committees (``committee_members_kept``: members of its deals, who keep the
    deal). With ``If-Match``, a stale version is refused (409) and nothing is deleted.
    """
    return svc.delete_account(session, account_id=account_id, expected_version=version)
