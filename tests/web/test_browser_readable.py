"""Pages people read, in headless Chromium over the demo (scale 0.1, personas discovered
as ``buyermap demo`` does, a second run to compare, the avatar ``icp`` learned): the main
pages (the avatar's too) at 390 x 844 have no horizontal scroll, the run-compare form
submits, a persona card prints on one A4 page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.analytics.personas.discover import DiscoverQuery
from buyermap.analytics.personas.loading import CONTACT_ID
from buyermap.analytics.personas.stored import discover_workspace, list_runs
from buyermap.seams.avatar import LearnRequest, learn_avatar
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def readable_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-readable"), scale=0.1, personas=True) as app:
        with app.workspace.sessions() as session, session.begin():
            second = DiscoverQuery(id_column=CONTACT_ID, n_init=2, n_boot=2, fit_rows=500, seed=3)
            discover_workspace(session, query=second, activate=False)
            learn_avatar(session, LearnRequest(save="icp"))
        yield app


def _first(page: Any, base: str, path: str, pattern: str) -> str:
    page.goto(base + path)
    found = re.findall(pattern, page.content())
    assert found, f"no link {pattern} on {path}"
    return str(found[0])


def test_the_main_pages_fit_a_390_px_phone_without_horizontal_scroll(
    readable_live: LiveApp, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        base = readable_live.base_url
        paths = ["/", "/accounts", "/contacts", "/deals", "/pipeline", "/forecast"]
        paths += ["/funnels", "/personas", "/personas/runs", "/personas/compare"]
        paths += ["/avatars", "/avatars/icp", "/avatars/mutual"]
        paths.append("/deals/" + _first(page, base, "/deals", r'href="/deals/(\d+)"'))
        paths.append("/contacts/" + _first(page, base, "/contacts", r'href="/contacts/(\d+)"'))
        paths.append("/accounts/" + _first(page, base, "/accounts", r'href="/accounts/(\d+)"'))
        paths.append("/personas/" + _first(page, base, "/personas", r'href="/personas/(p\d+)"'))
        widths = {}
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            widths[path] = page.evaluate("document.scrollingElement.scrollWidth")
        assert {p: w for p, w in widths.items() if w > PHONE["width"]} == {}
        nav = page.locator("nav[aria-label=Sections]")
        assert nav.bounding_box()["width"] <= PHONE["width"]
        page.goto(base + "/deals")
        shot = tmp_path / "deals-390.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes().startswith(b"\x89PNG")
    finally:
        context.close()


def test_the_run_compare_form_submits_and_shows_the_comparison(
    readable_live: LiveApp, page: Any
) -> None:
    with readable_live.workspace.sessions() as session:
        keys = [r.run_key for r in list_runs(session)]
    assert len(keys) == 2
    page.goto(f"{readable_live.base_url}/personas/runs")
    page.locator(f'input[name="a"][value="{keys[1]}"]').check()
    page.locator(f'input[name="b"][value="{keys[0]}"]').check()
    page.get_by_role("button", name="Compare the two runs").click()
    page.wait_for_url("**/personas/runs/compare?*")
    assert f"a={keys[1]}" in page.url
    assert f"b={keys[0]}" in page.url
    section = page.locator("#run-compare")
    assert keys[0] in section.inner_text()
    assert keys[1] in section.inner_text()
    assert section.locator("tbody tr").count() >= 1


def test_the_personas_compare_form_submits_the_chosen_personas(
    readable_live: LiveApp, page: Any
) -> None:
    page.goto(f"{readable_live.base_url}/personas/compare")
    boxes = page.locator('form input[name="keys"]')
    assert boxes.count() >= 3
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    boxes.nth(0).check()
    boxes.nth(2).check()
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(2).get_attribute("value")]
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/personas/compare?*")
    shown = page.locator("#compare thead th[data-key]").evaluate_all(
        "cells => cells.map(c => c.dataset.key)"
    )
    assert shown == chosen


def test_a_persona_card_prints_on_one_clean_a4_page(
    readable_live: LiveApp, page: Any, tmp_path: Path
) -> None:
    base = readable_live.base_url
    key = _first(page, base, "/personas", r'href="/personas/(p\d+)"')
    page.goto(f"{base}/personas/{key}")
    page.emulate_media(media="print")
    for hidden in (".topbar", ".foot", ".actions", "details.evidence"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.locator("#portrait").is_visible()
    assert page.locator("#persona-title").is_visible()
    pdf = tmp_path / "card.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert pages == 1
