"""``GET /api/v1/audit``: the changes made over the API, with who made them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from buyermap.domain.enums import UserRole
from buyermap.web.deps import CurrentUser, get_current_user
from tests.web.csrf_client import csrf_headers

ALICE = CurrentUser(id=3, name="alice@example.fi", role=UserRole.MEMBER, is_authenticated=True)


def test_changes_over_the_api_are_logged_as_the_requests_user(client: TestClient) -> None:
    client.app.dependency_overrides[get_current_user] = lambda: ALICE  # type: ignore[attr-defined]
    try:
        headers = csrf_headers(client)
        made = client.post("/api/v1/accounts", json={"name": "Kesko Oyj"}, headers=headers)
        assert made.status_code == 201, made.text
        account_id = made.json()["id"]
        changed = client.patch(
            f"/api/v1/accounts/{account_id}", json={"industry": "Retail"}, headers=headers
        )
        assert changed.status_code == 200, changed.text
        page = client.get(
            "/api/v1/audit", params={"entity": "accounts", "entity_id": account_id}
        ).json()
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    got = [(e["action"], e["field"], e["after"], e["actor"]) for e in page["entries"]]
    assert got == [
        ("update", "industry", "Retail", "alice@example.fi"),
        ("create", None, None, "alice@example.fi"),
    ]
    assert page["next_before"] is None
    assert page["entries"][0]["at"].endswith(("Z", "+00:00"))  # UTC, with its offset


def test_an_unknown_kind_of_record_is_refused_naming_the_valid_ones(client: TestClient) -> None:
    answer = client.get("/api/v1/audit", params={"entity": "passwords"})
    assert answer.status_code in (400, 422)
    assert "accounts" in answer.text
