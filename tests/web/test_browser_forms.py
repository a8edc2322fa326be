"""Changing the workspace from the pages, in headless Chromium (Playwright, Debian's browser).

A demo workspace of its own per module (these tests write): each test makes the records it
needs under names of its own, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from buyermap.schemas.entities import AccountUpdate, DealCreate
from buyermap.services.accounts import get_account, list_accounts, update_account
from buyermap.services.board import CARDS_PER_COLUMN, pipeline_board
from buyermap.services.deals import create_deal, get_deal
from buyermap.services.listing import ListQuery
from buyermap.services.notes import notes_for
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The demo at scale 0.05 on a live server that the tests may change."""
    with live_demo(tmp_path_factory.mktemp("browser-forms"), scale=0.05) as app:
        yield app


def _account_id(app: LiveApp, name: str) -> int:
    with app.workspace.sessions() as session:
        [account] = list_accounts(session, query=ListQuery(q=name)).items
        return account.id


def _new_deal(app: LiveApp, name: str) -> int:
    with app.workspace.sessions() as session, session.begin():
        deal = create_deal(
            session,
            data=DealCreate(
                name=name, amount=75000, currency="PLN", opened_at=datetime(2026, 1, 5)
            ),
        )
        return deal.id


def test_a_user_creates_an_account_and_a_contact_working_there(
    writable_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    base = writable_app.base_url
    page.goto(f"{base}/accounts")
    page.get_by_role("link", name="New account").click()
    page.wait_for_url("**/accounts/new")
    page.fill("#f-name", "Przedsiębiorstwo Żółć i Syn")
    page.fill("#f-domain", "zolc-i-syn.pl")
    page.fill("#f-employees", "1 250")
    page.fill("#f-annual-revenue", "4200000")
    page.fill("#f-country", "Polska")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    assert page.locator("h1").inner_text() == "Przedsiębiorstwo Żółć i Syn"
    assert "1,250" in page.locator("dl.fields").inner_text()

    page.get_by_role("link", name="New contact here").click()
    page.wait_for_url("**/contacts/new?account_id=*")
    assert page.locator("#f-account-id option:checked").inner_text() == (
        "Przedsiębiorstwo Żółć i Syn"
    )
    page.fill("#f-first-name", "Jiří")
    page.fill("#f-last-name", "Dvořák")
    page.fill("#f-email", "jiri.dvorak@zolc-i-syn.pl")
    page.select_option("#f-seniority", label="Director")
    page.fill("#f-job-title", "Ředitel nákupu")
    page.get_by_role("button", name="Create contact").click()
    page.wait_for_url(re.compile(r".*/contacts/\d+$"))
    assert page.locator("h1").inner_text() == "Jiří Dvořák"
    assert "Przedsiębiorstwo Żółć i Syn" in page.locator("#positions").inner_text()
    page.screenshot(path=str(tmp_path / "contact.png"), full_page=True)


def test_a_rejected_form_names_the_bad_value_and_keeps_the_rest(
    writable_app: LiveApp, page: Any
) -> None:
    page.goto(f"{writable_app.base_url}/accounts/new")
    page.fill("#f-name", "Łańcut Cukrownia")
    page.fill("#f-industry", "Spożywczy")
    page.fill("#f-employees", "dużo")
    page.get_by_role("button", name="Create account").click()
    error = page.locator('[data-field="employees"] .field-error')
    error.wait_for()
    assert error.inner_text() == "“dużo” is not a whole number; enter digits only, e.g. 1200"
    assert page.locator("#f-employees").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-name") == "Łańcut Cukrownia"
    assert page.input_value("#f-industry") == "Spożywczy"
    assert page.input_value("#f-employees") == "dużo"
    page.fill("#f-employees", "310")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    with writable_app.workspace.sessions() as session:
        account = get_account(session, account_id=_account_id(writable_app, "Łańcut Cukrownia"))
        assert (account.industry, account.employees) == ("Spożywczy", 310)


def test_a_user_edits_a_deal_and_moves_it_on_its_page_and_on_the_board(
    writable_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    deal_id = _new_deal(writable_app, "Linka rozlewnicza Wrocław")
    base = writable_app.base_url
    page.goto(f"{base}/deals/{deal_id}")
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url(f"**/deals/{deal_id}/edit")
    page.fill("#f-amount", "82500")
    page.fill("#f-expected-close", "2026-10-15")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/deals/{deal_id}")
    assert "82,500 PLN" in page.locator("dl.fields").inner_text()

    page.select_option("#f-to-stage", "Qualified")
    page.get_by_role("button", name="Record the move").click()
    page.wait_for_function(
        "() => document.querySelector('#stage-timeline tr[data-stage=\"Qualified\"]')"
    )

    page.goto(f"{base}/deals/board")
    card = page.locator(f'.deal-card[data-deal="{deal_id}"]')
    assert card.locator("xpath=ancestor::section").get_attribute("data-stage") == "Qualified"
    card.get_by_role("button", name="Discovery ›").click()
    page.locator(f'.board-col[data-stage="Discovery"] .deal-card[data-deal="{deal_id}"]').wait_for()

    page.drag_and_drop(  # onto the column's heading (a long column's middle is off screen)
        f'.deal-card[data-deal="{deal_id}"]',
        '.board-col[data-stage="Negotiation"]',
        target_position={"x": 40, "y": 12},
    )
    moved = page.locator(f'.board-col[data-stage="Negotiation"] .deal-card[data-deal="{deal_id}"]')
    moved.wait_for()
    assert "82,500 PLN" in moved.inner_text()
    assert "0 days in stage" in moved.inner_text()
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
    with writable_app.workspace.sessions() as session:
        deal = get_deal(session, deal_id=deal_id)
        assert deal.stage is not None
        assert deal.stage.name == "Negotiation"


def test_a_user_logs_a_note_with_tags_without_a_reload(writable_app: LiveApp, page: Any) -> None:
    deal_id = _new_deal(writable_app, "Serwis chłodni Gdańsk")
    page.goto(f"{writable_app.base_url}/deals/{deal_id}")
    page.evaluate("window.__same_page = true")
    notes = page.locator("#notes")
    notes.locator("#f-kind").select_option("meeting")
    notes.locator("#f-title").fill("Spotkanie z zarządem")
    notes.locator("#f-tags").fill("cena, konkurencja")
    notes.locator("#f-body").fill("Zarząd chce rabatu 5 % i wdrożenia do czerwca.")
    notes.get_by_role("button", name="Log it").click()
    item = notes.locator("ul.notes li").first
    item.wait_for()
    assert "Spotkanie z zarządem" in item.inner_text()
    assert "#konkurencja" in item.inner_text()
    assert "Meeting" in item.inner_text()
    assert page.evaluate("window.__same_page") is True  # swapped in, no reload
    assert notes.locator("#f-body").input_value() == ""  # a fresh form for the next one
    with writable_app.workspace.sessions() as session:
        [note] = notes_for(session, deal_id=deal_id)
        assert (note.kind, note.tags) == ("meeting", ["cena", "konkurencja"])


def test_a_stale_save_shows_both_values_and_the_user_picks_per_field(
    writable_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{writable_app.base_url}/accounts/new")
    page.fill("#f-name", "Plzeňské Kotle")
    page.fill("#f-industry", "Strojírenství")
    page.fill("#f-country", "CZ")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r".*/accounts/\d+$"))
    account_id = int(page.url.rsplit("/", 1)[1])

    page.goto(f"{writable_app.base_url}/accounts/{account_id}/edit")
    with writable_app.workspace.sessions() as session, session.begin():  # a colleague saves
        update_account(
            session,
            account_id=account_id,
            data=AccountUpdate(industry="Energetika", country="SK"),
        )
    page.fill("#f-industry", "Teplárenství")
    page.fill("#f-country", "PL")
    page.get_by_role("button", name="Save").click()
    conflict = page.locator("#conflict")
    conflict.wait_for()
    assert "Someone else saved this account after you opened it" in conflict.inner_text()
    row = conflict.locator('tr[data-field="industry"]')
    assert row.locator(".yours").inner_text() == "Teplárenství"
    assert row.locator(".saved").inner_text() == "Energetika"
    assert page.input_value("#f-industry") == "Teplárenství"
    page.screenshot(path=str(tmp_path / "conflict.png"), full_page=True)

    # my industry, the colleague's country
    assert page.is_checked("#pick-industry-mine")
    page.check("#pick-country-saved")
    page.get_by_role("button", name="Save with these choices").click()
    page.wait_for_url(f"**/accounts/{account_id}")
    with writable_app.workspace.sessions() as session:
        account = get_account(session, account_id=account_id)
        assert (account.industry, account.country) == ("Teplárenství", "SK")


def _big_deal(app: LiveApp, name: str) -> int:
    """An open deal large enough to be among the cards a column shows."""
    with app.workspace.sessions() as session, session.begin():
        deal = create_deal(session, data=DealCreate(name=name, amount=9_900_000, currency="PLN"))
        return deal.id


def test_a_card_dropped_on_won_or_lost_closes_the_deal_and_a_long_column_links_to_the_rest(
    writable_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    with writable_app.workspace.sessions() as session, session.begin():
        column = pipeline_board(session).columns[0]
        stage, pipeline = column.stage.name, column.stage.pipeline.name
        for i in range(max(0, CARDS_PER_COLUMN + 3 - column.count)):
            create_deal(session, data=DealCreate(name=f"Drobna zakázka {i}", amount=100))
    won_id = _big_deal(writable_app, "Elektrárna Dukovany servis")
    lost_id = _big_deal(writable_app, "Szczecin port dźwigi")
    with writable_app.workspace.sessions() as session:
        total = pipeline_board(session).columns[0].count
    base = writable_app.base_url

    page.goto(f"{base}/deals/board")
    more = page.locator(f'.board-col[data-stage="{stage}"] .board-more')
    assert f"{total - CARDS_PER_COLUMN:,} more deals are not shown" in more.inner_text()
    more.get_by_role("link", name=f"See all {total:,} in the deals list").click()
    page.wait_for_url("**/deals?*")
    assert page.locator('select[name="stage"]').input_value() == stage
    assert page.locator('select[name="pipeline"]').input_value() == pipeline

    page.goto(f"{base}/deals/board")
    page.once("dialog", lambda dialog: dialog.accept())  # "Mark ... as won?"
    page.drag_and_drop(f'.deal-card[data-deal="{won_id}"]', ".board-drop.won")
    page.locator(f'.deal-card[data-deal="{won_id}"]').wait_for(state="detached")
    with writable_app.workspace.sessions() as session:
        assert get_deal(session, deal_id=won_id).status == "won"

    page.drag_and_drop(f'.deal-card[data-deal="{lost_id}"]', ".board-drop.lost")
    dialog = page.locator("#lost-dialog")
    dialog.wait_for()
    assert "Szczecin port dźwigi" in dialog.inner_text()
    page.fill("#lost-dialog-reason", "Budżet obcięty")
    page.screenshot(path=str(tmp_path / "lost-dialog.png"), full_page=True)
    dialog.get_by_role("button", name="Mark as lost").click()
    page.locator(f'.deal-card[data-deal="{lost_id}"]').wait_for(state="detached")
    with writable_app.workspace.sessions() as session:
        deal = get_deal(session, deal_id=lost_id)
        assert deal.status == "lost"
        assert deal.lost_reason is not None
        assert deal.lost_reason.name == "Budżet obcięty"
