"""``/contacts`` and ``/contacts/{id}``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from buyermap.analytics.personas.members import persona_of_contact, personas_of_contacts
from buyermap.analytics.personas.portrait import headlines
from buyermap.analytics.personas.stored import active_run
from buyermap.services import contacts as svc
from buyermap.services.filters import current_companies, filter_params
from buyermap.services.relations import contact_committees, contact_deals
from buyermap.web.deps import SessionDep
from buyermap.web.pages.list_tools import filter_context, listed_with, render_list
from buyermap.web.pages.listing import PageQueryDep, list_context
from buyermap.web.pages.notes import notes_context
from buyermap.web.templating import render

router = APIRouter()


@router.get("/contacts", summary="Contacts")
def contacts_page(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
    """Contacts with search, sortable columns and pages; HTMX gets the ``results`` block."""
    filters, listed, errors = listed_with(
        request,
        "contacts",
        lambda f: svc.list_contacts(session, query=query, filters=f, clamp=True),
    )
    context = list_context(
        request, query, listed, default_sort="last_name", filters=filter_params(filters)
    )
    context.update(filter_context(session, "contacts", filters, errors, request))
    ids = [c.id for c in listed.items]
    context["personas"] = personas_of_contacts(session, contact_ids=ids)
    context["companies"] = current_companies(session, contact_ids=ids)
    return render_list(request, "contacts.html", context)


@router.get("/contacts/{contact_id}", summary="Contact")
def contact_page(request: Request, session: SessionDep, contact_id: int) -> Response:
    """One contact: fields, their persona (the active run's assignment), the positions
    they held at accounts, their deals, their committee roles, and notes."""
    contact = svc.get_contact(session, contact_id=contact_id)
    positions = svc.contact_positions(session, contact_id=contact_id)
    persona = persona_of_contact(session, contact_id=contact_id)
    run = active_run(session) if persona is not None else None
    return render(
        request,
        "contact_detail.html",
        {
            "contact": contact,
            "positions": positions,
            **notes_context(session, link="contact_id", owner_id=contact_id),
            "persona": persona,
            "persona_headline": headlines(run.result).get(persona.persona_key, persona.title)
            if run is not None and persona is not None
            else "",
            "deals": contact_deals(session, contact_id=contact_id),
            "committees": contact_committees(session, contact_id=contact_id),
        },
    )
