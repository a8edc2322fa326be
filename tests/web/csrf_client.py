"""A test client's CSRF token, fetched the way a browser gets it: from a rendered page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from buyermap.web.csrf import COOKIE, HEADER

_BODY_TOKEN = re.compile(r"<body hx-headers='\{\"X-CSRF-Token\": \"([^\"]+)\"\}'>")


def page_token(html: str) -> str:
    """The token a page carries on its ``<body>`` (sent by HTMX with every request)."""
    found = _BODY_TOKEN.search(html)
    assert found is not None, "the page carries no CSRF token on <body>"
    return found.group(1)


def csrf_headers(client: TestClient, page: str = "/funnels") -> dict[str, str]:
    """Open ``page`` (the client keeps the cookie) and return the header HTMX would send."""
    response = client.get(page)
    assert COOKIE in client.cookies, "the page set no CSRF cookie"
    return {HEADER: page_token(response.text)}
