"""The web edge's translation of errors, done once.

Under ``/api`` every error is one JSON shape::

    {"error": {"code": "not_found", "message": "no account with id 7", "details": {}}}

Pages get a friendly HTML error page with the same status and message.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from buyermap.demo import workspace_has_data
from buyermap.errors import BuyermapError
from buyermap.web.forms import FormRejectedError, form_rejected
from buyermap.web.templating import NAV, render

API_PREFIX = "/api"

HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "not_authenticated",
    403: "forbidden",
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _respond(
    request: Request,
    *,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _is_api(request):
        return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)
    if status in (404, 422) and request.method == "GET" and _workspace_is_empty(request):
        return _empty_state(request, message, status=404 if status == 404 else 200)
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "code": code, "message": message, "details": details},
        status_code=status,
    )


def _workspace_is_empty(request: Request) -> bool:
    """True when the workspace holds no records (checked in a session of its own)."""
    workspace = getattr(request.app.state, "workspace", None)
    if workspace is None:
        return False
    with workspace.sessions() as session:
        return not workspace_has_data(session)


def _empty_state(request: Request, message: str, *, status: int) -> Response:
    """A page of an empty workspace that has nothing to show (an analysis refused for want
    of data, a card of a run that does not exist): what to do first, not an error page."""
    path = request.url.path
    section = next(
        (label for label, href in NAV if href and href != "/" and path.startswith(href)),
        "This page",
    )
    return render(
        request, "empty.html", {"section": section, "reason": message}, status_code=status
    )


async def buyermap_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BuyermapError)
    return _respond(
        request,
        status=exc.http_status,
        code=exc.code,
        message=exc.message,
        details=exc.details,
    )


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "request"


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field(err.get("loc", ())),
            "location": str(err["loc"][0]) if err.get("loc") else "request",
            "message": err.get("msg", "invalid value"),
            "type": err.get("type", "value_error"),
        }
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _respond(
        request,
        status=422,
        code="validation_error",
        message=f"the request is not valid: {summary}" if summary else "the request is not valid",
        details={"errors": errors},
    )


def _allowed_methods(request: Request) -> list[str]:
    """Every method the spec lists at this path (FastAPI has one route per method)."""
    path = request.url.path
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return sorted(m.upper() for m in operations if m.upper() in _METHODS)
    return []


_METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, "http_error")
    headers = dict(exc.headers) if exc.headers else {}
    if status == 404 and exc.detail == "Not Found":
        message = f"nothing at {request.url.path}"
    elif status == 405:
        allowed = _allowed_methods(request) or headers.get("Allow", "").split(", ")
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
    else:
        message = str(exc.detail)
    return _respond(
        request,
        status=status,
        code=code,
        message=message,
        headers=headers or None,
    )


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """A bug, not a user error: the same shape, no internals (the traceback goes to the log)."""
    return _respond(
        request,
        status=500,
        code="internal_error",
        message="something went wrong on our side; the change was not saved",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Exception, unexpected_error)
    app.add_exception_handler(BuyermapError, buyermap_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(FormRejectedError, form_rejected)  # a page form shown again
