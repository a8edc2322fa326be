"""Saved views: a list page's filters, search and sort under a name, for the whole workspace.

``params`` is a flat mapping of strings, the same parameters the page's URL and the REST list
endpoint take (``stage``, ``owner``, ``q``, ``sort``, ...); they are checked against the
page's filter model and sort keys when a view is saved, so opening one never fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import SavedView
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.accounts import ACCOUNT_SORTS
from buyermap.services.contacts import CONTACT_SORTS
from buyermap.services.deals import DEAL_SORTS
from buyermap.services.filters import (
    AccountFilter,
    AnyFilter,
    ContactFilter,
    DealFilter,
    filter_params,
    parse_filter,
)

# page -> (its filter model, its sort keys)
PAGES: dict[str, tuple[type[AnyFilter], Mapping[str, Any]]] = {
    "accounts": (AccountFilter, ACCOUNT_SORTS),
    "contacts": (ContactFilter, CONTACT_SORTS),
    "deals": (DealFilter, DEAL_SORTS),
}
LIST_PARAMS = ("q", "sort")
MAX_NAME = 120


def _page(page: str) -> tuple[type[AnyFilter], Mapping[str, Any]]:
    if page not in PAGES:
        raise InvalidValueError(f"page {page!r} has no saved views; use one of: {', '.join(PAGES)}")
    return PAGES[page]


def _name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidValueError(
            "a saved view needs a name; give it one, e.g. “Open deals in Poland”"
        )
    if len(clean) > MAX_NAME:
        raise InvalidValueError(f"the name is {len(clean)} characters long; use at most {MAX_NAME}")
    return clean


def clean_params(page: str, params: Mapping[str, Any]) -> dict[str, str]:
    """The view's params checked against the page's filters and sort keys, empty ones left
    out; an unknown parameter, filter value or sort key is an error naming the valid ones."""
    kind, sorts = _page(page)
    filters = {k: v for k, v in params.items() if k not in LIST_PARAMS}
    out = filter_params(parse_filter(kind, filters, strict=True))
    q = str(params.get("q") or "").strip()
    if q:
        if len(q) > 200:
            raise InvalidValueError(f"the search text is {len(q)} characters long; use at most 200")
        out["q"] = q
    sort = str(params.get("sort") or "").strip()
    if sort:
        if sort.lstrip("-") not in sorts:
            raise InvalidValueError(
                f"cannot sort by {sort.lstrip('-')!r}; sort by one of: {', '.join(sorted(sorts))}"
            )
        out["sort"] = sort
    return out


def _unique(session: Session, page: str, name: str, own_id: int | None) -> None:
    other = session.scalar(select(SavedView).where(SavedView.page == page, SavedView.name == name))
    if other is not None and other.id != own_id:
        raise ConflictError(
            f"the {page} list has a view named {name!r} already; choose another name"
        )


def save_view(session: Session, *, page: str, name: str, params: Mapping[str, Any]) -> SavedView:
    """Save a new view of ``page``; 409 when that page has a view of this name already."""
    cleaned = clean_params(page, params)
    clean_name = _name(name)
    _unique(session, page, clean_name, None)
    view = SavedView(page=page, name=clean_name, params=cleaned)
    session.add(view)
    session.flush()
    return view


def list_views(session: Session, *, page: str | None = None) -> list[SavedView]:
    stmt = select(SavedView).order_by(SavedView.page, SavedView.name, SavedView.id)
    if page is not None:
        _page(page)
        stmt = stmt.where(SavedView.page == page)
    return list(session.scalars(stmt))


def get_view(session: Session, *, view_id: int) -> SavedView:
    view = session.get(SavedView, view_id)
    if view is None:
        raise NotFoundError(f"no saved view with id {view_id}")
    return view


def update_view(
    session: Session,
    *,
    view_id: int,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> SavedView:
    """Rename a view and/or replace its params."""
    view = get_view(session, view_id=view_id)
    if name is not None:
        clean_name = _name(name)
        _unique(session, view.page, clean_name, view.id)
        view.name = clean_name
    if params is not None:
        view.params = clean_params(view.page, params)
    session.flush()
    return view


def rename_view(session: Session, *, view_id: int, name: str) -> SavedView:
    return update_view(session, view_id=view_id, name=name)


def delete_view(session: Session, *, view_id: int) -> None:
    session.delete(get_view(session, view_id=view_id))
    session.flush()
