"""The customer avatar in headless Chromium, over the demo (scale 0.1) with an avatar learned
from the web: charts with numbers and units, accounts by tier and fit, a prospect file
(cp1250 CSV with Polish and Czech names; an XLSX) scored and downloaded without importing
it, the account page's fit and reasons, the quadrant of mutual fit; and the guard's
refusal on the smaller demo."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from buyermap.db.models import Account
from buyermap.services.mutual import CriterionInput, add_criterion, set_profile_values
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser

PROSPECTS = [
    ("P-1", "Łódzkie Zakłady Włókiennicze", "Manufacturing", "1200", "Poland", "CEE", "1994"),
    ("P-2", "Škoda Průmyslová a.s.", "Software", "650", "Czechia", "CEE", "2001"),
    ("P-3", "Żywiecka Spółdzielnia Mleczarska", "Retail", "40", "Poland", "CEE", "1975"),
    ("P-4", "Příbramské strojírny s.r.o.", "Software", "900", "Germany", "DACH", "2008"),
]
HEADER = ["ref", "Firma", "industry", "employees", "country", "region", "founded_year"]


@pytest.fixture(scope="module")
def avatar_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-avatar"), scale=0.1) as app:
        with app.workspace.sessions() as session, session.begin():
            set_profile_values(session, key="regions served", values=["DACH; Nordics"])
        yield app


def _learn(app: LiveApp, page: Any) -> None:
    page.goto(f"{app.base_url}/avatars")
    if page.locator('tr[data-avatar="icp"]').count():
        return
    assert "No avatar is saved in this workspace yet" in page.locator("#avatars").inner_text()
    page.fill("input[name=name]", "icp")
    page.click("#learn-button")
    page.wait_for_url("**/avatars/icp")


def test_the_avatar_page_draws_its_charts_with_numbers_and_units(
    avatar_app: LiveApp, page: Any
) -> None:
    _learn(avatar_app, page)
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 100
    assert "odds x" in page.locator("#traits svg").text_content()
    assert "of accounts" in page.locator("#traits svg").text_content()
    tiers = page.locator("#tiers").inner_text()
    assert "bought" in tiers
    assert "lift x" in tiers
    assert "%" in tiers
    assert "predicted chance of buying (%)" in page.locator("#reliability svg").text_content()
    assert "percentage points" in page.locator("#drift-words").inner_text()
    assert "times in 100" in page.locator("#auc-words").inner_text()
    href = page.locator("#to-rules").get_attribute("href")
    assert href == "/avatars/icp/rules?version=1"
    with page.expect_download() as png:
        page.get_by_role("link", name="Traits PNG").click()
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG")


def test_a_user_filters_accounts_by_tier_and_sorts_them_by_fit(
    avatar_app: LiveApp, page: Any
) -> None:
    _learn(avatar_app, page)
    page.goto(f"{avatar_app.base_url}/accounts")
    page.select_option("select[name=tier]", "A")  # HTMX swaps the results
    page.wait_for_function("() => location.search.includes('tier=A')")
    page.locator('#results th a[data-sort="fit"]').click()
    page.wait_for_function("() => location.search.includes('sort=fit')")
    page.locator('#results th a[data-sort="fit"]').click()
    page.wait_for_function("() => location.search.includes('sort=-fit')")
    tiers = page.locator("#results td.tier").all_inner_texts()
    assert tiers
    assert set(tiers) == {"Tier A"}
    fits = [float(v) for v in page.locator("#results td.fit").all_inner_texts()]
    assert fits == sorted(fits, reverse=True)
    assert min(fits) >= 50


def test_a_prospect_file_is_scored_and_downloaded_without_importing_it(
    avatar_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    _learn(avatar_app, page)
    with avatar_app.workspace.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Account))
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([HEADER, *PROSPECTS])
    cp1250 = tmp_path / "leady.csv"
    cp1250.write_bytes(text.getvalue().encode("cp1250"))

    page.goto(f"{avatar_app.base_url}/avatars/icp")
    page.set_input_files("#prospect-file", str(cp1250))
    page.select_option("#prospect-encoding", "cp1250")
    page.click("#prospect-upload")
    preview = page.locator("#prospect-rows").inner_text()
    assert "Łódzkie Zakłady Włókiennicze" in preview
    assert "Příbramské strojírny s.r.o." in preview
    assert "4 rows" in page.locator("#prospect-preview").inner_text()
    page.select_option("#prospect-id", "Firma")  # not the first column: moved first
    with page.expect_download() as got:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text("utf-8-sig"))))
    assert [r["Firma"] for r in rows] == [p[1] for p in PROSPECTS]
    assert list(rows[0])[:2] == ["Firma", "ref"]
    assert list(rows[0])[-4:] == ["fit", "probability", "tier", "reasons"]
    assert all(0 <= float(r["fit"]) <= 100 for r in rows)
    assert {r["tier"] for r in rows} <= {"A", "B", "C", "D"}
    by_ref = {r["ref"]: float(r["fit"]) for r in rows}
    assert by_ref["P-4"] > by_ref["P-3"]  # Software in DACH fits better than tiny Retail

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for p in PROSPECTS:
        sheet.append([*p[:3], int(p[3]), *p[4:6], int(p[6])])
    xlsx = tmp_path / "leady.xlsx"
    book.save(xlsx)
    page.goto(f"{avatar_app.base_url}/avatars/icp")
    page.set_input_files("#prospect-file", str(xlsx))
    page.click("#prospect-upload")
    with page.expect_download() as got_xlsx:
        page.click("#download-xlsx")
    out = tmp_path / "scored.xlsx"
    got_xlsx.value.save_as(out)
    scored = load_workbook(out).active
    assert scored is not None
    header = [c.value for c in scored[1]]
    assert header[-4:] == ["fit", "probability", "tier", "reasons"]
    assert scored.cell(row=3, column=2).value == "Škoda Průmyslová a.s."
    assert round(float(scored.cell(row=5, column=len(header) - 3).value), 1) == by_ref["P-4"]
    with avatar_app.workspace.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == before


def test_a_bad_prospect_file_is_refused_naming_the_problem(
    avatar_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    _learn(avatar_app, page)
    wrong = tmp_path / "notes.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    page.goto(f"{avatar_app.base_url}/avatars/icp")
    page.set_input_files("#prospect-file", str(wrong))
    page.click("#prospect-upload")
    message = page.locator("#prospect-message").inner_text()
    assert "notes.pdf" in message
    assert ".csv" in message
    header_only = tmp_path / "empty.csv"
    header_only.write_text("ref,industry\n", encoding="utf-8")
    page.set_input_files("#prospect-file", str(header_only))
    page.click("#prospect-upload")
    assert "no rows of companies to score" in page.locator("#prospect-message").inner_text()


def test_the_account_page_shows_its_fit_and_the_reasons(avatar_app: LiveApp, page: Any) -> None:
    _learn(avatar_app, page)
    page.goto(f"{avatar_app.base_url}/accounts?sort=-fit")
    page.locator("#results tbody tr a").first.click()
    section = page.locator("#avatar-fit")
    text = section.inner_text()
    assert "Fit " in text
    assert " of 100" in text
    assert "tier A" in text
    assert section.locator(".fit-reasons li").count() >= 1
    assert "the odds (odds " in text
    assert "icp (version 1)" in text
    assert page.locator("#supplier-criteria").is_visible()


def test_the_quadrant_names_the_account_under_the_pointer(avatar_app: LiveApp, page: Any) -> None:
    _learn(avatar_app, page)
    with avatar_app.workspace.sessions() as session, session.begin():
        ids = session.scalars(select(Account.id).order_by(Account.id).limit(2)).all()
        for account_id, region in zip(ids, ("DACH", "Iceland"), strict=True):
            add_criterion(
                session,
                account_id=account_id,
                data=CriterionInput(criterion="regions served", operator="includes", value=region),
            )
        rows = session.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))
        names = {int(i): str(n) for i, n in rows}
    page.goto(f"{avatar_app.base_url}/avatars/mutual")
    chart = page.locator("#quadrant svg.chart")
    chart.wait_for()
    assert "Fit both ways: pursue" in chart.text_content()
    point = page.locator(f"g#account-{ids[0]}")
    assert point.count() == 1
    assert names[ids[0]] in point.locator("title").text_content()
    assert "we fit them 100 of 100" in point.locator("title").text_content()
    assert "we fit them 0 of 100" in page.locator(f"g#account-{ids[1]} title").text_content()
    point.locator("use").first.click()
    page.wait_for_url(f"**/accounts/{ids[0]}")


def test_learning_from_too_few_accounts_is_refused_in_words(live_app: LiveApp, page: Any) -> None:
    page.goto(f"{live_app.base_url}/avatars")
    page.fill("input[name=name]", "icp")
    page.click("#learn-button")
    message = page.locator("#learn-message").inner_text()
    assert "it needs at least 30 positive and 30 negative rows" in message
    assert "negative" in message
    assert page.locator('tr[data-avatar="icp"]').count() == 0
