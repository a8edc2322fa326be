"""Server-rendered pages: one module per section, one template per page."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from buyermap.web.deps import remember_user
from buyermap.web.pages import (
    accounts,
    contacts,
    deals,
    forecast,
    funnels,
    home,
    personas,
    pipeline,
)

# Every page passes the authentication seam (see buyermap.web.deps).
router = APIRouter(include_in_schema=False, dependencies=[Depends(remember_user)])
for module in (home, accounts, contacts, deals, personas, pipeline, forecast, funnels):
    router.include_router(module.router)
