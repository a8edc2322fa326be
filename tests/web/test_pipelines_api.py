"""``/api/v1/pipelines``: pipelines and stages over REST, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def _create(client: TestClient, **body: Any) -> dict[str, Any]:
    return _ok(client.post("/api/v1/pipelines", json=body), 201)


def _stage_id(pipeline: dict[str, Any], name: str) -> int:
    found: int = next(s["id"] for s in pipeline["stages"] if s["name"] == name)
    return found


def test_it_creates_a_pipeline_from_a_preset_and_lists_it_with_its_stages(
    client: TestClient,
) -> None:
    created = _create(client, name="Renewals", preset="HubSpot", is_default=True)
    assert created["is_default"] is True
    assert created["closed_at"] is None
    assert [(s["name"], s["position"], s["probability"]) for s in created["stages"][:2]] == [
        ("Appointment Scheduled", 0, 0.2),
        ("Qualified To Buy", 1, 0.4),
    ]
    assert set(created["stages"][0]) == {
        "id",
        "name",
        "position",
        "kind",
        "probability",
        "closed_at",
    }
    listed = client.get("/api/v1/pipelines").json()
    assert [p["name"] for p in listed] == ["Renewals"]
    assert _ok(client.get(f"/api/v1/pipelines/{created['id']}"))["name"] == "Renewals"


def test_it_creates_a_pipeline_from_stages_or_with_the_default_ones(client: TestClient) -> None:
    stages = [
        {"name": "Intro", "probability": 0.1},
        {"name": "Signed", "kind": "won", "probability": 1},
        {"name": "Gone", "kind": "lost"},
    ]
    own = _create(client, name="Partners", stages=stages)
    assert [(s["name"], s["kind"]) for s in own["stages"]] == [
        ("Intro", "open"),
        ("Signed", "won"),
        ("Gone", "lost"),
    ]
    plain = _create(client, name="Plain")
    assert plain["stages"][0]["name"] == "Lead"


def test_it_answers_422_naming_the_field_of_a_bad_pipeline(client: TestClient) -> None:
    long = _error(client.post("/api/v1/pipelines", json={"name": "x" * 121}), 422)
    assert long["details"]["errors"][0]["field"] == "name"
    preset = _error(client.post("/api/v1/pipelines", json={"name": "A", "preset": "zoho"}), 422)
    assert "'zoho'" in preset["message"]
    assert "salesforce, hubspot, pipedrive" in preset["message"]
    bad = {"name": "A", "stages": [{"name": "Open", "probability": 2}]}
    prob = _error(client.post("/api/v1/pipelines", json=bad), 422)
    assert prob["details"]["errors"][0]["field"] == "stages.0.probability"
    both = {"name": "A", "preset": "salesforce", "stages": [{"name": "Open"}]}
    assert "not both" in _error(client.post("/api/v1/pipelines", json=both), 422)["message"]
    no_won = {"name": "A", "stages": [{"name": "Open"}, {"name": "Lost", "kind": "lost"}]}
    assert "no won stage" in _error(client.post("/api/v1/pipelines", json=no_won), 422)["message"]


def test_it_answers_409_for_a_taken_name_and_404_for_a_missing_pipeline(
    client: TestClient,
) -> None:
    _create(client, name="Sales")
    assert (
        "'Sales'"
        in _error(client.post("/api/v1/pipelines", json={"name": "SALES"}), 409)["message"]
    )
    assert "999" in _error(client.get("/api/v1/pipelines/999"), 404)["message"]
    assert _error(client.patch("/api/v1/pipelines/999", json={"name": "X"}), 404)
    assert _error(client.post("/api/v1/pipelines/999/stages", json={"name": "X"}), 404)


def test_it_renames_makes_default_closes_and_reopens_a_pipeline(client: TestClient) -> None:
    sales = _create(client, name="Sales", is_default=True)
    old = _create(client, name="Old", preset="salesforce")
    path = f"/api/v1/pipelines/{old['id']}"
    assert _ok(client.patch(path, json={"name": "Legacy"}))["name"] == "Legacy"
    closed = _ok(client.patch(path, json={"closed": True}))
    assert closed["closed_at"] is not None
    refused = _error(client.patch(path, json={"is_default": True}), 409)
    assert "reopen it" in refused["message"]
    made = _ok(client.patch(path, json={"closed": False, "is_default": True}))
    assert (made["closed_at"], made["is_default"]) == (None, True)
    assert _ok(client.get(f"/api/v1/pipelines/{sales['id']}"))["is_default"] is False


def test_it_refuses_to_close_the_default_pipeline_with_409(client: TestClient) -> None:
    sales = _create(client, name="Sales", is_default=True)
    error = _error(client.patch(f"/api/v1/pipelines/{sales['id']}", json={"closed": True}), 409)
    assert "default" in error["message"]
    assert client.get(f"/api/v1/pipelines/{sales['id']}").json()["closed_at"] is None
    unset = _error(
        client.patch(f"/api/v1/pipelines/{sales['id']}", json={"is_default": False}), 422
    )
    assert "another pipeline the default" in unset["message"]


def test_it_adds_and_changes_stages(client: TestClient) -> None:
    sales = _create(client, name="Sales")
    path = f"/api/v1/pipelines/{sales['id']}/stages"
    added = _ok(client.post(path, json={"name": "Demo", "probability": 0.3}), 201)
    assert [s["name"] for s in added["stages"]][-3:] == ["Demo", "Closed Won", "Closed Lost"]
    demo = _stage_id(added, "Demo")
    changed = _ok(
        client.patch(
            f"{path}/{demo}", json={"name": "Live demo", "probability": 0.35, "position": 1}
        )
    )
    moved = changed["stages"][1]
    assert (moved["id"], moved["name"], moved["probability"]) == (demo, "Live demo", 0.35)
    assert [s["position"] for s in changed["stages"]] == list(range(8))
    closed = _ok(client.patch(f"{path}/{demo}", json={"closed": True}))
    assert closed["stages"][1]["closed_at"] is not None
    reopened = _ok(client.patch(f"{path}/{demo}", json={"closed": False}))
    assert reopened["stages"][1]["closed_at"] is None


def test_stage_changes_that_break_the_rules_answer_409_or_422(client: TestClient) -> None:
    sales = _create(client, name="Sales")
    path = f"/api/v1/pipelines/{sales['id']}/stages"
    assert _error(client.post(path, json={"name": "Signed", "kind": "won"}), 409)
    assert _error(client.post(path, json={"name": "closed-lost"}), 409)
    assert _error(client.post(path, json={"name": "X", "position": 99}), 422)
    bad_prob = _error(client.post(path, json={"name": "X", "probability": -0.1}), 422)
    assert bad_prob["details"]["errors"][0]["field"] == "probability"
    won = _stage_id(sales, "Closed Won")
    assert (
        "no won stage"
        in _error(client.patch(f"{path}/{won}", json={"kind": "open"}), 409)["message"]
    )
    assert _error(client.patch(f"{path}/999", json={"name": "X"}), 404)


def test_it_reorders_stages_by_names_or_ids_and_names_what_is_missing(client: TestClient) -> None:
    sales = _create(client, name="Sales")
    path = f"/api/v1/pipelines/{sales['id']}/stages/order"
    ids = [s["id"] for s in sales["stages"]]
    by_ids = _ok(client.put(path, json=[ids[1], ids[0], *ids[2:]]))
    assert [s["name"] for s in by_ids["stages"]][:2] == ["Qualified", "Lead"]
    names = [
        "Lead",
        "Qualified",
        "Proposal",
        "Discovery",
        "Negotiation",
        "closedwon",
        "Closed Lost",
    ]
    by_names = _ok(client.put(path, json=names))
    assert [s["name"] for s in by_names["stages"]][2:4] == ["Proposal", "Discovery"]
    missing = _error(client.put(path, json=names[:-1]), 422)
    assert "missing stages: 'Closed Lost'" in missing["message"]


def test_a_deal_cannot_move_into_a_closed_stage_over_rest(client: TestClient) -> None:
    sales = _create(client, name="Sales", is_default=True)
    deal = _ok(client.post("/api/v1/deals", json={"name": "Acme"}), 201)
    stage = _stage_id(sales, "Proposal")
    _ok(client.patch(f"/api/v1/pipelines/{sales['id']}/stages/{stage}", json={"closed": True}))
    moved = client.post(f"/api/v1/deals/{deal['id']}/stage-changes", json={"to_stage": "Proposal"})
    assert "'Proposal' of pipeline 'Sales' is closed" in _error(moved, 409)["message"]
