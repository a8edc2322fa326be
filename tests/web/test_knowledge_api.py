"""The account-knowledge REST API on SQLite and PostgreSQL: template, versioned values,
special categories, completeness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from tests.factories import make_client
from tests.seams.test_knowledge_seam import World, seed


@pytest.fixture
def world(workspace: Workspace) -> World:
    with workspace.sessions() as s, s.begin():
        return seed(s)


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    with make_client(db_url, workspace) as c:
        yield c


def test_the_api_keeps_values_with_versions_and_completeness_moves(
    client: TestClient, world: World
) -> None:
    zabka = world.accounts["zabka"]
    url = f"/api/v1/accounts/{zabka}/knowledge"
    before = client.get(url).json()["account"]
    assert before["completeness"] == 0.0
    put = client.put(f"{url}/purchase_budget", json={"value": 250000})
    assert put.status_code == 200, put.text
    after = put.json()["account"]
    assert after["filled"] == ["purchase_budget"]
    assert after["completeness"] > before["completeness"]
    company = {v["key"]: v for v in put.json()["blocks"][0]["fields"]}
    assert (company["purchase_budget"]["value"], company["purchase_budget"]["version"]) == (
        250000,
        1,
    )
    assert company["purchase_budget"]["data_class"] == "professional"
    again = client.put(f"{url}/purchase_budget", json={"value": "300 000", "version": 1})
    assert again.status_code == 200, again.text
    stale = client.put(f"{url}/purchase_budget", json={"value": 1}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    wrong = client.put(f"{url}/purchase_budget", json={"value": "lots"})
    assert wrong.status_code == 422
    assert "'lots' is not a number" in wrong.text
    listed = client.put(f"{url}/history", json={"value": ["a", "b"]})
    assert listed.status_code == 422
    maker = client.put(
        f"{url}/motivation",
        json={"value": "Fewer suppliers", "contact_id": world.contacts["stefan"]},
    )
    assert maker.status_code == 200, maker.text
    assert client.put(f"{url}/nonsense", json={"value": "x"}).status_code == 404
    assert client.get("/api/v1/accounts/999999/knowledge").status_code == 404
    doc = client.get("/api/v1/knowledge/completeness").json()
    assert doc["accounts"][0]["filled"] == ["purchase_budget", "motivation"]
    one = client.get("/api/v1/knowledge/completeness", params={"account_id": zabka}).json()
    assert [a["account_id"] for a in one["accounts"]] == [zabka]
    gone = client.delete(f"{url}/purchase_budget")
    assert gone.status_code == 204
    assert client.delete(f"{url}/purchase_budget").status_code == 404


def test_the_api_enables_a_special_category_only_with_a_legal_basis(
    client: TestClient, world: World
) -> None:
    stefan = world.contacts["stefan"]
    url = f"/api/v1/accounts/{world.accounts['zabka']}/knowledge/health"
    assert client.put(url, json={"value": "asthma", "contact_id": stefan}).status_code == 422
    refused = client.patch("/api/v1/knowledge/template/health", json={"enabled": True})
    assert refused.status_code == 422
    assert "legal basis" in refused.text
    on = client.patch(
        "/api/v1/knowledge/template/health",
        json={"enabled": True, "legal_basis": "explicit consent", "by": "Þórdís"},
    )
    assert on.status_code == 200, on.text
    assert (on.json()["legal_basis"], on.json()["legal_basis_by"]) == ("explicit consent", "Þórdís")
    assert client.put(url, json={"value": "asthma", "contact_id": stefan}).status_code == 200
    fields = client.get("/api/v1/knowledge/template").json()["fields"]
    assert {f["key"]: f["enabled"] for f in fields}["health"] is True
    custom = client.post(
        "/api/v1/knowledge/template",
        json={"key": "fleet_size", "label": "Fleet size", "block": "company", "type": "number"},
    )
    assert custom.status_code == 201, custom.text
    assert (
        client.post(
            "/api/v1/knowledge/template",
            json={"key": "markets", "label": "M", "block": "company", "type": "text"},
        ).status_code
        == 409
    )
    tier = client.patch("/api/v1/knowledge/template/markets", json={"from_tier": "Z"})
    assert tier.status_code == 422
