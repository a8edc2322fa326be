"""The relationship map in headless Chromium: open a person's card from the map, add a tie
on the account page's map and see the edge appear, remove it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.relationship_world import MapWorld, seed_map

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, MapWorld]]:
    url = f"sqlite:///{tmp_path / 'map.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as s, s.begin():
            world = seed_map(s)
        with serve_in_background(
            create_app(Settings(database_url=url), workspace=workspace)
        ) as base:
            yield base, world


def test_a_user_adds_a_tie_on_the_account_map_and_sees_the_edge(
    live: tuple[str, MapWorld], page: Any
) -> None:
    base, world = live
    p = world.people
    page.goto(f"{base}/accounts/{world.account}")
    region = page.locator("#relmap-body")
    assert region.locator(".map-node").count() == 5
    assert region.locator(".map-edge").count() == 3
    page.locator(f'.map-node[data-contact="{p["stefan"]}"]').click()
    page.wait_for_selector(f'#map-card .map-card[data-contact="{p["stefan"]}"]')
    card = page.locator("#map-card").inner_text()
    assert "Economic buyer" in card
    assert "5 of 5" in card
    assert "Łucja Wójcik reports to Ștefan Dumitrescu" in card
    # the keyboard opens a card too
    page.locator(f'.map-node[data-contact="{p["zofie"]}"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#map-card .map-card[data-contact="{p["zofie"]}"]')
    assert "Not on a committee" in page.locator("#map-card").inner_text()
    form = page.locator(".tie-form")
    form.get_by_label("From").select_option(str(p["thordis"]))
    form.get_by_label("Tie").select_option("allies_with")
    form.get_by_label("To").select_option(str(p["stefan"]))
    form.get_by_label("Evidence").fill("wspólny projekt w Łodzi")
    form.get_by_role("button", name="Add the tie").click()
    page.wait_for_selector('.map-edge[data-type="allies_with"]')
    assert page.locator("#relmap-body .map-edge").count() == 4
    assert "wspólny projekt w Łodzi" in page.locator("#relmap-ties").inner_text()
    # a tie to oneself is refused in words, and nothing is drawn
    form = page.locator(".tie-form")
    form.get_by_label("From").select_option(str(p["jiri"]))
    form.get_by_label("To").select_option(str(p["jiri"]))
    form.get_by_role("button", name="Add the tie").click()
    page.wait_for_selector(".tie-form .field-error")
    assert "two different people" in page.locator(".tie-form .field-error").inner_text()
    assert page.locator("#relmap-body .map-edge").count() == 4
    page.get_by_role(
        "button", name="Remove the tie Þórdís Ólafsdóttir ally of Ștefan Dumitrescu"
    ).click()
    page.wait_for_selector('.map-edge[data-type="allies_with"]', state="detached")
    assert page.locator("#relmap-body .map-edge").count() == 3


def test_the_deal_page_shows_its_committees_map_and_an_empty_account_says_what_to_do(
    live: tuple[str, MapWorld], page: Any
) -> None:
    base, world = live
    page.goto(f"{base}/deals/{world.deal}")
    assert page.locator("#relmap-body .map-node").count() == 4
    page.goto(f"{base}/accounts/{world.other_account}")
    text = page.locator("#relmap-body").inner_text()
    assert "Nobody is on a buying committee of Ezüst Kft yet" in text
