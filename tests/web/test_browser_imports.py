"""Importing from the web and an empty workspace's first page, in headless Chromium.

Each test serves a fresh, empty SQLite workspace (uvicorn in a thread); the browser is
Debian's Chromium driven by Playwright (``browser``/``page`` in tests/web/conftest.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from buyermap.db.models import Account
from buyermap.services.workspace import Workspace
from tests.web.conftest import live_demo

pytestmark = pytest.mark.browser

# A Pipedrive-like organisations export saved by Excel on Windows: cp1250, ";" separated,
# a placeholder ("N/A") for blank, and one row whose employee count is not a number.
ORGANISATIONS = (
    "Organization - ID;Organization - Name;Organization - Website;"
    "Organization - Number of employees;Organization - Country\r\n"
    "31;Wrocławskie Młyny S.A.;mlyny-wroclaw.pl;350;Poland\r\n"
    "32;Szegedi Paprika Zrt.;szegedipaprika.hu;N/A;Hungary\r\n"
    "33;Świętokrzyska Ceramika;ceramika-sk.pl;sto dwadzieścia;Poland\r\n"
)


def _upload(page: Any, base: str, path: Path, *, partial: bool) -> None:
    page.goto(f"{base}/import")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("#import-form select[name=entity]", "accounts")
    if partial:
        page.check("#import-form input[name=partial]")
    page.click("text=Preview the mapping")
    page.wait_for_selector("#mapping")


def test_a_user_imports_an_export_fixes_the_rejected_row_and_imports_it(
    empty_app: tuple[str, Workspace], page: Any, tmp_path: Path
) -> None:
    base, workspace = empty_app
    export = tmp_path / "organizacje.csv"
    export.write_bytes(ORGANISATIONS.encode("cp1250"))

    _upload(page, base, export, partial=True)
    detected = page.locator("#import-detected").inner_text()
    assert "cp1250" in detected
    assert "Pipedrive" in detected
    assert page.locator("#would-reject").inner_text() == "1"
    assert "sto dwadzieścia" in page.locator("#would-be-rejected").inner_text()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    page.click("#do-import")

    page.wait_for_selector("#import-counts")
    assert page.locator('[data-count="imported"]').inner_text() == "2"
    assert page.locator('[data-count="rejected"]').inner_text() == "1"
    with page.expect_download() as info:
        page.click("#quarantine-link")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text("utf-8-sig"))))
    assert rows[1][1] == "Świętokrzyska Ceramika"
    rows[1][3] = "120"
    fixed = tmp_path / "organizacje.fixed.csv"
    with fixed.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)

    _upload(page, base, fixed, partial=False)
    assert page.locator("#would-reject").inner_text() == "0"
    page.click("#do-import")
    page.wait_for_selector("#import-counts")
    assert page.locator('[data-count="imported"]').inner_text() == "1"
    assert "Imported" in page.locator("#import-state").inner_text()
    page.goto(f"{base}/import")
    assert page.locator("#import-runs tbody tr").count() == 2
    with workspace.sessions() as session:
        names = {a.name: a.employees for a in session.scalars(select(Account))}
    assert names["Świętokrzyska Ceramika"] == 120
    assert set(names) == {
        "Wrocławskie Młyny S.A.",
        "Szegedi Paprika Zrt.",
        "Świętokrzyska Ceramika",
    }


def test_an_empty_workspace_greets_the_user_and_builds_the_demo(
    empty_app: tuple[str, Workspace], page: Any, tmp_path: Path
) -> None:
    base, _ = empty_app
    page.goto(f"{base}/pipeline")
    assert "nothing to show yet" in page.locator("#empty-state").inner_text()
    page.goto(base + "/")
    welcome = page.locator("#welcome")
    assert "Import your CRM export" in welcome.inner_text()
    page.screenshot(path=str(tmp_path / "welcome.png"), full_page=True)
    page.click("#build-demo")
    page.wait_for_selector("#counts", timeout=60_000)
    assert page.locator("#welcome").count() == 0
    accounts = int(page.locator("#counts .stat-n").first.inner_text().replace(",", ""))
    assert accounts > 100
    page.goto(f"{base}/pipeline")
    assert page.locator("#empty-state").count() == 0


def test_a_user_discovers_personas_from_the_web_on_the_demo(page: Any, tmp_path: Path) -> None:
    with live_demo(tmp_path, scale=0.1) as app:
        page.goto(f"{app.base_url}/personas")
        page.click("text=Discover them")
        page.wait_for_selector("#discover-form")
        page.fill("input[name=restarts]", "3")
        page.fill("input[name=bootstrap]", "3")
        page.click("#discover")
        page.wait_for_url("**/personas/runs/**", timeout=120_000)
        page.goto(f"{app.base_url}/personas")
        assert page.locator("#no-run").count() == 0
        page.screenshot(path=str(tmp_path / "personas.png"), full_page=True)


def test_a_user_fixes_rejected_rows_in_the_report_and_imports_them(
    empty_app: tuple[str, Workspace], page: Any, tmp_path: Path
) -> None:
    base, workspace = empty_app
    export = tmp_path / "organizacje.csv"
    two_bad = ORGANISATIONS + "34;Kauno Baldai UAB;kaunobaldai.lt;daug;Lithuania\r\n"
    export.write_bytes(two_bad.encode("cp1250"))
    _upload(page, base, export, partial=True)
    page.click("#do-import")
    page.wait_for_selector("#retry")
    assert page.locator('[data-count="rejected"]').inner_text() == "2"
    table = page.locator("#retry table")
    bad = table.locator("td.has-error")
    assert bad.count() == 2
    assert "sto dwadzieścia" in bad.first.locator(".field-error").inner_text()
    page.screenshot(path=str(tmp_path / "retry.png"), full_page=True)

    ceramika = table.locator('tr[data-row="3"]')
    ceramika.locator('td[data-column="Organization - Number of employees"] input').fill("120")
    page.click("text=Import the fixed rows")  # the other row is still bad
    page.wait_for_url("**/import/runs/*")
    page.wait_for_selector("#retry")
    assert page.locator('[data-count="imported"]').inner_text() == "1"
    left = page.locator("#retry tbody tr")
    assert left.count() == 1
    assert "daug" in left.locator("td.has-error .field-error").inner_text()
    left.locator("td.has-error input").fill("45")
    page.click("text=Import the fixed rows")
    page.wait_for_selector("#import-counts")
    page.wait_for_function("() => !document.querySelector('#retry')")
    assert "Imported" in page.locator("#import-state").inner_text()
    assert page.locator('[data-count="imported"]').inner_text() == "1"
    with workspace.sessions() as session:
        names = {a.name: a.employees for a in session.scalars(select(Account))}
    assert names == {
        "Wrocławskie Młyny S.A.": 350,
        "Szegedi Paprika Zrt.": None,
        "Świętokrzyska Ceramika": 120,
        "Kauno Baldai UAB": 45,
    }
