"""``/api/v1/personas`` POST/PATCH, profiles and sheets (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_it_makes_edits_and_shows_a_hand_made_persona(client: TestClient) -> None:
    made = client.post(
        "/api/v1/personas",
        json={"name": "Guðrún Szabó", "role": "buyer", "goals": ["Fewer invoices"]},
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["key"], body["origin"], body["backed_by_data"]) == (
        "h-gudrun-szabo",
        "hand_made",
        False,
    )
    patched = client.patch(
        "/api/v1/personas/h-gudrun-szabo", json={"description": "CFO", "version": 1}
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    stale = client.patch("/api/v1/personas/h-gudrun-szabo", json={"name": "G", "version": 1})
    assert stale.status_code == 409
    shown = client.get("/api/v1/personas/h-gudrun-szabo/profile").json()
    assert shown["description"] == "CFO"
    assert [p["key"] for p in client.get("/api/v1/personas/hand-made").json()] == ["h-gudrun-szabo"]
    sheet = client.get("/api/v1/personas/h-gudrun-szabo/sheets/product").json()
    assert sheet["backed_by_data"] is False
    assert sheet["sections"][0]["lines"] == ["Fewer invoices"]
    pdf = client.get("/api/v1/personas/h-gudrun-szabo/sheets/sales.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/personas/pack.pdf").content.startswith(b"%PDF")
    deck = client.get("/api/v1/personas/pack.pptx")
    assert deck.headers["content-type"].endswith("presentationml.presentation")
    assert deck.content.startswith(b"PK")  # an Office Open XML zip


def test_it_refuses_a_persona_without_a_name_or_with_an_unknown_role(client: TestClient) -> None:
    empty = client.post("/api/v1/personas", json={"name": "  "})
    assert empty.status_code == 422
    assert "name" in empty.text
    role = client.post("/api/v1/personas", json={"name": "Ola", "role": "cfo"})
    assert role.status_code == 422
    assert "buyer" in role.text
    extra = client.post("/api/v1/personas", json={"name": "Ola", "colour": "red"})
    assert extra.status_code == 422
    assert client.get("/api/v1/personas/h-ola/sheets/finance").status_code == 422
