"""An empty workspace's pages: a first page that says what to do, the demo built from it,
and empty states where an analysis has nothing to work on."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.csrf_client import csrf_headers


def test_the_first_page_of_an_empty_workspace_offers_import_and_the_demo(
    client: TestClient,
) -> None:
    html = client.get("/").text
    assert "this workspace is empty" in html
    assert 'href="/import"' in html
    assert 'action="/demo"' in html


def test_pages_of_an_empty_workspace_show_what_to_do_instead_of_an_error(
    client: TestClient,
) -> None:
    # an analysis refused for want of data answers 200; a run that does not exist keeps 404
    for path, status in (
        ("/pipeline", 200),
        ("/forecast", 200),
        ("/forecast/backtest", 200),
        ("/personas/compare", 404),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert "nothing to show yet" in response.text
        assert 'href="/import"' in response.text
        assert "Unprocessable" not in response.text


def test_building_the_demo_fills_the_workspace_and_is_refused_once_it_holds_records(
    client: TestClient,
) -> None:
    headers = csrf_headers(client, "/")
    built = client.post("/demo", headers=headers, follow_redirects=False)
    assert built.status_code == 303
    home = client.get("/").text
    assert "this workspace is empty" not in home
    assert client.get("/api/v1/accounts").json()["total"] > 100
    assert client.get("/pipeline").status_code == 200
    # the demo's avatar is learned and saved with the build (every account scored)
    assert [a["name"] for a in client.get("/api/v1/avatars").json()] == ["demo"]
    again = client.post("/demo", headers=headers)
    assert again.status_code == 409
    assert "already holds records" in again.text


def test_building_the_demo_needs_the_forms_security_token(client: TestClient) -> None:
    client.get("/")
    assert client.post("/demo").status_code == 403
    assert client.get("/api/v1/accounts").json()["total"] == 0
