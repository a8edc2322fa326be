"""Headless Chromium: the "By avatar tier" sections of /pipeline and /forecast, drawn from
the hand-made tiered workspace of tests/tiered.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.tiered import fill


@pytest.fixture(scope="module")
def tiered_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('tiers') / 'tiers.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as session, session.begin():
            fill(session)
        app = create_app(Settings(database_url=url), workspace=workspace)
        with serve_in_background(app) as base:
            yield base


@pytest.mark.parametrize("path", ["/pipeline", "/forecast"])
def test_a_user_reads_the_pipeline_by_avatar_tier(tiered_app: str, page: Any, path: str) -> None:
    page.goto(f"{tiered_app}{path}")
    section = page.locator("#by-tier")
    section.scroll_into_view_if_needed()
    assert "By avatar tier" in section.locator("h2").inner_text()
    chart = section.locator(".chart-box svg")
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 200  # drawn, not an empty box
    rows = section.locator("tr[data-tier]")
    assert [rows.nth(i).get_attribute("data-tier") for i in range(rows.count())] == [
        "A",
        "B",
        "D",
        "not scored",
    ]
    first = rows.first.inner_text()
    assert first.startswith("Tier A")
    assert "75%" in first
    assert "40 days" in first  # median days to win, with its unit
