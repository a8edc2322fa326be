"""Query parameters shared by every list endpoint: q, sort, page, page_size."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from buyermap.services.listing import MAX_PAGE_SIZE, ListQuery
from buyermap.web.deps import SettingsDep


def list_query(
    settings: SettingsDep,
    q: Annotated[str | None, Query(description="Text to search for (case-insensitive).")] = None,
    sort: Annotated[
        str | None, Query(description="Field to sort by; prefix with - for descending.")
    ] = None,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    page_size: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")
    ] = None,
) -> ListQuery:
    return ListQuery(q=q, sort=sort, page=page, page_size=page_size or settings.page_size)


ListQueryDep = Annotated[ListQuery, Depends(list_query)]
