"""Templates: one Jinja2 environment, filters, and the page-or-fragment rule.

A page route renders its whole template, or only the named block that HTMX swaps when
the request comes from HTMX (``HX-Request: true``), following django-htmx-patterns.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import StrictUndefined
from jinja2_fragments.fastapi import Jinja2Blocks

from buyermap.domain.labels import influence, label, likert
from buyermap.web.csrf import csrf_token, set_cookie
from buyermap.web.deps import request_user

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# Sections of the workbench. Entries without a path are announced but not built yet.
NAV: tuple[tuple[str, str | None], ...] = (
    ("Overview", "/"),
    ("Accounts", "/accounts"),
    ("Contacts", "/contacts"),
    ("Deals", "/deals"),
    ("Personas", "/personas"),
    ("Avatars", "/avatars"),
    ("Journeys", "/journeys"),
    ("Knowledge", "/knowledge"),
    ("Pipeline", "/pipeline"),
    ("Forecast", "/forecast"),
    ("Funnels", "/funnels"),
    ("Import", "/import"),
)


def _common_context(request: Request) -> dict[str, Any]:
    return {
        "nav": NAV,
        "user": request_user(request),
        "path": request.url.path,
        "csrf_token": csrf_token(request),
    }


def fmt_number(value: float | int | None, digits: int = 0) -> str:
    """``1234567.8`` -> ``1,234,568``; None -> an en dash."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} {currency}".strip()


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.date().isoformat()
    return value.isoformat()


def fmt_day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def fmt_day_or_unknown(value: date | datetime | None) -> str:
    """A day, or "unknown" where the source did not say (a deal's opening date)."""
    return "unknown" if value is None else fmt_day(value)


def fmt_days(value: float | None) -> str:
    """A window or a wait in days, with its unit: ``1`` -> ``1 day``, ``12.4`` -> ``12 days``."""
    if value is None:
        return "–"
    rounded = round(float(value))
    return f"{rounded:,} day" if rounded == 1 else f"{rounded:,} days"


def fmt_percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage: ``0.423`` -> ``42%``."""
    if value is None:
        return "–"
    return f"{100 * float(value):.{digits}f}%"


def dash(value: object) -> object:
    return "–" if value is None or value == "" else value


templates = Jinja2Blocks(directory=str(TEMPLATES_DIR), context_processors=[_common_context])
templates.env.filters.update(
    number=fmt_number,
    money=fmt_money,
    datetime=fmt_date,
    day=fmt_day,
    day_or_unknown=fmt_day_or_unknown,
    dash=dash,
    days=fmt_days,
    percent=fmt_percent,
    label=label,
    likert=likert,
    influence=influence,
)
# A name the template uses but the context lacks is an error, so a renamed key fails a test.
templates.env.undefined = StrictUndefined
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def is_htmx(request: Request) -> bool:
    """True for HTMX requests that want a fragment (not history restores, which want pages)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render ``name`` as a whole page, or only ``block`` when HTMX asks for a fragment."""
    if block is not None and is_htmx(request):
        response: Response = templates.TemplateResponse(
            request, name, context, status_code=status_code, block_name=block
        )
    else:
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    set_cookie(request, response)
    return response
