"""``/accounts`` and ``/accounts/{id}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from buyermap.services import accounts as svc
from buyermap.services.deals import account_deals
from buyermap.services.filters import AccountFilter, filter_params
from buyermap.services.notes import notes_for
from buyermap.web.deps import SessionDep
from buyermap.web.pages.list_tools import filter_context, page_filter, render_list
from buyermap.web.pages.listing import PageQueryDep, list_context
from buyermap.web.templating import render

router = APIRouter()


@router.get("/accounts", summary="Accounts")
def accounts_page(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
    """Accounts with search, sortable columns and pages; HTMX gets the ``results`` block."""
    filters = page_filter(request, "accounts")
    assert isinstance(filters, AccountFilter)
    listed = svc.list_accounts(session, query=query, filters=filters, clamp=True)
    context = list_context(
        request, query, listed, default_sort="name", filters=filter_params(filters)
    )
    context.update(filter_context(session, "accounts", filters))
    return render_list(request, "accounts.html", context)


@router.get("/accounts/{account_id}", summary="Account")
def account_page(request: Request, session: SessionDep, account_id: int) -> Response:
    """One account: its fields, its people and their positions, its deals and notes."""
    account = svc.get_account(session, account_id=account_id)
    people = svc.account_contacts(session, account_id=account_id)
    deals = account_deals(session, account_id=account_id)
    notes = notes_for(session, account_id=account_id)
    return render(
        request,
        "account_detail.html",
        {"account": account, "people": people, "deals": deals, "notes": notes},
    )
