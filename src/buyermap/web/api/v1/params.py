"""Query parameters shared by every list endpoint: q, sort, page, page_size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator

from buyermap.schemas.common import MAX_INT, Page, valid_text
from buyermap.services.listing import MAX_PAGE_SIZE, Listed, ListQuery
from buyermap.web.deps import SettingsDep

MAX_PAGE = 1_000_000
PathId = Annotated[int, Path(ge=1, le=MAX_INT, description="The record's id.")]
"""An id in a path: 1 to 2^31-1 (larger ids exist nowhere; 422 instead of a database error)."""
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]


def list_query(
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text to search for (case-insensitive)."),
        AfterValidator(valid_text),
    ] = None,
    sort: Annotated[
        str | None,
        Query(max_length=80, description="Field to sort by; prefix with - for descending."),
        AfterValidator(valid_text),
    ] = None,
    page: PageNumber = 1,
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
