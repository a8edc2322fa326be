"""The relationship map's REST API on SQLite and PostgreSQL: the map as JSON, SVG and PNG;
ties added, changed with versions and removed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from tests.factories import make_client
from tests.relationship_world import MapWorld, seed_map


@pytest.fixture
def world(workspace: Workspace) -> MapWorld:
    with workspace.sessions() as s, s.begin():
        return seed_map(s)


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    with make_client(db_url, workspace) as c:
        yield c


def test_the_api_serves_the_map_as_json_svg_and_png(client: TestClient, world: MapWorld) -> None:
    url = f"/api/v1/accounts/{world.account}/relationship-map"
    doc = client.get(url).json()
    assert len(doc["nodes"]) == 5
    assert {"from", "to", "type", "evidence"} <= set(doc["edges"][0])
    deal = client.get(url, params={"deal": world.deal}).json()
    assert len(deal["nodes"]) == 4
    svg = client.get(url + ".svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    png = client.get(url + ".png", params={"deal": world.deal})
    assert png.content.startswith(b"\x89PNG")
    assert "relationship-map-" in png.headers["content-disposition"]
    other = client.get(url, params={"deal": 999_999})
    assert other.status_code == 404
    wrong = client.get(
        f"/api/v1/accounts/{world.other_account}/relationship-map", params={"deal": world.deal}
    )
    assert wrong.status_code == 422
    assert "is not a deal of Ezüst Kft" in wrong.text


def test_the_api_adds_changes_with_versions_and_removes_a_tie(
    client: TestClient, world: MapWorld
) -> None:
    p = world.people
    body = {"from": p["thordis"], "to": p["stefan"], "type": "Informal advisor", "evidence": "QBR"}
    created = client.post("/api/v1/ties", json=body)
    assert created.status_code == 201, created.text
    tie = created.json()
    assert (tie["from"], tie["type"], tie["version"]) == (p["thordis"], "informal_advisor", 1)
    assert client.post("/api/v1/ties", json=body).status_code == 409
    selfish = client.post("/api/v1/ties", json={**body, "to": p["thordis"]})
    assert selfish.status_code == 422
    assert "two different people" in selfish.text
    bad = client.post("/api/v1/ties", json={**body, "type": "??"})
    assert bad.status_code == 422
    assert "reports to (reports_to)" in bad.text
    assert client.post("/api/v1/ties", json={**body, "to": 999_999}).status_code == 404
    url = f"/api/v1/ties/{tie['id']}"
    assert client.get(url).headers["ETag"] == '"1"'
    patched = client.patch(url, json={"type": "ally", "strength": 4}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["type"], patched.json()["strength"]) == ("allies_with", 4)
    stale = client.patch(url, json={"evidence": "old"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 409
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
