"""Editing a deal's buying committee in headless Chromium: add a person by search, change an
attitude and see a risk appear and disappear, remove a member, read the risk list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.seams.test_committee_seam import World, seed
from tests.web.conftest import htmx_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, World]]:
    url = f"sqlite:///{tmp_path / 'committee.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as s, s.begin():
            world = seed(s)
        with serve_in_background(
            create_app(Settings(database_url=url), workspace=workspace)
        ) as base:
            yield base, world


def _add(page: Any, search: str, contact_id: int, role: str, influence: str, attitude: str) -> None:
    page.fill("#contact-search", search)
    page.wait_for_selector(f'#f-contact-id option[value="{contact_id}"]', state="attached")
    page.select_option("#f-contact-id", str(contact_id))
    page.select_option("#f-role", role)
    page.select_option("#f-influence", influence)
    page.select_option("#f-attitude", attitude)
    page.get_by_role("button", name="Add to the committee").click()


def test_a_user_builds_a_committee_and_watches_the_risks_move(
    live: tuple[str, World], page: Any
) -> None:
    base, world = live
    page.goto(f"{base}/deals/{world.deals['big']}")
    body = page.locator("#committee-body")
    assert "No committee members recorded." in body.inner_text()
    _add(page, "Wójcik", world.contacts["lucja"], "champion", "3", "supporter")
    page.wait_for_selector(f'tr[data-contact="{world.contacts["lucja"]}"]')
    risks = page.locator("#committee-risks")
    assert "No economic buyer on the committee" in risks.inner_text()
    assert "Single-threaded: Łucja Wójcik" in risks.inner_text()
    _add(page, "Dumitrescu", world.contacts["stefan"], "economic_buyer", "5", "unknown")
    page.wait_for_selector('#committee-risks li[data-code="unknown_attitude_high_influence"]')
    assert (
        "We do not know where Ștefan Dumitrescu stands"
        in page.locator("#committee-risks").inner_text()
    )
    assert page.locator('li[data-code="no_economic_buyer"]').count() == 0
    row = page.locator(f'tr[data-contact="{world.contacts["stefan"]}"]')
    assert "62%" in row.inner_text()
    htmx_idle(page)
    row.get_by_label("Attitude of Ștefan Dumitrescu").select_option("supporter")
    page.wait_for_selector('li[data-code="unknown_attitude_high_influence"]', state="detached")
    assert "No committee risks." in page.locator("#committee-body").inner_text()
    htmx_idle(page)
    row = page.locator(f'tr[data-contact="{world.contacts["stefan"]}"]')
    row.get_by_label("Attitude of Ștefan Dumitrescu").select_option("opponent")
    page.wait_for_selector('li[data-code="opponent_high_influence"]')
    assert (
        "Ștefan Dumitrescu is an opponent with a strong say (5 of 5)"
        in page.locator("#committee-risks").inner_text()
    )
    page.get_by_role("button", name="Remove Ștefan Dumitrescu").click()
    page.wait_for_selector(f'tr[data-contact="{world.contacts["stefan"]}"]', state="detached")
    page.wait_for_selector('li[data-code="single_threaded"]')
    page.goto(f"{base}/committee/risks")
    assert page.locator(f'tr[data-deal="{world.deals["big"]}"]').count() == 1
    assert "90,000 USD" in page.locator("#risk-list").inner_text()


def test_a_user_edits_an_accounts_standing_decision_group(
    live: tuple[str, World], page: Any
) -> None:
    base, world = live
    page.goto(f"{base}/accounts/{world.accounts['ezust']}")
    body = page.locator("#standing-group #committee-body")
    assert "No committee members recorded." in body.inner_text()
    _add(page, "Kovács", world.contacts["ilona"], "executive_sponsor", "4", "neutral")
    ilona = page.locator(f'tr[data-contact="{world.contacts["ilona"]}"]')
    ilona.wait_for()
    assert "100%" in ilona.inner_text()
    _add(page, "Mäkinen", world.contacts["aino"], "technical_evaluator", "1", "unknown")
    aino = page.locator(f'tr[data-contact="{world.contacts["aino"]}"]')
    aino.wait_for()
    assert "left on 2026-09-30" in aino.inner_text()  # her position at Ezüst ended
    assert "80%" in page.locator(f'tr[data-contact="{world.contacts["ilona"]}"]').inner_text()
    htmx_idle(page)
    aino.get_by_label("Influence of Aino Mäkinen").select_option("4")
    ilona_row = f'tr[data-contact="{world.contacts["ilona"]}"]'
    page.wait_for_function(f"document.querySelector('{ilona_row}').innerText.includes('50%')")
    page.get_by_role("button", name="Remove Aino Mäkinen").click()
    page.wait_for_selector(f'tr[data-contact="{world.contacts["aino"]}"]', state="detached")
    page.reload()
    rows = page.locator("#standing-group tr[data-contact]")
    assert rows.count() == 1
    assert "Ilona Kovács" in rows.inner_text()
    assert page.locator("#standing-group li[data-code]").count() == 0  # no deal: no risks
