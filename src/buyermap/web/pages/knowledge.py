"""Account knowledge in the web: the account page's "What we know" region (``#knowledge``:
completeness against the tier as a bar, next best things to learn, each block's fields
edited in place over HTMX, stale marks), the list of accounts by value at ``/knowledge``
and the template editor at ``/knowledge/template``.

``POST /accounts/{id}/knowledge/{key}`` keeps a value (``value``, ``contact_id`` for a
decision-maker field) and answers the region (HTMX) or redirects to the account page; a
rejected value shows the region again with the message next to the field (422).
``POST /knowledge/template/{key}/enable`` (a special category needs ``legal_basis``) and
``/disable`` change the template.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.domain.knowledge import (
    BLOCK_WORDS,
    COST_WORDS,
    DEFAULTS,
    TIER_WORDS,
    TYPE_WORDS,
    Block,
)
from buyermap.errors import BuyermapError
from buyermap.seams import knowledge as seam
from buyermap.services import committee as committee_svc
from buyermap.services import knowledge as svc
from buyermap.services.relations import workspace_currency
from buyermap.settings import Settings
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.forms import FormRejectedError, form_status
from buyermap.web.pages.editing import FormDep, RecordId
from buyermap.web.templating import is_htmx, render

router = APIRouter()

CLASS_WORDS = {
    "identity": "who they are",
    "professional": "professional",
    "personal_profile": "personal profile",
    "special_category": "special category (GDPR art. 9)",
}


def knowledge_context(
    session: Session,
    settings: Settings,
    *,
    account_id: int,
    problem: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The "What we know" region of an account page."""
    doc = seam.account_knowledge(
        session,
        account_id=account_id,
        tiers=settings.knowledge_tiers,
        stale_days=settings.knowledge_stale_days,
    )
    return {
        "knowledge": doc,
        "knowledge_problem": problem or {},
        "knowledge_choices": {f.key: list(f.choices) for f in svc.template(session)},
        "tier_names": TIER_WORDS,
        "type_words": TYPE_WORDS,
        "class_words": CLASS_WORDS,
        "knowledge_stale_days": settings.knowledge_stale_days,
    }


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post(
    "/accounts/{account_id}/knowledge/{key}",
    summary="Keep what we know for one field",
    dependencies=[WRITE],
)
def save_value(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    account_id: RecordId,
    key: str,
    form: FormDep,
) -> Response:
    """Keep the typed value (verified now); a value the field does not take or a disabled
    field is shown again with the message (422)."""
    # The account page renders the region; it imports this module for knowledge_context.
    from buyermap.web.pages.accounts import account_context

    account = committee_svc.get_account(session, account_id=account_id)
    raw = _text(form, "value")
    contact = _text(form, "contact_id")
    try:
        contact_id = int(contact) if contact.strip() else None
        svc.set_value(session, account=account, key=key, raw=raw, contact_id=contact_id)
    except (BuyermapError, ValueError) as exc:
        message = exc.message if isinstance(exc, BuyermapError) else f"{contact!r} is no person"
        status = form_status(exc) if isinstance(exc, BuyermapError) else 422
        problem = {"key": key, "contact_id": contact, "value": raw, "message": message}
        context = account_context(
            session, account_id=account_id, settings=settings, knowledge_problem=problem
        )
        raise FormRejectedError(
            render(request, "account_detail.html", context, block="knowledge", status_code=status)
        ) from None
    if not is_htmx(request):
        return RedirectResponse(f"/accounts/{account_id}#knowledge", status_code=303)
    context = account_context(session, account_id=account_id, settings=settings)
    return render(request, "account_detail.html", context, block="knowledge")


@router.get("/knowledge", summary="Account knowledge")
def knowledge_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Accounts by value, highest first: tier, what we know against it, what to learn
    next, stale knowledge; an empty state says what to do."""
    doc = seam.completeness_document(
        session, tiers=settings.knowledge_tiers, stale_days=settings.knowledge_stale_days
    )
    return render(
        request,
        "knowledge.html",
        {
            "doc": doc,
            "tier_names": TIER_WORDS,
            "currency": workspace_currency(session),
            "currency_hint": "amounts as recorded, in the workspace's currency",
        },
    )


def _template_context(session: Session, problem: dict[str, str] | None = None) -> dict[str, Any]:
    fields = seam.template_document(session).fields
    return {
        "blocks": [(BLOCK_WORDS[b], [f for f in fields if f.block == b.value]) for b in Block],
        "type_words": TYPE_WORDS,
        "class_words": CLASS_WORDS,
        "cost_words": COST_WORDS,
        "tier_names": TIER_WORDS,
        "defaults": DEFAULTS,
        "problem": problem or {},
    }


@router.get("/knowledge/template", summary="The knowledge template")
def template_page(request: Request, session: SessionDep) -> Response:
    """Every field per block with its type, data class, tier floor and cost; enable or
    disable it (a special category asks for the legal basis)."""
    return render(request, "knowledge_template.html", _template_context(session))


@router.post(
    "/knowledge/template/{key}/enable", summary="Enable a knowledge field", dependencies=[WRITE]
)
def enable_page(request: Request, session: SessionDep, key: str, form: FormDep) -> Response:
    """Turn the field on; a special category without a legal basis is shown again (422)."""
    try:
        svc.enable_field(
            session,
            key=key,
            legal_basis=_text(form, "legal_basis") or None,
            by=_text(form, "by").strip() or "web workbench",
        )
    except BuyermapError as exc:
        context = _template_context(session, {"key": key, "message": exc.message})
        raise FormRejectedError(
            render(request, "knowledge_template.html", context, status_code=form_status(exc))
        ) from None
    return RedirectResponse(f"/knowledge/template#field-{key}", status_code=303)


@router.post(
    "/knowledge/template/{key}/disable",
    summary="Disable a knowledge field",
    dependencies=[WRITE],
)
def disable_page(session: SessionDep, key: str) -> Response:
    """Turn the field off: kept values stay, new ones are refused."""
    svc.disable_field(session, key=key)
    return RedirectResponse(f"/knowledge/template#field-{key}", status_code=303)
