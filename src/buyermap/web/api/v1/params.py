"""Query parameters shared by every list endpoint: q, sort, page, page_size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

from buyermap.schemas.common import Page
from buyermap.services.listing import MAX_PAGE_SIZE, Listed, ListQuery
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


T = TypeVar("T")


def page_of(listed: Listed[Any], public: Callable[[Any], T]) -> Page[T]:
    """A service's page of records as the API's page of public schemas."""
    return Page[T](
        items=[public(item) for item in listed.items],
        total=listed.total,
        page=listed.page,
        page_size=listed.page_size,
    )
