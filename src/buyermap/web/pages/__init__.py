"""Server-rendered pages: one module per section, one template per page."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from buyermap.web.csrf import csrf_protect
from buyermap.web.deps import remember_user
from buyermap.web.pages import (
    accounts,
    alignment,
    audit,
    avatar_rules,
    avatars,
    board,
    committee,
    contacts,
    deals,
    discovery,
    editing,
    favicon,
    forecast,
    form_answers,
    funnels,
    home,
    imports,
    journeys,
    knowledge,
    list_tools,
    mutual,
    notes,
    persona_words,
    personas,
    pipeline,
    relationship_map,
    start,
)

# Every page passes the authentication seam (see buyermap.web.deps), and every form post
# to a page must carry its CSRF token (see buyermap.web.csrf).
router = APIRouter(
    include_in_schema=False, dependencies=[Depends(remember_user), Depends(csrf_protect)]
)
# editing first: its /accounts/new and /deals/board come before /accounts/{id} and /deals/{id};
# list_tools too: its /accounts/export.csv and the like must not reach /accounts/{id}
for module in (
    editing,
    board,
    list_tools,
    notes,
    committee,  # before contacts: /contacts/choices is not a contact's id
    relationship_map,
    home,
    accounts,
    contacts,
    deals,
    discovery,  # before personas: /personas/discover is not a persona's key
    persona_words,  # before personas: /personas/new is not a persona's key
    personas,
    pipeline,
    forecast,
    funnels,
    favicon,
    imports,
    start,
    mutual,
    avatar_rules,  # /avatars/rules/new and /avatars/{name}/rules
    avatars,
    alignment,  # before journeys: /journeys/alignment.png is not a persona's key
    form_answers,
    journeys,
    knowledge,
    audit,
):
    router.include_router(module.router)
