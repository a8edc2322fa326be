"""Personas in headless Chromium: the list, a card (name, share, traits), a screenshot.

Uses the browser fixtures of tests/web/conftest.py over a demo workspace (scale 0.1) whose
personas were discovered as ``buyermap demo`` does. The card is saved under the
test's ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buyermap.analytics.personas.stored import active_run
from buyermap.db.models import PersonaRow
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def persona_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-personas"), scale=0.1, personas=True) as app:
        yield app


def largest_persona(app: LiveApp) -> PersonaRow:
    """The largest persona of the active run (its attributes loaded)."""
    with app.workspace.sessions() as session:
        run = active_run(session)
        assert run is not None
        return run.personas[0]


def test_a_user_opens_the_personas_and_reads_a_card(
    persona_live: LiveApp, page: Any, tmp_path: Path
) -> None:
    largest = largest_persona(persona_live)
    name, share = largest.name, f"{round(100 * largest.share)}%"

    page.goto(f"{persona_live.base_url}/")
    page.locator("nav[aria-label=Sections] a", has_text="Personas").click()
    page.wait_for_url("**/personas")
    tiles = page.locator("#personas .persona-tile")
    assert tiles.count() == 5
    assert page.locator(".persona-tile img").first.evaluate("i => i.naturalWidth") > 0
    tiles.first.click()

    page.wait_for_url(f"**/personas/{largest.key}")
    assert page.locator("h1").inner_text() == name
    assert page.locator("#persona-share b").inner_text() == share
    rows = page.locator("#traits tbody tr")
    assert rows.count() >= 3
    assert rows.first.is_hidden()  # the evidence is one click away
    page.locator("#traits details.evidence summary").click()
    assert rows.first.is_visible()
    assert "×" in rows.first.locator(".lift-value").inner_text()
    assert page.locator("#quotes blockquote").count() >= 3
    assert page.locator(".persona-head img").evaluate("i => i.naturalWidth") > 0
    shot = tmp_path / "persona.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()


def test_a_persona_card_exports_its_contacts_as_numbers_and_words(
    persona_live: LiveApp, page: Any, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    persona = largest_persona(persona_live)
    key, size = persona.key, persona.size

    page.goto(f"{persona_live.base_url}/personas/{key}")
    exports = page.locator("#persona-exports")
    with page.expect_download() as xlsx_download:
        exports.get_by_role("link", name="Excel (XLSX)").click()
    xlsx = tmp_path / "contacts.xlsx"
    xlsx_download.value.save_as(xlsx)
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Name",
        "Company",
        "Email",
        "Job title",
        "Department",
        "Seniority",
        "Membership probability",
    )
    assert len(rows) - 1 == size
    probabilities = [row[6] for row in rows[1:]]
    assert all(isinstance(p, int | float) and 0 < p <= 1 for p in probabilities)  # numbers
    assert probabilities == sorted(probabilities, reverse=True)  # most certain first
    assert sheet.cell(row=2, column=7).number_format == "0%"
    seniorities = {row[5] for row in rows[1:]} - {None}
    assert seniorities
    assert not any("_" in str(s) for s in seniorities)  # words, not c_level

    with page.expect_download() as csv_download:
        exports.get_by_role("link", name="CSV").click()
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].endswith("Seniority,Membership probability")
    assert len(text.splitlines()) - 1 == size
