"""Journeys over HTTP, on SQLite and PostgreSQL: the REST API's validated, versioned
writes and the pages (empty states, the grid, the heatmap, the content library)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from buyermap.io.form_answers import import_form_answers
from buyermap.services.workspace import Workspace
from tests.web.csrf_client import csrf_headers


def _map(client: TestClient) -> None:
    assert client.post("/api/v1/journeys/ředitel", json={"template": "b2b6"}).status_code == 201
    for body in (
        {"stage": "validation", "kind": "objection", "key": "trust", "text": "Nevěříme dodavateli"},
        {"stage": "validation", "kind": "question", "text": "Kdo to už používá v Brně?"},
        {"stage": "problem_identification", "kind": "task", "text": "Spočítat výpadky"},
    ):
        assert client.post("/api/v1/journeys/ředitel/lines", json=body).status_code == 201


def test_it_refuses_bad_lines_naming_the_bad_value(client: TestClient) -> None:
    _map(client)
    bad_stage = client.post(
        "/api/v1/journeys/ředitel/lines", json={"stage": "purchase", "kind": "task", "text": "x"}
    )
    assert bad_stage.status_code == 422
    assert "'purchase'" in bad_stage.text
    assert "problem_identification" in bad_stage.text
    no_objection = client.post(
        "/api/v1/journeys/ředitel/lines",
        json={"stage": "validation", "kind": "answer", "text": "x", "ref": "price"},
    )
    assert no_objection.status_code == 422
    assert "'price'" in no_objection.text
    assert "trust" in no_objection.text
    other_template = client.post("/api/v1/journeys/ředitel", json={"template": "seed5"})
    assert other_template.status_code == 422


def test_it_versions_line_edits_and_publishes_with_a_diff(client: TestClient) -> None:
    _map(client)
    doc = client.get("/api/v1/journeys/ředitel").json()
    line = next(s for s in doc["stages"] if s["key"] == "validation")["lines"]["question"][0]
    ok = client.patch(
        f"/api/v1/journey-lines/{line['id']}",
        json={"text": "Kdo to používá v Ostravě?", "version": line["version"]},
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/journey-lines/{line['id']}", json={"text": "jinak", "version": line["version"]}
    )
    assert stale.status_code == 409
    assert client.post("/api/v1/journeys/ředitel/publish").json()["version"] == 1
    client.post(
        "/api/v1/journeys/ředitel/lines",
        json={"stage": "validation", "kind": "answer", "ref": "trust", "text": "Reference z Brna"},
    )
    diff = client.get("/api/v1/journeys/ředitel/diff").json()
    assert diff["from"] == "1"
    assert [(c["change"], c["text"]) for c in diff["diff"]] == [("added", "Reference z Brna")]
    assert client.get("/api/v1/journeys/ředitel/history").json()["versions"][0]["number"] == 1
    gaps = client.get("/api/v1/journeys/gaps").json()
    assert gaps["unanswered_objections"] == []


def test_content_api_validates_and_links_to_a_cell(client: TestClient) -> None:
    _map(client)
    made = client.post(
        "/api/v1/content",
        json={"title": "Případová studie", "url": "https://e.cz/s", "objections": ["trust"]},
    )
    assert made.status_code == 201
    again = client.post("/api/v1/content", json={"title": "x", "url": "https://e.cz/s"})
    assert again.status_code == 409
    bad = client.post("/api/v1/content", json={"title": "x", "url": "u", "direction": "sideways"})
    assert bad.status_code == 422
    asset = made.json()
    client.patch(
        f"/api/v1/content/{asset['id']}", json={"personas": ["ředitel"], "stages": ["validation"]}
    )
    linked = client.post(
        f"/api/v1/content/{asset['id']}/link",
        json={"persona": "ředitel", "stage": "problem_identification"},
    )
    assert linked.json()["stages"] == ["validation", "problem_identification"]
    cells = {c["stage"]: c for c in client.get("/api/v1/journeys/gaps").json()["cells"]}
    assert cells["validation"]["content_count"] == 1
    assert cells["validation"]["unanswered"] == 0
    assert cells["consensus"]["content_count"] == 0
    assert [a["title"] for a in client.get("/api/v1/content?stage=consensus").json()] == []


def test_the_pages_say_what_to_do_when_empty(client: TestClient) -> None:
    html = client.get("/journeys").text
    assert "No personas yet" in html
    assert "No journey maps yet" in html
    assert "The library is empty" in client.get("/content").text


def test_the_pages_show_the_grid_the_heatmap_and_the_library(client: TestClient) -> None:
    _map(client)
    client.post(
        "/api/v1/content", json={"title": "Webinář", "url": "https://e.cz/w", "type": "webinar"}
    )
    html = client.get("/journeys").text
    assert "<svg" in html
    assert "Open gaps per persona and stage" in html
    assert "made by hand" in html
    assert "unanswered objection “trust: Nevěříme dodavateli”" in html
    page = client.get("/journeys/ředitel").text
    assert "Consensus across the team" in page
    assert "What holds them back" in page
    assert 'value="Nevěříme dodavateli"' in page
    assert "Webinář" in client.get("/content?type=webinar").text
    assert "No piece matches" in client.get("/content?type=ebook").text


def test_a_refused_form_keeps_what_was_typed(client: TestClient) -> None:
    _map(client)
    headers = csrf_headers(client, "/journeys/ředitel")
    response = client.post(
        "/journeys/ředitel/lines",
        data={"stage": "validation", "kind": "answer", "text": "Bez námitky", "ref": "nic"},
        headers=headers,
    )
    assert response.status_code == 422
    assert "Not saved" in response.text
    assert "&#39;nic&#39;" in response.text
    assert 'value="Bez námitky"' in response.text


def test_form_answers_are_listed_mapped_and_themed_over_rest(
    client: TestClient, workspace: Workspace, tmp_path: Path
) -> None:
    _map(client)
    form = tmp_path / "rozhovory.csv"
    form.write_bytes(
        "Časová značka,Proč váháte?\n"
        "14.03.2026 09:15:02,Nevěříme dodavateli bez reference\n"
        "15.03.2026 10:00:00,Bez reference z Brna nevěříme\n".encode("cp1250")
    )
    with workspace.sessions() as s, s.begin():
        report = import_form_answers(s, path=form, persona="ředitel")
    assert report.imported == 2
    kept = client.get("/api/v1/journeys/answers", params={"persona": "ředitel"}).json()
    assert [a["answer"] for a in kept["answers"]] == [
        "Nevěříme dodavateli bez reference",
        "Bez reference z Brna nevěříme",
    ]
    assert client.get("/api/v1/journeys/answers", params={"persona": "nikdo"}).status_code == 404
    bad = client.post(
        "/api/v1/journeys/answers/map",
        json={"question": "Proč váháte?", "stage": "validation", "objection": "price"},
    )
    assert bad.status_code == 422
    assert "'price'" in bad.text
    assert "trust" in bad.text
    ok = client.post(
        "/api/v1/journeys/answers/map",
        json={"question": "Proč váháte?", "stage": "validation", "objection": "trust"},
    )
    assert ok.json() == {
        "question": "Proč váháte?",
        "stage": "validation",
        "objection": "trust",
        "answers": 2,
    }
    themes = client.get("/api/v1/journeys/themes").json()
    assert themes["answers"] == 2
    assert themes["rules"] == 0
    assert any("no keyword rules yet" in n for n in themes["notes"])
    questions = client.get("/api/v1/journeys/answers/questions").json()
    assert questions == [
        {"question": "Proč váháte?", "answers": 2, "stage": "validation", "objection": "trust"}
    ]
    refused = client.post(
        "/api/v1/journeys/answers/keywords",
        json={"kind": "objection", "key": "cena", "word": "reference"},
    )
    assert refused.status_code == 422
    assert "'cena'" in refused.text
    added = client.post(
        "/api/v1/journeys/answers/keywords",
        json={"kind": "objection", "key": "trust", "word": "reference"},
    )
    assert added.status_code == 201
    assert added.json()["added"] is True
    again = client.post(
        "/api/v1/journeys/answers/keywords",
        json={"kind": "objection", "key": "trust", "word": "reference"},
    ).json()
    assert again["added"] is False
    (rule,) = client.get("/api/v1/journeys/answers/keywords").json()
    assert rule == {"id": rule["id"], "kind": "objection", "key": "trust", "word": "reference"}
    themed = client.get("/api/v1/journeys/themes").json()
    assert [(t["source"], t["answers"]) for t in themed["themes"]] == [("keywords", 2)]
    url = f"/api/v1/journeys/answers/keywords/{rule['id']}"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert client.get("/api/v1/journeys/answers/keywords").json() == []


def test_a_persona_a_journey_map_made_shows_among_the_hand_made_personas(
    client: TestClient,
) -> None:
    _map(client)
    hand = client.get("/api/v1/personas/hand-made").json()
    assert [(p["key"], p["name"], p["backed_by_data"]) for p in hand] == [
        ("ředitel", "Ředitel", False)
    ]
    page = client.get("/personas/ředitel")
    assert page.status_code == 200
    assert "Ředitel" in page.text
    assert "ředitel" in client.get("/personas").text
    assert client.get("/personas/ředitel/avatar.png").headers["content-type"] == "image/png"
    assert client.get("/api/v1/personas/ředitel/sheets/sales.pdf").content.startswith(b"%PDF")


def test_a_persona_made_in_the_editor_is_offered_for_a_journey_map(client: TestClient) -> None:
    made = client.post("/api/v1/personas", json={"name": "Guðrún Szabó"}).json()
    listed = client.get("/api/v1/journeys").json()
    assert made["key"] in str(listed)
    assert (
        client.post(f"/api/v1/journeys/{made['key']}", json={"template": "b2b6"}).status_code == 201
    )
    shown = client.get(f"/api/v1/journeys/{made['key']}").json()
    assert (shown["name"], shown["origin"]) == ("Guðrún Szabó", "hand_made")
    assert [p["key"] for p in client.get("/api/v1/personas/hand-made").json()] == [made["key"]]
