"""CSRF protection for the pages' form posts: a signed double-submit token.

How it works: every page the app renders gets a token (``csrf_token`` in templates). The
first time a client is seen, the token is also set as the ``buyermap_csrf`` cookie
(HttpOnly, SameSite=Lax). A POST/PUT/PATCH/DELETE to a page must send the same token back,
as the ``csrf_token`` form field (a hidden input holding ``{{ csrf_token }}``, so a
plain form works without JavaScript) or the ``X-CSRF-Token`` header (HTMX sends it from
``hx-headers`` on ``<body>`` in base.html); otherwise it is refused with 403
``csrf_failed``. The token is ``<random>.<HMAC-SHA256 of it>`` with a key
made when the app is created, so a cookie planted from another site or subdomain does not
verify. Restarting the server changes the key: an open form then asks for a reload.

The JSON REST API under ``/api/v1`` is not covered: it uses no cookies, so a browser on
another site cannot send a request that the API would take for the user's. When logins
arrive, the API will authenticate with bearer tokens (an ``Authorization`` header, which
a cross-site form cannot set) and the pages with a session cookie, which this token
protects.

Why written here and not taken from a library: starlette-csrf (double-submit) reads the
token only from a header, so a plain form post without JavaScript cannot carry it, and
answers with its own 403 outside our error shape; asgi-csrf (datasette's) reads form
fields but wraps the whole ASGI app, parses request bodies itself (the token must be the
first field of a multipart form), and is untyped; fastapi-csrf-protect needs a call in
every route. As a FastAPI dependency on the page router, the check is ~60 lines of stdlib
(``hmac``, ``secrets``), reuses the form FastAPI already parsed, raises
:class:`buyermap.errors.ForbiddenError`, which the edge translates once like every other
error, and is typed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from buyermap.errors import ForbiddenError

COOKIE = "buyermap_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfError(ForbiddenError):
    code = "csrf_failed"


def new_secret() -> bytes:
    """A fresh signing key (one per app: ``app.state.csrf_secret``)."""
    return secrets.token_bytes(32)


def _signature(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def new_token(secret: bytes) -> str:
    value = secrets.token_urlsafe(24)
    return f"{value}.{_signature(secret, value)}"


def is_valid(secret: bytes, token: str | None) -> bool:
    """True when ``token`` is one this key signed."""
    if not token or token.count(".") != 1:
        return False
    value, signature = token.split(".")
    return hmac.compare_digest(signature, _signature(secret, value))


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.csrf_secret
    return secret


def csrf_token(request: Request) -> str:
    """The token for this client: its cookie's when valid, else a new one (set on the
    response by :func:`set_cookie`)."""
    known = getattr(request.state, "csrf_token", None)
    if isinstance(known, str):
        return known
    cookie = request.cookies.get(COOKIE)
    if is_valid(_secret(request), cookie):
        assert cookie is not None
        token = cookie
    else:
        token = new_token(_secret(request))
        request.state.csrf_issue = True
    request.state.csrf_token = token
    return token


def set_cookie(request: Request, response: Response) -> None:
    """Send the token's cookie when this request made a new one."""
    if getattr(request.state, "csrf_issue", False):
        response.set_cookie(
            COOKIE,
            request.state.csrf_token,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(FIELD)
        if isinstance(value, str):
            return value
        if isinstance(value, UploadFile):
            return None
    return None


async def csrf_protect(request: Request) -> None:
    """Page-router dependency: a form post must carry the token its cookie holds."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(COOKIE)
    sent = await _sent_token(request)
    if not is_valid(_secret(request), cookie):
        reason = "no_cookie" if not cookie else "bad_cookie"
    elif sent is None:
        reason = "no_token"
    elif not hmac.compare_digest(sent, cookie or ""):
        reason = "token_mismatch"
    else:
        return
    raise CsrfError(
        "this form was not sent from a page of this workbench (its security token is "
        "missing or out of date); reload the page and try again",
        details={"reason": reason, "field": FIELD, "header": HEADER},
    )
