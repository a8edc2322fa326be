"""Done-when of the pipeline issue: the demo's pipeline and forecast pages show the planted
rotting deals and a forecast with its interval and backtest (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.models import Deal
from tests.factories import demo_workspace, make_client

SCALE = 0.2  # 600 deals, about 30 planted rotting ones


@dataclass(frozen=True)
class Demo:
    client: TestClient
    rotting: set[int]
    open_deals: set[int]


@pytest.fixture(scope="module")
def demo(module_db_url: str) -> Iterator[Demo]:
    with demo_workspace(module_db_url, scale=SCALE) as workspace:
        with workspace.sessions() as session:
            deals = list(session.scalars(select(Deal)))
            rotting = {d.id for d in deals if d.extra.get("_planted_rotting")}
            open_ids = {d.id for d in deals if d.status == "open"}
        with make_client(module_db_url, workspace) as client:
            yield Demo(client=client, rotting=rotting, open_deals=open_ids)


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_the_stale_deals_on_the_pipeline_page_are_the_planted_rotting_deals(demo: Demo) -> None:
    html = demo.client.get("/pipeline").text
    stale = _section(html, "stale")
    shown = {int(i) for i in re.findall(r'data-deal-id="(\d+)"', stale)}
    linked = {int(i) for i in re.findall(r'href="/deals/(\d+)"', stale)}
    assert shown == linked  # every stale deal links to its page
    assert shown <= demo.open_deals
    found = shown & demo.rotting
    recall = len(found) / len(demo.rotting)
    precision = len(found) / len(shown)
    # at scale 1.0 (seed 7): 142 of the 148 planted found among 182 listed
    assert len(demo.rotting) >= 20
    assert recall >= 0.85, (recall, precision)
    assert precision >= 0.65, (recall, precision)


def _money(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def test_the_forecast_page_shows_the_expected_bookings_within_their_interval(demo: Demo) -> None:
    html = demo.client.get("/forecast").text
    values = dict(re.findall(r'data-value="([a-z0-9-]+)">([^<]+)<', html))
    expected, p10, p90 = (_money(values[k]) for k in ("expected", "p10", "p90"))
    assert 0 < p10 <= expected <= p90
    assert _money(values["weighted"]) > 0
    assert 'id="row-new"' in html
    assert _section(html, "fan").count("<svg") == 1
    at_risk = _section(html, "at-risk")
    ids = {int(i) for i in re.findall(r'href="/deals/(\d+)"', at_risk)}
    assert ids
    assert ids <= demo.open_deals
    assert len(ids & demo.rotting) >= len(ids) // 2


def test_the_forecast_backtest_has_several_origins(demo: Demo) -> None:
    assert 'hx-get="/forecast/backtest?horizon_days=90"' in demo.client.get("/forecast").text
    html = demo.client.get("/forecast/backtest").text
    origins = re.findall(r'data-origin="(\d{4}-\d\d-\d\d)"', html)
    assert len(origins) >= 3
    assert html.count("<svg") == 1
    assert "weighted pipeline" in html
