"""Lists in headless Chromium: filter deals by stage and owner, save the view, open it again
from the saved-views select; the search box keeps its text after Back.

Over its own demo workspace (scale 0.05) on a live server, as saving a view writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from buyermap.db.models import Account, Deal, Stage, User
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lists_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-lists"), scale=0.05) as app:
        yield app


def _busiest_stage_and_owner(app: LiveApp) -> tuple[str, int, str, int]:
    """(stage name, owner id, owner name, deals) of the most frequent pair in the demo."""
    with app.workspace.sessions() as session:
        row = session.execute(
            select(Stage.name, User.id, User.name, func.count(Deal.id))
            .join(Stage, Stage.id == Deal.stage_id)
            .join(User, User.id == Deal.owner_id)
            .group_by(Stage.name, User.id, User.name)
            .order_by(func.count(Deal.id).desc(), Stage.name, User.id)
            .limit(1)
        ).one()
    return row[0], row[1], row[2], row[3]


def test_a_user_filters_deals_saves_the_view_and_opens_it_again(
    lists_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    stage, owner_id, owner_name, count = _busiest_stage_and_owner(lists_app)
    page.goto(f"{lists_app.base_url}/deals")
    page.select_option("select[name=stage]", stage)  # HTMX swaps the results
    page.wait_for_function("() => location.search.includes('stage=')")
    page.select_option("select[name=owner]", str(owner_id))
    page.wait_for_function("() => location.search.includes('owner=')")
    page.locator("#results .count").filter(has_text=f"of {count}").wait_for()
    rows = page.locator("#results tbody tr[data-id]")
    assert rows.count() == min(count, 50)
    assert set(page.locator("#results tbody tr[data-id] td:nth-child(4)").all_inner_texts()) == {
        owner_name
    }

    page.fill("#results .save-view input[name=name]", "Busiest pair – Łukasz")
    with page.expect_navigation():  # saved: HTMX goes to the view's list
        page.click("#results .save-view button")

    page.goto(f"{lists_app.base_url}/deals")  # unfiltered again
    assert page.locator("#results .count").inner_text() != f"1–{min(count, 50)} of {count}"
    page.select_option("select[name=view]", label="Busiest pair – Łukasz")  # opens on change
    page.wait_for_function("() => location.search.includes('owner=')")
    page.locator("#results .count").filter(has_text=f"of {count}").wait_for()
    assert page.locator("select[name=stage]").input_value() == stage
    assert page.locator("select[name=owner]").input_value() == str(owner_id)
    page.screenshot(path=str(tmp_path / "saved-view.png"))


def test_the_search_box_keeps_its_text_after_back(lists_app: LiveApp, page: Any) -> None:
    with lists_app.workspace.sessions() as session:
        account_id, name = session.execute(
            select(Account.id, Account.name).order_by(Account.name).limit(1)
        ).one()
    word = name.split()[0]
    page.goto(f"{lists_app.base_url}/accounts")
    page.fill("input[name=q]", word)
    page.wait_for_function("() => location.search.includes('q=')")
    assert page.evaluate("() => location.search") == f"?q={word}"  # the list's own URL
    # an HTMX sort pushes a new URL: HTMX snapshots the page as typed before swapping
    page.click("#results th a[data-sort=country]")
    page.wait_for_function("() => location.search.includes('sort=country')")
    page.go_back()  # restored from HTMX's history snapshot, not from the server
    page.wait_for_function("() => !location.search.includes('sort=')")
    assert page.locator("input[name=q]").input_value() == word
    page.locator(f'#results a[href="/accounts/{account_id}"]').click()
    page.wait_for_url(f"**/accounts/{account_id}")
    page.go_back()
    page.wait_for_function("() => location.search.includes('q=')")
    page.locator(f'#results a[href="/accounts/{account_id}"]').wait_for()
    assert page.locator("input[name=q]").input_value() == word


def test_a_bad_filter_and_a_taken_view_name_are_shown_next_to_their_controls(
    lists_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    stage, _, _, _ = _busiest_stage_and_owner(lists_app)
    base = lists_app.base_url
    page.goto(f"{base}/deals?stage=Negotation&amount_min=lots")
    stage_error = page.locator("#filter-error-stage")
    assert "Stage 'Negotation' does not exist; use one of:" in stage_error.inner_text()
    assert "Listed without this filter." in stage_error.inner_text()
    assert (
        "Amount from 'lots' is not a number"
        in page.locator("#filter-error-amount_min").inner_text()
    )
    assert page.locator("input[name=amount_min]").input_value() == "lots"  # kept as typed
    assert page.locator("#results tbody tr[data-id]").count() > 0  # listed without them
    page.screenshot(path=str(tmp_path / "filter-error.png"))

    page.select_option("select[name=stage]", stage)  # HTMX: the stage's message goes
    page.wait_for_function("() => document.querySelector('#filter-error-stage').textContent === ''")
    assert "lots" in page.locator("#filter-error-amount_min").inner_text()

    page.goto(f"{base}/deals")
    with page.expect_navigation():
        page.fill("#results .save-view input[name=name]", "Wszystkie – dwa razy")
        page.click("#results .save-view button")
    page.fill("#results .save-view input[name=name]", "Wszystkie – dwa razy")
    page.click("#results .save-view button")
    error = page.locator("#save-view-error")
    error.wait_for()
    assert "has a view named 'Wszystkie – dwa razy' already" in error.inner_text()
    assert page.locator("#save-view-name").input_value() == "Wszystkie – dwa razy"
    assert page.evaluate("() => location.pathname") == "/deals"  # still on the list
