"""Journey against funnel over HTTP, on SQLite and PostgreSQL: the REST document and the
mapping's validated writes, the section on /journeys (words with units, the heatmap, the
PNG download) and its empty state."""

from __future__ import annotations

from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from tests.seams.alignment_world import COUNTS, OFF_SHARE, seed_world


def test_the_rest_document_is_the_cli_contract(client: TestClient, workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s)
    doc = client.get("/api/v1/journeys/alignment").json()
    assert doc["matrix"]["counts"] == COUNTS
    assert doc["off_mapping_share"] == OFF_SHARE
    assert client.get("/api/v1/journeys/alignment?persona=fin").json()["touchpoints"] == 3
    missing = client.get("/api/v1/journeys/alignment?pipeline=Renewals")
    assert missing.status_code == 404
    assert "Sales" in missing.text


def test_the_mapping_is_declared_refused_by_name_and_reset_over_rest(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s)
    assert client.get("/api/v1/journeys/mapping").json()["origin"] == "default"
    ok = client.put(
        "/api/v1/journeys/mapping", json={"journey_stage": "education", "funnel_stages": ["Lead"]}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["mapping"]["education"] == ["Lead"]
    bad = client.put(
        "/api/v1/journeys/mapping", json={"journey_stage": "education", "funnel_stages": ["Zzz"]}
    )
    assert bad.status_code == 422
    assert "'Zzz'" in bad.text
    assert "Qualified" in bad.text
    assert client.delete("/api/v1/journeys/mapping").json()["origin"] == "default"


def test_the_journeys_page_shows_the_section_in_words_with_days(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s)
    page = client.get("/journeys")
    assert page.status_code == 200
    html = page.text
    assert "Journey against funnel" in html
    assert "12 of 14 touchpoints" in html
    assert "58 %" in html
    assert "median <strong>5 days</strong> over 2 contacts (3 visits)" in html
    assert 'aria-label="Touchpoints by journey stage and funnel stage"' in html
    png = client.get("/journeys/alignment.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_without_touchpoints_the_section_says_to_import_them(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as s, s.begin():
        seed_world(s, touches=False)
    html = client.get("/journeys").text
    assert "No touchpoints yet" in html
    assert "buyermap import touchpoints" in html
    assert client.get("/journeys/alignment.png").status_code == 404
