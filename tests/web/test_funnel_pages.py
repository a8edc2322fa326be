"""``/funnels`` and ``POST /api/v1/funnels`` over a small declarative event log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.web.csrf_client import csrf_headers

HX = {"HX-Request": "true"}

# one journey per person: (user, channel, [(seconds, event), ...])
JOURNEYS = [
    ("u1", "ads", [(0, "visit"), (60, "signup"), (120, "purchase")]),
    ("u2", "ads", [(0, "visit"), (30, "signup")]),
    ("u3", "seo", [(0, "visit"), (90_000, "signup")]),  # signup after a one-day window
    ("u4", "seo", [(0, "visit")]),
    ("u5", "seo", [(0, "signup"), (10, "purchase")]),  # never visits: not counted
]


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    lines = ["user_id,event,ts,channel"]
    for user, channel, steps in JOURNEYS:
        for seconds, event in steps:
            lines.append(f"{user},{event},{1_700_000_000 + seconds},{channel}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def app_client(tmp_path: Path) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", files_root=tmp_path)
    client = TestClient(create_app(settings))
    client.headers.update(csrf_headers(client))  # as HTMX sends it (tests/web/test_csrf.py)
    return client


FORM = {"steps": "visit,signup,purchase", "window": "1d", "by": "channel"}


def _counts(html: str) -> list[int]:
    rows = re.findall(r'<tr data-step="[^"]+"><td>[^<]+</td><td class="num">([\d,]+)<', html)
    return [int(r.replace(",", "")) for r in rows]


def test_the_funnel_page_shows_the_form(app_client: TestClient) -> None:
    html = app_client.get("/funnels").text
    assert 'name="events"' in html
    assert 'hx-post="/funnels"' in html
    assert '<option value="strict_order">' in html
    assert '<a href="/funnels" aria-current="page">Funnels</a>' in html


def test_an_uploaded_event_file_gives_counts_chart_and_breakdown(
    app_client: TestClient, events_csv: Path
) -> None:
    with events_csv.open("rb") as fh:
        response = app_client.post(
            "/funnels", data=FORM, files={"events": ("events.csv", fh, "text/csv")}
        )
    assert response.status_code == 200
    html = response.text
    assert _counts(html) == [4, 2, 1]
    assert html.count('<svg class="chart"') == 2
    assert re.search(r'<tr data-value="ads"><td>ads</td><td class="num">2</td>', html)
    assert 'value="1d"' in html  # the form keeps what was asked


def test_a_server_path_works_and_htmx_gets_only_the_result(
    app_client: TestClient, events_csv: Path
) -> None:
    response = app_client.post(
        "/funnels", data={**FORM, "path": str(events_csv), "window": "2d"}, headers=HX
    )
    assert response.text.lstrip().startswith('<section class="card region" id="result">')
    assert _counts(response.text) == [4, 3, 1]


def test_a_bad_window_is_shown_not_crashed(app_client: TestClient, events_csv: Path) -> None:
    data = {**FORM, "path": str(events_csv), "window": "soon"}
    page = app_client.post("/funnels", data=data)
    assert page.status_code == 422
    assert "cannot read the window" in page.text
    fragment = app_client.post("/funnels", data=data, headers=HX)
    assert fragment.status_code == 200  # so that HTMX swaps the message in
    assert 'role="alert"' in fragment.text


def test_the_api_runs_a_funnel_on_a_server_file(app_client: TestClient, events_csv: Path) -> None:
    body = {"path": str(events_csv), "steps": ["visit", "signup", "purchase"], "window": "1d"}
    response = app_client.post("/api/v1/funnels", json={**body, "by": "channel"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["counts"] == [4, 2, 1]
    assert data["by"] == {"ads": [2, 2, 1], "seo": [2, 0, 0]}


def test_api_funnel_errors_have_the_one_shape(app_client: TestClient, events_csv: Path) -> None:
    missing = app_client.post(
        "/api/v1/funnels", json={"path": str(events_csv) + ".nope", "steps": ["visit"]}
    )
    assert missing.status_code == 400, missing.text
    assert set(missing.json()["error"]) == {"code", "message", "details"}
    assert missing.json()["error"]["code"] == "bad_event_file"
    repeated = app_client.post(
        "/api/v1/funnels", json={"path": str(events_csv), "steps": ["visit", "visit"]}
    )
    assert repeated.status_code == 422
    assert repeated.json()["error"]["code"] == "bad_steps"


def test_a_server_path_outside_the_files_root_is_refused(
    app_client: TestClient, tmp_path: Path
) -> None:
    outside = tmp_path.parent / "elsewhere.csv"
    page = app_client.post("/funnels", data={**FORM, "path": str(outside)})
    assert "outside the folder the workbench reads files from" in page.text
    api = app_client.post(
        "/api/v1/funnels", json={"path": "../elsewhere.csv", "steps": ["visit", "signup"]}
    )
    assert api.status_code == 422
    assert "BUYERMAP_FILES_ROOT" in api.json()["error"]["message"]


def test_a_relative_server_path_is_read_inside_the_files_root(
    app_client: TestClient, events_csv: Path
) -> None:
    body = {"path": events_csv.name, "steps": ["visit", "signup"], "window": "1d"}
    response = app_client.post("/api/v1/funnels", json=body)
    assert response.status_code == 200, response.text
