"""REST API v1, mounted at ``/api/v1``."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter, Depends

from buyermap.web.api.v1 import (
    accounts,
    alignment,
    audit,
    avatar,
    avatar_rules,
    committee,
    contacts,
    deals,
    funnels,
    journeys,
    knowledge,
    mutual,
    notes,
    personas,
    pipeline,
    pipelines,
    relationships,
    stage_changes,
    status,
    views,
)
from buyermap.web.api.v1.responses import ERROR_RESPONSES
from buyermap.web.deps import remember_user

# One row per router: the module and its tag's description (the OpenAPI tags come from
# this table, in this order); a new capability is one more row.
ROUTERS: tuple[tuple[ModuleType, str, str], ...] = (
    (status, "status", "What the workspace holds."),
    (accounts, "accounts", "Companies you sell to."),
    (contacts, "contacts", "People at your accounts."),
    (deals, "deals", "Deals, their stage history and timeline."),
    (stage_changes, "stage changes", "Moves of deals between stages."),
    (notes, "notes", "Notes, calls, meetings and interviews on accounts, contacts and deals."),
    (pipelines, "pipelines", "Pipelines and their stages: create, rename, reorder, close."),
    (personas, "personas", "Persona runs, persona cards, contacts' personas."),
    (avatar, "avatars", "The customer avatar: learned from outcomes, saved, scores."),
    (avatar_rules, "avatar rules", "Rules avatars: criteria, must-haves, disqualifiers."),
    (pipeline, "pipeline", "Stage analytics, the bookings forecast, its backtest."),
    (funnels, "funnels", "Exact windowed event funnels over event files."),
    (views, "saved views", "Saved views of the lists: filters, search and sort under a name."),
    # before journeys: /journeys/alignment and /journeys/mapping are not persona keys
    (alignment, "journey alignment", "Journey stages against funnel stages, and their mapping."),
    (journeys, "journeys", "Buyer-journey maps per persona, the content library, their gaps."),
    (mutual, "mutual fit", "Our seller profile, buyers' supplier criteria, how well we fit them."),
    (
        committee,
        "buying committee",
        "Committees of deals and accounts, their risks, what wins, roles and required roles.",
    ),
    (
        knowledge,
        "account knowledge",
        "The knowledge template, value tiers, completeness and what to learn next.",
    ),
    (
        relationships,
        "relationship map",
        "Ties between people (reports to, influences, ally, rival, ...) and the map of them.",
    ),
    (audit, "audit", "Who changed which record and field, when, from what to what."),
)

# Every API route passes the authentication seam (see buyermap.web.deps).
router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(remember_user)], responses=ERROR_RESPONSES
)
for module, _tag, _about in ROUTERS:
    router.include_router(module.router)

TAGS = [{"name": tag, "description": about} for _module, tag, about in ROUTERS]
