"""Unexpected errors keep the API error shape and the error page; the user seam."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from buyermap.domain.enums import UserRole
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.deps import CurrentUser, get_current_user


def _app_with_a_bug(tmp_path: Path) -> FastAPI:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))

    def broken() -> None:
        """A route with a bug, for this test only."""
        raise RuntimeError("secret internals")

    app.add_api_route("/api/v1/broken", broken, summary="Broken")
    app.add_api_route("/broken", broken, summary="Broken page")
    return app


def test_an_unexpected_api_error_keeps_the_shape_and_hides_internals(tmp_path: Path) -> None:
    client = TestClient(_app_with_a_bug(tmp_path), raise_server_exceptions=False)
    response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret" not in response.text


def test_an_unexpected_page_error_renders_the_error_page(tmp_path: Path) -> None:
    client = TestClient(_app_with_a_bug(tmp_path), raise_server_exceptions=False)
    response = client.get("/broken")
    assert response.status_code == 500
    assert 'data-code="internal_error"' in response.text
    assert "secret" not in response.text


def test_the_current_user_seam_can_be_swapped(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    bob = CurrentUser(id=2, name="bob", role=UserRole.READ_ONLY, is_authenticated=True)
    app.dependency_overrides[get_current_user] = lambda: bob
    with TestClient(app) as client:
        assert 'class="who"' in client.get("/accounts").text
        assert ">bob</span>" in client.get("/accounts").text
        assert client.get("/api/v1/status").status_code == 200
    app.dependency_overrides.clear()
    with TestClient(app) as client:
        assert ">local user</span>" in client.get("/").text


def _as_bob(tmp_path: Path) -> FastAPI:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    bob = CurrentUser(id=2, name="bob", role=UserRole.READ_ONLY, is_authenticated=True)
    app.dependency_overrides[get_current_user] = lambda: bob
    return app


def test_a_read_only_user_can_read(tmp_path: Path) -> None:
    with TestClient(_as_bob(tmp_path)) as client:
        assert client.get("/accounts").status_code == 200
        assert client.get("/api/v1/accounts").status_code == 200


def test_a_read_only_user_cannot_write(tmp_path: Path) -> None:
    with TestClient(_as_bob(tmp_path)) as client:
        created = client.post("/api/v1/accounts", json={"name": "Acme"})
        assert created.status_code == 403, created.text
        assert client.get("/api/v1/accounts").json()["total"] == 0
