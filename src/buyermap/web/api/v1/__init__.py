"""REST API v1, mounted at ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from buyermap.web.api.v1 import (
    accounts,
    contacts,
    deals,
    funnels,
    personas,
    pipeline,
    pipelines,
    stage_changes,
    status,
)
from buyermap.web.api.v1.responses import ERROR_RESPONSES
from buyermap.web.deps import remember_user

# Every API route passes the authentication seam (see buyermap.web.deps).
router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(remember_user)], responses=ERROR_RESPONSES
)
for module in (
    status,
    accounts,
    contacts,
    deals,
    stage_changes,
    pipelines,
    personas,
    pipeline,
    funnels,
):
    router.include_router(module.router)

TAGS = [
    {"name": "status", "description": "What the workspace holds."},
    {"name": "accounts", "description": "Companies you sell to."},
    {"name": "contacts", "description": "People at your accounts."},
    {"name": "deals", "description": "Deals, their stage history and timeline."},
    {"name": "stage changes", "description": "Moves of deals between stages."},
    {
        "name": "pipelines",
        "description": "Pipelines and their stages: create, rename, reorder, close.",
    },
    {"name": "personas", "description": "Persona runs, persona cards, contacts' personas."},
    {"name": "pipeline", "description": "Stage analytics, the bookings forecast, its backtest."},
    {"name": "funnels", "description": "Exact windowed event funnels over event files."},
]
