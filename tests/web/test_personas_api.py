"""``/api/v1/personas``: runs, personas, cards (JSON, PNG, PDF) and contacts' personas."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from buyermap.charts.personas import card_figure
from buyermap.db.models import Contact, PersonaAssignment
from tests.web.persona_factory import PersonaApp, seed_personas


def test_runs_are_listed_with_their_provenance(persona_app: PersonaApp) -> None:
    runs = persona_app.client.get("/api/v1/personas/runs").json()
    assert [r["run_key"] for r in runs] == [persona_app.run_key]
    run = runs[0]
    assert run["is_active"]
    assert run["k"] == 3
    assert run["n"] == 180
    assert len(run["inputs_hash"]) == 64
    assert run["settings"]["k"] == 3
    full = persona_app.client.get(f"/api/v1/personas/runs/{run['id']}").json()
    assert full["run_key"] == persona_app.run_key
    assert [c["k"] for c in full["result"]["selection"]] == [3]
    assert full["result"]["provenance"]["version"] == run["version"]
    assert len(full["personas"]) == 3


def test_the_personas_of_the_active_run(persona_app: PersonaApp) -> None:
    body = persona_app.client.get("/api/v1/personas").json()
    assert body["run"]["run_key"] == persona_app.run_key
    assert sorted(p["size"] for p in body["personas"]) == [60, 60, 60]
    assert len({p["name"] for p in body["personas"]}) == 3


def test_a_persona_card_traces_every_trait_to_rows(persona_app: PersonaApp) -> None:
    card = persona_app.client.get("/api/v1/personas/p1").json()
    assert card["key"] == "p1"
    assert card["run_key"] == persona_app.run_key
    lo, hi = card["share_ci"]
    assert lo < card["share"] < hi
    for t in card["traits"]:
        assert {"variable", "value", "persona", "population", "lift", "ci", "n"} <= t.keys()
    assert card["contacts_url"] == f"/personas/p1/contacts?run={persona_app.run_key}"
    assert card["quotes"]
    assert all(q["probability"] > 0.5 for q in card["quotes"])
    assert card["themes"]["goal"][0]["lift"] > 1


def test_cards_render_as_png_and_pdf(persona_app: PersonaApp) -> None:
    png = persona_app.client.get("/api/v1/personas/p2/card.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = persona_app.client.get("/api/v1/personas/p2/card.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert persona_app.client.get("/api/v1/personas/p2/card.pdf").content == pdf.content


def test_png_and_pdf_cards_carry_the_title_the_html_card_shows(
    persona_app: PersonaApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []

    def spy(persona: dict[str, Any], **kwargs: Any) -> Any:
        drawn.append(str(persona["title"]))
        return card_figure(persona, **kwargs)

    monkeypatch.setattr("buyermap.analytics.personas.cards.card_figure", spy)
    card = persona_app.client.get("/api/v1/personas/p2").json()
    assert card["headline"] != card["title"]  # made from the traits, not the stored title
    for fmt in ("png", "pdf"):
        assert persona_app.client.get(f"/api/v1/personas/p2/card.{fmt}").status_code == 200
    assert drawn == [card["headline"], card["headline"]]


def test_a_contact_carries_its_persona(persona_app: PersonaApp) -> None:
    by_group: dict[str, set[str]] = {}
    for contact_id, group in list(persona_app.planted.items())[::15]:
        got = persona_app.client.get(f"/api/v1/contacts/{contact_id}/persona").json()
        assert 0.5 < got["probability"] <= 1.0
        assert got["run_key"] == persona_app.run_key
        by_group.setdefault(group, set()).add(got["persona_key"])
    assert all(len(keys) == 1 for keys in by_group.values())
    assert len({next(iter(k)) for k in by_group.values()}) == 3


def test_errors_have_the_one_shape(persona_app: PersonaApp) -> None:
    missing = persona_app.client.get("/api/v1/personas/p9")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "p1, p2, p3" in missing.json()["error"]["message"]
    assert persona_app.client.get("/api/v1/personas/runs/zzz").json()["error"]["code"] == (
        "not_found"
    )
    assert persona_app.client.get("/api/v1/contacts/999999/persona").status_code == 404
    bad = persona_app.client.post("/api/v1/personas/runs", json={"k": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"][0]["field"] == "k"


def test_an_empty_workspace_has_no_personas_yet(client: TestClient) -> None:
    response = client.get("/api/v1/personas")
    assert response.status_code == 404
    assert "POST /api/v1/personas/runs" in response.json()["error"]["message"]
    refused = client.post("/api/v1/personas/runs", json={})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "insufficient_evidence"
    assert client.get("/personas").status_code == 200


def test_discovering_stores_a_run_and_assigns_every_contact(client: TestClient) -> None:
    workspace = client.app.state.workspace  # type: ignore[attr-defined]
    with workspace.sessions() as session, session.begin():
        seed_personas(session)
    created = client.post(
        "/api/v1/personas/runs", json={"k": 3, "restarts": 3, "bootstrap": 3, "seed": 1}
    )
    assert created.status_code == 201, created.text
    run = created.json()
    assert run["k"] == 3
    assert run["is_active"]
    with workspace.sessions() as session:
        contacts = session.scalar(select(func.count()).select_from(Contact))
        assigned = session.scalar(select(func.count()).where(PersonaAssignment.run_id == run["id"]))
        new = Contact(first_name="New", department="IT", seniority="manager")
        session.add(new)
        session.commit()
    assert assigned == contacts == 180
    assert client.get(f"/api/v1/contacts/{new.id}/persona").status_code == 404
    done = client.post(f"/api/v1/personas/runs/{run['run_key']}/assign").json()
    assert {k: done[k] for k in ("run_key", "assigned", "new", "kept")} == {
        "run_key": run["run_key"],
        "assigned": 1,
        "new": 1,
        "kept": 180,
    }
    assert sum(done["personas"].values()) == 1
    got = client.get(f"/api/v1/contacts/{new.id}/persona").json()
    assert got["title"].startswith("seniority: manager, department: IT")


def test_a_personas_contacts_download_as_csv_and_an_unknown_persona_is_named(
    persona_app: PersonaApp,
) -> None:
    csv = persona_app.client.get("/api/v1/personas/p1/contacts.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert 'filename="persona-p1-contacts.csv"' in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Name,Company,Email,Job title,Department,Seniority,Membership probability"
    assert len(lines) == 1 + 60
    missing = persona_app.client.get("/api/v1/personas/p9/contacts.xlsx")
    assert missing.status_code == 404
    assert "p9" in missing.json()["error"]["message"]
