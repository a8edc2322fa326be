"""Server-rendered pages: one module per section, one template per page."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from buyermap.web.csrf import csrf_protect
from buyermap.web.deps import remember_user
from buyermap.web.pages import (
    accounts,
    contacts,
    deals,
    discovery,
    forecast,
    funnels,
    home,
    imports,
    personas,
    pipeline,
    start,
)

# Every page passes the authentication seam (see buyermap.web.deps), and every form post
# to a page must carry its CSRF token (see buyermap.web.csrf).
router = APIRouter(
    include_in_schema=False, dependencies=[Depends(remember_user), Depends(csrf_protect)]
)
for module in (
    home,
    accounts,
    contacts,
    deals,
    discovery,  # before personas: /personas/discover is not a persona's key
    personas,
    pipeline,
    forecast,
    funnels,
    imports,
    start,
):
    router.include_router(module.router)
