"""CSRF: page form posts need the token their cookie holds; the JSON API does not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.csrf import COOKIE, FIELD, HEADER, is_valid, new_secret, new_token
from buyermap.web.server import serve_in_background
from tests.web.csrf_client import csrf_headers, page_token

FORM = {"steps": "visit,signup", "window": "1d"}


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("user_id,event,ts\nu1,visit,1700000000\nu1,signup,1700000060\n")
    return path


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", files_root=tmp_path)
    return TestClient(create_app(settings))


def _refusal(html: str) -> str | None:
    found = re.search(r'data-code="([a-z_]+)"', html)
    return found.group(1) if found else None


def test_a_page_sets_a_signed_cookie_and_carries_the_same_token(client: TestClient) -> None:
    response = client.get("/funnels")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    token = client.cookies[COOKIE]
    assert page_token(response.text) == token  # <body hx-headers> for HTMX
    assert f'<input type="hidden" name="{FIELD}" value="{token}">' in response.text
    again = client.get("/accounts")
    assert "set-cookie" not in again.headers  # the client keeps its token
    assert page_token(again.text) == token


def test_a_form_post_without_a_cookie_is_refused(client: TestClient, events: Path) -> None:
    response = client.post("/funnels", data={**FORM, "path": str(events)})
    assert response.status_code == 403
    assert _refusal(response.text) == "csrf_failed"
    assert "reload the page" in response.text


def test_a_form_post_with_the_cookie_but_no_token_is_refused(
    client: TestClient, events: Path
) -> None:
    client.get("/funnels")
    response = client.post("/funnels", data={**FORM, "path": str(events)})
    assert response.status_code == 403
    assert _refusal(response.text) == "csrf_failed"


def test_a_token_that_is_not_the_cookies_is_refused(client: TestClient, events: Path) -> None:
    client.get("/funnels")
    other = new_token(client.app.state.csrf_secret)  # type: ignore[attr-defined]
    response = client.post("/funnels", data={**FORM, "path": str(events)}, headers={HEADER: other})
    assert response.status_code == 403
    assert _refusal(response.text) == "csrf_failed"


def test_a_cookie_signed_with_another_key_is_refused(client: TestClient, events: Path) -> None:
    forged = new_token(new_secret())
    client.cookies.set(COOKIE, forged)
    response = client.post("/funnels", data={**FORM, "path": str(events)}, headers={HEADER: forged})
    assert response.status_code == 403
    assert _refusal(response.text) == "csrf_failed"


def test_htmx_sends_the_token_as_a_header(client: TestClient, events: Path) -> None:
    headers = {**csrf_headers(client), "HX-Request": "true"}
    response = client.post("/funnels", data={**FORM, "path": str(events)}, headers=headers)
    assert response.status_code == 200
    assert 'id="result"' in response.text
    assert "csrf_failed" not in response.text


def test_a_plain_form_sends_the_token_as_a_field(client: TestClient, events: Path) -> None:
    token = client.cookies.get(COOKIE) or page_token(client.get("/funnels").text)
    data = {FIELD: token, **FORM, "path": str(events)}
    assert client.post("/funnels", data=data).status_code == 200


def test_an_upload_form_sends_the_token_as_a_field(client: TestClient, events: Path) -> None:
    token = page_token(client.get("/funnels").text)
    with events.open("rb") as fh:
        response = client.post(
            "/funnels",
            data={**FORM, FIELD: token},
            files={"events": ("events.csv", fh, "text/csv")},
        )
    assert response.status_code == 200
    assert "csrf_failed" not in response.text


def test_the_json_api_needs_no_token(client: TestClient) -> None:
    response = client.post("/api/v1/accounts", json={"name": "Umbrella"})
    assert response.status_code == 201
    assert COOKIE not in response.headers.get("set-cookie", "")


def test_tokens_verify_only_with_the_key_that_signed_them() -> None:
    secret = new_secret()
    token = new_token(secret)
    assert is_valid(secret, token)
    assert not is_valid(new_secret(), token)
    assert not is_valid(secret, token + "0")
    assert not is_valid(secret, None)
    assert not is_valid(secret, "no-dot")
    assert not is_valid(secret, "a.b.c")


@pytest.mark.browser
def test_in_a_browser_the_htmx_form_carries_the_token_and_a_stale_one_is_refused(
    tmp_path: Path, events: Path, page: Any
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", files_root=tmp_path)
    with serve_in_background(create_app(settings)) as base:
        page.goto(f"{base}/funnels")
        page.fill("input[name=path]", str(events))
        page.fill("input[name=steps]", "visit,signup")
        page.fill("input[name=window]", "1d")
        with page.expect_response(f"{base}/funnels") as answer:
            page.click("button[type=submit]")
        assert answer.value.status == 200
        sent = json.loads(page.get_attribute("body", "hx-headers"))[HEADER]
        assert answer.value.request.header_value(HEADER) == sent
        assert sent == next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)
        page.locator('#result tr[data-step="signup"]').wait_for()
        # the server restarted (a new key) while the page stayed open: refused, not run
        page.context.add_cookies([{"name": COOKIE, "value": new_token(new_secret()), "url": base}])
        with page.expect_response(f"{base}/funnels") as refused:
            page.click("button[type=submit]")
        assert refused.value.status == 403
