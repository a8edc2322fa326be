"""Filling in what we know on the account page in headless Chromium: completeness moves,
a bad value comes back in words, the template editor asks a legal basis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.seams.test_knowledge_seam import World, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, World]]:
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    with opened_workspace(url) as workspace:
        with workspace.sessions() as s, s.begin():
            world = seed(s)
        with serve_in_background(
            create_app(Settings(database_url=url), workspace=workspace)
        ) as base:
            yield base, world


def _completeness(page: Any) -> int:
    return int(page.locator("#knowledge .completeness").get_attribute("data-completeness"))


def test_a_user_fills_a_field_on_the_account_page_and_sees_completeness_move(
    live: tuple[str, World], page: Any
) -> None:
    base, world = live
    page.goto(f"{base}/accounts/{world.accounts['zabka']}")
    region = page.locator("#knowledge")
    assert "tier A (key account)" in region.inner_text()
    assert _completeness(page) == 0
    assert "0 %" in page.locator("#knowledge .completeness-number").inner_text()
    row = page.locator('#knowledge tr[data-key="current_suppliers"]')
    row.get_by_label("Current suppliers").fill("Łódź Druk; Žofie s.r.o.")
    row.get_by_role("button", name="Save").click()
    page.wait_for_function(
        "() => document.querySelector('#knowledge .completeness').dataset.completeness !== '0'"
    )
    assert _completeness(page) > 0
    row = page.locator('#knowledge tr[data-key="current_suppliers"]')
    assert row.get_by_label("Current suppliers").input_value() == "Łódź Druk; Žofie s.r.o."
    assert page.locator('#knowledge .next-best li[data-key="current_suppliers"]').count() == 0
    before = _completeness(page)
    budget = page.locator('#knowledge tr[data-key="purchase_budget"]')
    budget.get_by_label("Purchase budget").fill("a lot")
    budget.get_by_role("button", name="Save").click()
    page.wait_for_selector("#knowledge p.error")
    assert "'a lot' is not a number" in page.locator("#knowledge p.error").inner_text()
    assert _completeness(page) == before
    page.goto(f"{base}/knowledge")
    first = page.locator("#knowledge-list tbody tr").first
    assert "Żabka Śląsk" in first.inner_text()
    assert f"{before} %" in first.inner_text()


def test_the_template_editor_turns_a_special_category_on_only_with_a_legal_basis(
    live: tuple[str, World], page: Any
) -> None:
    base, _ = live
    page.goto(f"{base}/knowledge/template")
    row = page.locator("#field-health")
    assert row.get_attribute("data-enabled") == "no"
    row.get_by_label("Legal basis").fill("explicit consent, form 2026/14")
    row.get_by_label("Decided by").fill("Þórdís")
    row.get_by_role("button", name="Turn on").click()
    page.wait_for_selector('#field-health[data-enabled="yes"]')
    assert "explicit consent, form 2026/14; Þórdís" in page.locator("#field-health").inner_text()
