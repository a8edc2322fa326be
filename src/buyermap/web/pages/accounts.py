"""``/accounts`` and ``/accounts/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import personas_of_contacts
from buyermap.charts.avatar import odds_words, reason_label
from buyermap.seams.avatar_views import account_fit
from buyermap.services import accounts as svc
from buyermap.services.avatars import page_fits
from buyermap.services.deals import account_deals
from buyermap.services.filters import filter_params
from buyermap.services.relations import account_committee, workspace_currency
from buyermap.settings import Settings, load_settings
from buyermap.web.deps import SessionDep, SettingsDep
from buyermap.web.forms import FormState
from buyermap.web.pages.avatars import tier_words
from buyermap.web.pages.committee import committee_context
from buyermap.web.pages.knowledge import knowledge_context
from buyermap.web.pages.list_tools import filter_context, listed_with, render_list
from buyermap.web.pages.listing import PageQueryDep, list_context
from buyermap.web.pages.mutual import criteria_context
from buyermap.web.pages.notes import notes_context
from buyermap.web.pages.relationship_map import relmap_context
from buyermap.web.templating import render

router = APIRouter()


@router.get("/accounts", summary="Accounts")
def accounts_page(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
    """Accounts with search, sortable columns and pages; HTMX gets the ``results`` block."""
    filters, listed, errors = listed_with(
        request,
        "accounts",
        lambda f: svc.list_accounts(session, query=query, filters=f, clamp=True),
    )
    context = list_context(
        request, query, listed, default_sort="name", filters=filter_params(filters)
    )
    context.update(filter_context(session, "accounts", filters, errors, request))
    context["currency"] = workspace_currency(session)
    fits = page_fits(session, account_ids=[a.id for a in listed.items])
    context["fits"] = fits.fits
    context["fit_avatar"] = fits.avatar
    context["tier_words"] = tier_words
    return render_list(request, "accounts.html", context)


def account_context(
    session: Session,
    *,
    account_id: int,
    criteria_state: FormState | None = None,
    settings: Settings | None = None,
    knowledge_problem: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the account page shows (also when one of its forms is shown again)."""
    settings = settings or load_settings()
    account = svc.get_account(session, account_id=account_id)
    committee = account_committee(session, account_id=account_id)
    return {
        "account": account,
        "people": svc.account_contacts(session, account_id=account_id),
        "deals": account_deals(session, account_id=account_id),
        **notes_context(session, link="account_id", owner_id=account_id),
        **criteria_context(session, account_id=account_id, state=criteria_state),
        # the standing decision group, edited like a deal's committee (pages/committee.py)
        **committee_context(
            session,
            account_id=account_id,
            stale_days=settings.committee_stale_days,
        ),
        "all_committees": committee,
        "all_personas": personas_of_contacts(
            session, contact_ids=[m.contact_id for m, _ in committee]
        ),
        "currency": workspace_currency(session),
        "fit": account_fit(session, account_id=account_id),
        "tier_words": tier_words,
        "odds_words": odds_words,
        "reason_label": reason_label,
        **knowledge_context(
            session,
            settings,
            account_id=account_id,
            problem=knowledge_problem,
        ),
        **relmap_context(session, account_id=account_id),
    }


@router.get("/accounts/{account_id}", summary="Account")
def account_page(
    request: Request, session: SessionDep, settings: SettingsDep, account_id: int
) -> Response:
    """One account: its fields, its people and their positions, its deals, its buying
    committees (with each member's persona), its supplier criteria and how well we meet
    them, what we know of them against their value tier, and notes."""
    context = account_context(
        session,
        account_id=account_id,
        settings=settings,
    )
    return render(request, "account_detail.html", context)
