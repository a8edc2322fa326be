"""``/pipeline`` and ``/forecast`` in headless Chromium over the demo (``live_app``, conftest)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveApp

pytestmark = pytest.mark.browser


def _money(text: str) -> float:
    return float(text.replace(",", "").split()[0])


def test_the_pipeline_page_draws_its_charts_and_swaps_the_breakdown(
    live_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{live_app.base_url}/pipeline")
    assert page.title().startswith("Pipeline")
    for section in ("funnel", "time-in-stage", "losses", "cohorts"):
        box = page.locator(f"#{section} svg.chart").bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 100
    assert page.locator("#conversion tbody tr").count() == 5
    assert page.locator("#stale a[href^='/deals/']").count() > 0
    page.select_option("#breakdown select[name=by]", "owner")
    page.wait_for_url("**/pipeline?by=owner")
    page.locator("#breakdown h2:has-text('by owner')").wait_for()
    assert page.locator("nav[aria-label=Sections]").count() == 1  # swapped, not nested
    shot = tmp_path / "pipeline.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_forecast_page_shows_its_interval_fan_and_backtest(
    live_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{live_app.base_url}/forecast")
    assert page.title().startswith("Forecast")
    values = {
        key: _money(page.locator(f"[data-value={key}]").inner_text())
        for key in ("expected", "p10", "p90")
    }
    assert 0 < values["p10"] <= values["expected"] <= values["p90"]
    fan = page.locator("#fan svg.chart").bounding_box()
    assert fan is not None
    assert fan["width"] > 300
    page.locator("#backtest svg.chart").wait_for(timeout=30_000)  # loaded over HTMX
    assert page.locator("#backtest-table tbody tr").count() >= 3
    assert re.search(r"\d", page.locator("#at-risk").inner_text())
    shot = tmp_path / "forecast.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
