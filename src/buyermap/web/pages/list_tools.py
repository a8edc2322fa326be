"""What the accounts, contacts and deals lists share beyond paging: the filter bar, saved
views (save, open) and exports to CSV/XLSX with the list's current filters, search and sort.

Routes here come before ``/accounts/{id}`` and the like (see ``pages/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.db.models import SavedView
from buyermap.io.list_exports import (
    ListTable,
    accounts_table,
    contacts_table,
    deals_table,
    to_csv,
    to_xlsx,
)
from buyermap.services import views as views_svc
from buyermap.services.filters import (
    SENIORITY_LABELS,
    STATUS_LABELS,
    AccountFilter,
    AnyFilter,
    ContactFilter,
    DealFilter,
    Options,
    account_options,
    contact_options,
    deal_options,
    filter_names,
    filter_params,
    parse_filter,
)
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.pages.listing import PageQueryDep
from buyermap.web.templating import is_htmx, render

router = APIRouter()


@dataclass(frozen=True, slots=True)
class Control:
    """One input of a filter bar."""

    name: str
    label: str
    kind: str  # select | number | date | text
    value: str
    options: Options


LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "deals": {
        "pipeline": ("Pipeline", "select"),
        "stage": ("Stage", "select"),
        "owner": ("Owner", "select"),
        "status": ("Status", "select"),
        "amount_min": ("Amount from", "number"),
        "amount_max": ("Amount to", "number"),
        "opened_from": ("Opened from", "date"),
        "opened_to": ("Opened to", "date"),
        "closed_from": ("Closed from", "date"),
        "closed_to": ("Closed to", "date"),
    },
    "accounts": {
        "industry": ("Industry", "select"),
        "country": ("Country", "select"),
        "owner": ("Owner", "select"),
        "size": ("Size", "select"),
        "persona": ("Persona of its people", "select"),
    },
    "contacts": {
        "company": ("Company", "text"),
        "seniority": ("Seniority", "select"),
        "department": ("Department", "select"),
        "persona": ("Persona", "select"),
    },
}
KINDS: dict[str, type[AnyFilter]] = {
    "accounts": AccountFilter,
    "contacts": ContactFilter,
    "deals": DealFilter,
}
OPTIONS: dict[str, Callable[[Session], dict[str, Options]]] = {
    "accounts": account_options,
    "contacts": contact_options,
    "deals": deal_options,
}
TABLES: dict[str, Callable[..., ListTable]] = {
    "accounts": accounts_table,
    "contacts": contacts_table,
    "deals": deals_table,
}


def page_filter(request: Request, page: str) -> AnyFilter:
    """The page's filter from its URL (other parameters, like q and sort, are left alone)."""
    names = filter_names(KINDS[page])
    return parse_filter(KINDS[page], {k: request.query_params.get(k) for k in names})


def filter_context(session: Session, page: str, filters: AnyFilter) -> dict[str, Any]:
    """The filter bar's controls (selects filled from the data) and the page's saved views."""
    values = filter_params(filters)
    options = OPTIONS[page](session)
    controls = [
        Control(name, label, kind, values.get(name, ""), options.get(name, []))
        for name, (label, kind) in LABELS[page].items()
    ]
    hidden = {k: v for k, v in values.items() if k not in LABELS[page]}
    return {
        "controls": controls,
        "hidden_filters": hidden,
        "saved_views": views_svc.list_views(session, page=page),
        "page_key": page,
        "seniority_labels": SENIORITY_LABELS,
        "status_labels": STATUS_LABELS,
    }


def render_list(request: Request, template: str, context: dict[str, Any]) -> Response:
    """The list page, or its results for HTMX with the list's own URL to push (filters,
    search, sort and page that are set, the clamped page for one past the end)."""
    response = render(request, template, context, block="results")
    if is_htmx(request):
        view, listed = context["view"], context["listed"]
        response.headers["HX-Push-Url"] = view.url(page=listed.page)
    return response


def view_url(view: SavedView) -> str:
    return f"/{view.page}?{urlencode(view.params)}" if view.params else f"/{view.page}"


def _register(page: str) -> None:

    def export(request: Request, session: Session, query: Any, fmt: str) -> Response:
        filters = page_filter(request, page)
        table = TABLES[page](session, query=query, filters=filters)
        if fmt == "csv":
            body, media = to_csv(table), "text/csv; charset=utf-8"
        else:
            body = to_xlsx(table)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        disposition = f'attachment; filename="{page}.{fmt}"'
        return Response(body, media_type=media, headers={"Content-Disposition": disposition})

    def export_csv(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
        """The list with its filters, search and sort as CSV (UTF-8 with a BOM)."""
        return export(request, session, query, "csv")

    def export_xlsx(request: Request, session: SessionDep, query: PageQueryDep) -> Response:
        """The list with its filters, search and sort as XLSX (numbers, currencies, dates)."""
        return export(request, session, query, "xlsx")

    def open_view(session: SessionDep, view: int) -> Response:
        """Open a saved view: redirect to the list with its filters, search and sort."""
        found = views_svc.get_view(session, view_id=view)
        return RedirectResponse(view_url(found), status_code=303)

    def save(session: SessionDep, name: str = Form(""), view_params: str = Form("")) -> Response:
        """Save the list's state; ``view_params`` is its query string (filters, q, sort)."""
        params = dict(parse_qsl(view_params, keep_blank_values=False))
        saved = views_svc.save_view(session, page=page, name=name, params=params)
        return RedirectResponse(view_url(saved), status_code=303)

    title = page.capitalize()
    router.add_api_route(
        f"/{page}/export.csv", export_csv, methods=["GET"], summary=f"{title} as CSV"
    )
    router.add_api_route(
        f"/{page}/export.xlsx", export_xlsx, methods=["GET"], summary=f"{title} as XLSX"
    )
    router.add_api_route(
        f"/{page}/views/open", open_view, methods=["GET"], summary=f"Open a saved view of {page}"
    )
    router.add_api_route(
        f"/{page}/views",
        save,
        methods=["POST"],
        summary=f"Save a view of {page}",
        dependencies=[WRITE],
    )


for _page in KINDS:
    _register(_page)
