"""REST API behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.models import AccountContact, Deal
from buyermap.services.workspace import Workspace


def _error(body: Any) -> dict[str, Any]:
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "details"}
    return error


def _account(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/accounts", json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_it_creates_reads_updates_and_deletes_an_account(client: TestClient) -> None:
    created = _account(client, name="Acme Corp", domain="https://www.Acme.com/about")
    assert created["domain"] == "acme.com"

    got = client.get(f"/api/v1/accounts/{created['id']}")
    assert got.status_code == 200
    assert got.json()["name"] == "Acme Corp"

    patched = client.patch(f"/api/v1/accounts/{created['id']}", json={"employees": 250})
    assert patched.status_code == 200
    assert patched.json()["employees"] == 250
    assert patched.json()["name"] == "Acme Corp"

    deleted = client.delete(f"/api/v1/accounts/{created['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["positions"] == 0
    assert deleted.json()["deals_unlinked"] == 0
    assert client.get(f"/api/v1/accounts/{created['id']}").status_code == 404


def test_it_lists_accounts_with_search_sort_and_pages(client: TestClient) -> None:
    for name, employees in [("Acme", 10), ("Globex", 300), ("Initech", 50), ("Acme Labs", 5)]:
        _account(client, name=name, employees=employees, industry="Software")

    listed = client.get("/api/v1/accounts", params={"page_size": 3}).json()
    assert listed["total"] == 4
    assert (listed["page"], listed["page_size"]) == (1, 3)
    assert [a["name"] for a in listed["items"]] == ["Acme", "Acme Labs", "Globex"]

    second = client.get("/api/v1/accounts", params={"page_size": 3, "page": 2}).json()
    assert [a["name"] for a in second["items"]] == ["Initech"]

    found = client.get("/api/v1/accounts", params={"q": "ACME"}).json()
    assert found["total"] == 2

    by_size = client.get("/api/v1/accounts", params={"sort": "-employees"}).json()
    assert [a["employees"] for a in by_size["items"]] == [300, 50, 10, 5]


def test_it_answers_409_when_a_domain_is_taken(client: TestClient) -> None:
    _account(client, name="Acme", domain="acme.com")
    response = client.post("/api/v1/accounts", json={"name": "Other", "domain": "acme.com"})
    assert response.status_code == 409
    error = _error(response.json())
    assert error["code"] == "conflict"
    assert "acme.com" in error["message"]


def test_it_answers_404_in_the_error_shape_for_a_missing_record(client: TestClient) -> None:
    for path in ("/api/v1/accounts/999", "/api/v1/contacts/999", "/api/v1/deals/999"):
        response = client.get(path)
        assert response.status_code == 404
        error = _error(response.json())
        assert error["code"] == "not_found"
        assert "999" in error["message"]


def test_it_lists_each_invalid_field_of_a_body(client: TestClient) -> None:
    response = client.post("/api/v1/accounts", json={"name": "", "domain": "not a domain"})
    assert response.status_code == 422
    error = _error(response.json())
    assert error["code"] == "validation_error"
    fields = {e["field"] for e in error["details"]["errors"]}
    assert fields == {"name", "domain"}
    assert all(e["message"] for e in error["details"]["errors"])


def test_it_rejects_an_unknown_sort_and_names_the_valid_ones(client: TestClient) -> None:
    response = client.get("/api/v1/accounts", params={"sort": "colour"})
    assert response.status_code == 422
    error = _error(response.json())
    assert "colour" in error["message"]
    assert "employees" in error["message"]


def test_it_rejects_a_page_size_out_of_range(client: TestClient) -> None:
    response = client.get("/api/v1/deals", params={"page_size": 5000})
    assert response.status_code == 422
    assert _error(response.json())["details"]["errors"][0]["field"] == "page_size"


def test_it_answers_unknown_api_routes_and_methods_in_the_error_shape(
    client: TestClient,
) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert _error(missing.json())["code"] == "not_found"
    wrong_method = client.put("/api/v1/accounts")
    assert wrong_method.status_code == 405
    assert _error(wrong_method.json())["code"] == "method_not_allowed"


def test_it_creates_a_contact_with_a_position_and_updates_it(client: TestClient) -> None:
    account = _account(client, name="Acme")
    created = client.post(
        "/api/v1/contacts",
        json={"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@acme.com"},
    )
    assert created.status_code == 201
    contact = created.json()
    assert contact["email"] == "ada@acme.com"
    assert contact["full_name"] == "Ada Lovelace"

    linked = client.post(
        "/api/v1/contacts", json={"first_name": "Grace", "account_id": account["id"]}
    )
    assert linked.status_code == 201

    patched = client.patch(f"/api/v1/contacts/{contact['id']}", json={"job_title": "CFO"})
    assert patched.json()["job_title"] == "CFO"
    assert client.get("/api/v1/contacts", params={"q": "cfo"}).json()["total"] == 1
    assert client.delete(f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert client.get("/api/v1/contacts").json()["total"] == 1


def test_it_rolls_back_the_whole_request_when_a_service_fails(client: TestClient) -> None:
    # The contact is flushed before linking to the missing account fails (422 naming
    # account_id): nothing may remain.
    response = client.post(
        "/api/v1/contacts", json={"email": "ghost@example.com", "account_id": 999}
    )
    assert response.status_code == 422
    assert client.get("/api/v1/contacts").json()["total"] == 0


def test_it_creates_updates_and_deletes_a_deal(client: TestClient) -> None:
    account = _account(client, name="Acme")
    created = client.post(
        "/api/v1/deals",
        json={"name": "Platform", "account_id": account["id"], "amount": 1000},
    )
    assert created.status_code == 201
    deal = created.json()
    assert (deal["stage_name"], deal["status"]) == ("Lead", "open")

    patched = client.patch(f"/api/v1/deals/{deal['id']}", json={"amount": 2500})
    assert patched.json()["amount"] == 2500
    assert client.get("/api/v1/deals", params={"q": "plat"}).json()["total"] == 1
    assert client.delete(f"/api/v1/deals/{deal['id']}").status_code == 204
    assert client.get(f"/api/v1/deals/{deal['id']}").status_code == 404


def test_it_moves_a_deal_and_derives_its_state_from_the_history(client: TestClient) -> None:
    deal = client.post(
        "/api/v1/deals", json={"name": "Platform", "opened_at": "2026-01-01T00:00:00Z"}
    ).json()
    base = f"/api/v1/deals/{deal['id']}"
    qualified = client.post(
        f"{base}/stage-changes",
        json={"to_stage": "qualified", "changed_at": "2026-01-11T00:00:00Z"},
    )
    assert qualified.status_code == 201
    assert qualified.json()["from_stage"] == "Lead"
    assert qualified.json()["to_stage"] == "Qualified"
    lost = client.post(
        f"{base}/stage-changes",
        json={
            "to_stage": "Closed Lost",
            "changed_at": "2026-01-16T00:00:00Z",
            "lost_reason": "No budget",
        },
    )
    assert lost.status_code == 201
    now = client.get(base).json()
    assert (now["status"], now["stage_name"], now["lost_reason"]) == (
        "lost",
        "Closed Lost",
        "No budget",
    )

    changes = client.get(f"{base}/stage-changes").json()
    assert changes["total"] == 3
    assert [c["to_stage"] for c in changes["items"]] == ["Lead", "Qualified", "Closed Lost"]

    timeline = client.get(f"{base}/timeline").json()
    assert [(t["stage"], t["days"]) for t in timeline[:2]] == [("Lead", 10.0), ("Qualified", 5.0)]

    # Remove the loss: the deal is open in Qualified again.
    assert client.delete(f"/api/v1/stage-changes/{lost.json()['id']}").status_code == 204
    reopened = client.get(base).json()
    assert (reopened["status"], reopened["stage_name"]) == ("open", "Qualified")

    moved = client.patch(
        f"/api/v1/stage-changes/{qualified.json()['id']}",
        json={"changed_at": "2026-01-06T00:00:00Z"},
    )
    assert moved.status_code == 200
    assert client.get(f"{base}/timeline").json()[0]["days"] == 5.0
    assert client.get(f"/api/v1/stage-changes/{qualified.json()['id']}").status_code == 200


def test_it_refuses_moves_back_in_time_and_unknown_stages(client: TestClient) -> None:
    deal = client.post(
        "/api/v1/deals", json={"name": "Platform", "opened_at": "2026-03-01T00:00:00"}
    ).json()
    url = f"/api/v1/deals/{deal['id']}/stage-changes"
    early = client.post(url, json={"to_stage": "Qualified", "changed_at": "2026-01-01T00:00:00"})
    assert early.status_code == 422
    assert "earlier" in _error(early.json())["message"]

    unknown = client.post(url, json={"to_stage": "Heaven"})
    assert unknown.status_code == 404
    assert "Closed Won" in _error(unknown.json())["message"]

    no_deal = client.post("/api/v1/deals/999/stage-changes", json={"to_stage": "Lead"})
    assert no_deal.status_code == 404


def test_it_reports_the_workspace_status(client: TestClient) -> None:
    _account(client, name="Acme")
    client.post("/api/v1/deals", json={"name": "Platform"})
    status = client.get("/api/v1/status").json()
    assert (status["accounts"], status["deals"], status["open_deals"]) == (1, 1, 1)
    assert status["stage_changes"] == 1


def _positions(workspace: Workspace, contact_id: int) -> list[int]:
    """Account ids of the contact's positions, read from the database."""
    with workspace.sessions() as session:
        found = session.scalars(
            select(AccountContact.account_id).where(AccountContact.contact_id == contact_id)
        )
        return sorted(found)


def test_it_deletes_an_account_with_its_positions_but_keeps_the_people(
    client: TestClient, workspace: Workspace
) -> None:
    account = _account(client, name="Acme")
    other = _account(client, name="Globex")
    person = client.post(
        "/api/v1/contacts", json={"first_name": "Ada", "account_id": account["id"]}
    )
    with workspace.sessions() as session, session.begin():
        session.add(AccountContact(account_id=other["id"], contact_id=person.json()["id"]))
    assert _positions(workspace, person.json()["id"]) == sorted([account["id"], other["id"]])
    deal = client.post("/api/v1/deals", json={"name": "Platform", "account_id": account["id"]})
    assert client.delete(f"/api/v1/accounts/{account['id']}").status_code == 200
    assert _positions(workspace, person.json()["id"]) == [other["id"]]
    assert client.get(f"/api/v1/contacts/{person.json()['id']}").status_code == 200
    assert client.get(f"/api/v1/deals/{deal.json()['id']}").json()["account_id"] is None
    assert client.delete(f"/api/v1/contacts/{person.json()['id']}").status_code == 204


def test_search_treats_percent_and_underscore_as_plain_text(client: TestClient) -> None:
    _account(client, name="100% Cotton")
    _account(client, name="Cotton_Works")
    _account(client, name="Cottonwood")
    percent = client.get("/api/v1/accounts", params={"q": "0%"}).json()
    assert [a["name"] for a in percent["items"]] == ["100% Cotton"]
    underscore = client.get("/api/v1/accounts", params={"q": "n_w"}).json()
    assert [a["name"] for a in underscore["items"]] == ["Cotton_Works"]


def test_extra_is_shown_without_the_demos_answer_key(
    client: TestClient, workspace: Workspace
) -> None:
    deal = client.post("/api/v1/deals", json={"name": "Platform"}).json()
    with workspace.sessions() as session, session.begin():
        stored = session.get(Deal, deal["id"])
        assert stored is not None
        stored.extra = {"_planted_fate": "lost", "Note": "7"}
    assert client.get(f"/api/v1/deals/{deal['id']}").json()["extra"] == {"Note": "7"}
    listed = client.get("/api/v1/deals").json()["items"]
    assert [d["extra"] for d in listed] == [{"Note": "7"}]
    with workspace.sessions() as session:  # the key stays in the database, for tests
        assert session.get(Deal, deal["id"]).extra["_planted_fate"] == "lost"  # type: ignore[union-attr]
