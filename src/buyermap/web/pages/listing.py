"""What list pages share: reading q/sort/page from the URL and building links back."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request

from buyermap.services.listing import MAX_PAGE_SIZE, Listed, ListQuery
from buyermap.web.deps import SettingsDep


@dataclass(frozen=True, slots=True)
class ListView:
    """A list page's state; builds the URLs of its sort headers and pager links."""

    path: str
    query: ListQuery
    default_sort: str
    default_page_size: int
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return bool(self.filters)

    def params(self) -> dict[str, str]:
        """Filters, search and sort: what a saved view or an export keeps."""
        out = dict(self.filters)
        if self.query.q:
            out["q"] = self.query.q
        if self.query.sort:
            out["sort"] = self.query.sort
        return out

    def export_url(self, fmt: str) -> str:
        params = self.params()
        base = f"{self.path}/export.{fmt}"
        return f"{base}?{urlencode(params)}" if params else base

    def clear_url(self) -> str:
        """The list without filters (search and sort kept)."""
        return replace(self, filters={}).url(page=1)

    @property
    def q(self) -> str:
        return self.query.q or ""

    @property
    def sort(self) -> str:
        return self.query.sort or self.default_sort

    def url(self, **changes: Any) -> str:
        query = replace(self.query, **changes)
        params: dict[str, str | int] = dict(self.filters)
        if query.q:
            params["q"] = query.q
        if query.sort and query.sort != self.default_sort:
            params["sort"] = query.sort
        if query.page != 1:
            params["page"] = query.page
        if query.page_size != self.default_page_size:
            params["page_size"] = query.page_size
        return f"{self.path}?{urlencode(params)}" if params else self.path

    def sort_url(self, key: str) -> str:
        """Sorting by a column sorts ascending; clicking it again flips the direction."""
        new = f"-{key}" if self.sort == key else key
        return self.url(sort=new, page=1)

    def sort_mark(self, key: str) -> str:
        if self.sort == key:
            return "ascending"
        if self.sort == f"-{key}":
            return "descending"
        return "none"

    def page_url(self, page: int) -> str:
        return self.url(page=page)


def page_list_query(
    settings: SettingsDep,
    q: Annotated[str | None, Query()] = None,
    sort: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE)] = None,
) -> ListQuery:
    return ListQuery(
        q=q.strip() if q and q.strip() else None,
        sort=sort or None,
        page=page,
        page_size=page_size or settings.page_size,
    )


PageQueryDep = Annotated[ListQuery, Depends(page_list_query)]


def list_context(
    request: Request,
    query: ListQuery,
    listed: Listed[Any],
    *,
    default_sort: str,
    filters: dict[str, str] | None = None,
) -> dict[str, Any]:
    settings = request.app.state.settings
    view = ListView(
        path=request.url.path,
        query=query,
        default_sort=default_sort,
        default_page_size=settings.page_size,
        filters=filters or {},
    )
    first = (listed.page - 1) * listed.page_size + 1 if listed.total else 0
    last = min(listed.page * listed.page_size, listed.total)
    return {"view": view, "listed": listed, "first": first, "last": last}
