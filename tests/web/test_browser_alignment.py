"""The "Journey against funnel" section of /journeys in headless Chromium: the empty state
says to import touchpoints; with the hand-built case the heatmap, the share off the
mapping, the time in stage in days and the PNG download are there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.db.models import Contact, ContentAsset, Touchpoint
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.seams.alignment_world import PEOPLE, TOUCHES, d, seed_world, url

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    url = f"sqlite:///{tmp_path / 'alignment.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as s, s.begin():
            seed_world(s, touches=False)
        with serve_in_background(
            create_app(Settings(database_url=url), workspace=workspace)
        ) as base:
            yield base, workspace


def test_a_user_reads_the_journey_against_the_funnel(
    live: tuple[str, Any], page: Any, tmp_path: Path
) -> None:
    base, workspace = live
    page.goto(f"{base}/journeys")
    section = page.locator("#alignment")
    assert "Journey against funnel" in section.inner_text()
    assert "No touchpoints yet" in section.inner_text()
    assert "buyermap import touchpoints" in section.inner_text()
    with workspace.sessions() as s, s.begin():  # the same case, with its touches now
        people = {c.email: c.id for c in s.query(Contact)}
        assets = {a.url: a.id for a in s.query(ContentAsset)}
        emails = {key: person[2] for key, person in PEOPLE.items()}
        for who, what, at in TOUCHES:
            s.add(Touchpoint(contact_id=people[emails[who]], asset_id=assets[url(what)], at=d(at)))
    page.goto(f"{base}/journeys")
    section = page.locator("#alignment")
    text = section.inner_text()
    assert "12 of 14 touchpoints" in text
    assert "58 %" in text
    assert section.locator("svg.chart").count() == 1
    it = section.locator('.persona-times[data-persona="it"] li[data-stage="problem_awareness"]')
    assert "median 5 days over 2 contacts (3 visits)" in it.inner_text()
    fin = section.locator('.persona-times[data-persona="fin"] li[data-stage="concept_search"]')
    assert "1 contact skipped it" in fin.inner_text()
    with page.expect_download() as download:
        section.get_by_role("link", name="Download the heatmap (PNG)").click()
    saved = tmp_path / "heatmap.png"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\x89PNG")
