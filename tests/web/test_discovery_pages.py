"""``/personas/discover``: the form, a refusal in words, and a run that opens its page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from buyermap.analytics.personas import stored as svc
from buyermap.services.workspace import Workspace
from tests.web.csrf_client import csrf_headers
from tests.web.factories import seed_sales


def test_too_little_data_is_a_message_on_the_form_not_an_error_page(client: TestClient) -> None:
    headers = csrf_headers(client, "/personas/discover")
    response = client.post("/personas/discover", data={"k": "auto"}, headers=headers)
    assert response.status_code == 422
    assert 'id="discover-message"' in response.text
    assert "error-page" not in response.text


def test_a_setting_out_of_bounds_is_named_with_its_bounds(client: TestClient) -> None:
    headers = csrf_headers(client, "/personas/discover")
    response = client.post("/personas/discover", data={"k_max": "99"}, headers=headers)
    assert response.status_code == 422
    assert "k_max" in response.text
    assert "20" in response.text
    assert 'value="99"' in response.text  # what the user typed is kept


def test_a_discovery_from_the_web_stores_an_active_run_and_opens_it(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as session, session.begin():
        seed_sales(session)
    headers = csrf_headers(client, "/personas/discover")
    response = client.post(
        "/personas/discover",
        data={"k": "2", "restarts": "2", "bootstrap": "2", "force": "1", "activate": "1"},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/personas/runs/")
    with workspace.sessions() as session:
        active = svc.active_run(session)
    assert active is not None
    assert response.headers["location"].endswith(active.run_key)
    assert client.get(response.headers["location"]).status_code == 200
