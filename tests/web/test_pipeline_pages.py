"""``/pipeline`` and ``/forecast`` over a small demo workspace (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from buyermap.db.models import StageChange
from tests.factories import demo_workspace, make_client

HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class DemoApp:
    client: TestClient
    latest_change: str  # day of the latest stage change


@pytest.fixture(scope="module")
def demo_app(module_db_url: str) -> Iterator[DemoApp]:
    """A demo workspace at scale 0.1 behind an app; tests only read from it."""
    with demo_workspace(module_db_url, scale=0.1) as workspace:
        with workspace.sessions() as session:
            latest = session.scalar(select(func.max(StageChange.changed_at)))
        assert latest is not None
        with make_client(module_db_url, workspace) as client:
            yield DemoApp(client=client, latest_change=latest.date().isoformat())


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_pipeline_page_shows_charts_and_tables(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/pipeline")
    assert response.status_code == 200
    html = response.text
    for section in ("funnel", "time-in-stage", "losses", "cohorts"):
        assert '<svg class="chart"' in _section(html, section), section
    conversion = _section(html, "conversion")
    stages = re.findall(r'<tr data-stage="([^"]+)">', conversion)
    assert stages == ["Lead", "Qualified", "Discovery", "Proposal", "Negotiation"]
    assert "No decision" in _section(html, "losses")  # lost reasons
    assert re.search(r"<td>\d{4}-\d\d</td>", _section(html, "cohorts"))
    assert re.search(r'href="/deals/\d+"', _section(html, "stale"))
    assert 'href="/api/v1/pipeline/stats.xlsx"' in html
    assert '<a href="/pipeline" aria-current="page">Pipeline</a>' in html


def test_the_breakdown_selector_swaps_only_its_region(demo_app: DemoApp) -> None:
    page = demo_app.client.get("/pipeline", params={"by": "owner"}).text
    assert '<option value="owner" selected>' in page
    fragment = demo_app.client.get("/pipeline", params={"by": "source"}, headers=HX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card region" id="breakdown">')
    assert "<nav" not in fragment.text
    assert 'data-value="referral"' in fragment.text
    assert fragment.headers["Vary"] == "HX-Request"


def test_an_unknown_breakdown_is_refused_with_the_valid_ones(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/pipeline", params={"by": "planet"})
    assert response.status_code == 422
    assert "segment, owner, source" in response.text


def test_the_forecast_page_defaults_to_the_latest_change_and_90_days(demo_app: DemoApp) -> None:
    html = demo_app.client.get("/forecast").text
    assert f'name="as_of" value="{demo_app.latest_change}"' in html
    assert 'name="horizon_days" value="90"' in html
    assert '<svg class="chart"' in _section(html, "fan")
    numbers = _section(html, "numbers")
    for row in ("row-open", "row-new", "row-weighted"):
        assert f'id="{row}"' in numbers
    assert 'href="/api/v1/pipeline/forecast.xlsx?as_of=' in html


def _figures(html: str) -> dict[str, float]:
    found = re.findall(r'data-value="(expected|p10|p90)">([\d,.]+)<', html)
    return {key: float(value.replace(",", "")) for key, value in found}


def test_the_forecast_page_takes_an_as_of_date_and_horizon(demo_app: DemoApp) -> None:
    shown = {}
    for horizon in (30, 90):
        params = {"as_of": "2026-06-30", "horizon_days": horizon}
        html = demo_app.client.get("/forecast", params=params).text
        assert f"bookings from 2026-06-30 over {horizon} days" in html
        assert f'hx-get="/forecast/backtest?horizon_days={horizon}"' in html
        shown[horizon] = _figures(html)
        api = demo_app.client.get("/api/v1/pipeline/forecast", params=params).json()
        assert (api["as_of"], api["horizon_days"]) == ("2026-06-30", horizon)
        assert shown[horizon] == {k: round(api[k]) for k in ("expected", "p10", "p90")}
    assert 0 < shown[30]["expected"] < shown[90]["expected"]  # the horizon is used, not echoed
    latest = _figures(demo_app.client.get("/forecast", params={"horizon_days": 30}).text)
    assert latest != shown[30]  # and so is the as-of date


def test_a_forecast_with_too_little_history_is_refused(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/forecast", params={"as_of": "2020-01-01"})
    assert response.status_code == 422
    assert "too little history" in response.text


def test_the_backtest_fragment_lists_origins(demo_app: DemoApp) -> None:
    html = demo_app.client.get("/forecast/backtest").text
    assert len(re.findall(r"data-origin=", html)) >= 3
    assert '<svg class="chart"' in html


def test_an_empty_workspace_says_there_is_no_history(client: TestClient) -> None:
    for path in ("/pipeline", "/forecast"):
        response = client.get(path)
        assert response.status_code == 200  # an empty state, not an error page
        assert "no stage changes yet" in response.text
        assert 'href="/import"' in response.text
