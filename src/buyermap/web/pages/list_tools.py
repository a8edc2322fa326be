"""What the accounts, contacts and deals lists share beyond paging: the filter bar, saved
views (save, open) and exports to CSV/XLSX with the list's current filters, search and sort.

Routes here come before ``/accounts/{id}`` and the like (see ``pages/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.db.models import SavedView
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.io.list_exports import (
    MEDIA,
    ListTable,
    accounts_table,
    contacts_table,
    deals_table,
    encode,
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
    parse_filter_shown,
)
from buyermap.web.deps import WRITE, SessionDep
from buyermap.web.forms import FormRejectedError, form_status
from buyermap.web.pages.listing import PageQueryDep
from buyermap.web.templating import is_htmx, render

router = APIRouter()
L = TypeVar("L")


@dataclass(frozen=True, slots=True)
class Control:
    """One input of a filter bar."""

    name: str
    label: str
    kind: str  # select | number | date | text
    value: str
    options: Options
    error: str = ""  # why the value given is not applied


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
        "tier": ("Avatar tier", "select"),
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


def _filter_params(request: Request, page: str) -> dict[str, str | None]:
    return {k: request.query_params.get(k) for k in filter_names(KINDS[page])}


def page_filter(request: Request, page: str) -> AnyFilter:
    """The page's filter from its URL (other parameters, like q and sort, are left alone);
    a bad value is an error (the exports)."""
    return parse_filter(KINDS[page], _filter_params(request, page))


def shown_filter(request: Request, page: str) -> tuple[AnyFilter, dict[str, str]]:
    """A list page's filter and the message of each filter it could not apply (shown next
    to its control, see :func:`filter_context`)."""
    return parse_filter_shown(KINDS[page], _filter_params(request, page))


def listed_with(
    request: Request, page: str, run: Callable[[Any], L]
) -> tuple[AnyFilter, L, dict[str, str]]:
    """``run(filters)`` (the page's listing) with the filters it can apply, and the message
    of each it could not: a value that does not parse, or names nothing in the workspace
    (a stage, owner or persona; the error names the parameter): that filter is left out."""
    filters, errors = shown_filter(request, page)
    while True:
        try:
            return filters, run(filters), errors
        except InvalidValueError as exc:
            name = exc.details.get("parameter")
            if not isinstance(name, str) or getattr(filters, name, None) is None:
                raise
            errors[name] = exc.message
            applied: Any = filters
            filters = replace(applied, **{name: None})


def _in_words(message: str, labels: dict[str, tuple[str, str]]) -> str:
    """A filter's message with the parameters named by their labels (``amount_min`` ->
    ``amount from``), as the filter bar shows them."""
    for name, (label, _) in labels.items():
        if "_" in name:
            message = message.replace(name, label.lower())
    return message


def filter_context(
    session: Session,
    page: str,
    filters: AnyFilter,
    errors: dict[str, str] | None = None,
    request: Request | None = None,
) -> dict[str, Any]:
    """The filter bar's controls (selects filled from the data, a refused value kept in
    its control with the reason) and the page's saved views."""
    values = filter_params(filters)
    errors = errors or {}
    typed = {k: v or "" for k, v in _filter_params(request, page).items()} if request else {}
    options = OPTIONS[page](session)
    controls = [
        Control(
            name,
            label,
            kind,
            typed.get(name, "") if name in errors else values.get(name, ""),
            options.get(name, []),
            _in_words(errors.get(name, ""), LABELS[page]),
        )
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
    context["htmx"] = is_htmx(request)
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
        disposition = f'attachment; filename="{page}.{fmt}"'
        return Response(
            encode(table, fmt), media_type=MEDIA[fmt], headers={"Content-Disposition": disposition}
        )

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

    def save(
        request: Request, session: SessionDep, name: str = Form(""), view_params: str = Form("")
    ) -> Response:
        """Save the list's state; ``view_params`` is its query string (filters, q, sort).
        From the list (HTMX) a refused save (a name in use, no name) comes back as the save
        form with the message next to the name (409 or 422); saved, the list of the view."""
        params = dict(parse_qsl(view_params, keep_blank_values=False))
        try:
            saved = views_svc.save_view(session, page=page, name=name, params=params)
        except BuyermapError as exc:
            if not is_htmx(request):
                raise
            context = {"page_key": page, "view_params": view_params, "name": name}
            raise FormRejectedError(
                render(
                    request,
                    "_save_view.html",
                    context | {"error": exc.message[:1].upper() + exc.message[1:]},
                    status_code=form_status(exc),
                )
            ) from exc
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": view_url(saved)})
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
