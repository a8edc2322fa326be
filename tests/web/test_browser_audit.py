"""The changes page in headless Chromium: who changed what, in sentences, personal values
kept out, filtered by kind of record, a record's page one click away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from buyermap.db.audit import acting_as
from buyermap.db.models import Account, Contact
from buyermap.schemas.entities import AccountUpdate, ContactUpdate
from buyermap.services import accounts, contacts
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def audit_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApp, int, int]]:
    with live_demo(tmp_path_factory.mktemp("browser-audit"), scale=0.02) as app:
        with app.workspace.sessions() as session, session.begin(), acting_as("dana@example.pl"):
            account = session.scalars(select(Account).order_by(Account.id)).first()
            contact = session.scalars(select(Contact).order_by(Contact.id)).first()
            assert account is not None
            assert contact is not None
            accounts.update_account(
                session, account_id=account.id, data=AccountUpdate(industry="Żegluga")
            )
            contacts.update_contact(
                session, contact_id=contact.id, data=ContactUpdate(email="nowy.adres@example.pl")
            )
            ids = (account.id, contact.id)
        yield app, *ids


def test_a_user_reads_who_changed_what_and_filters_by_kind(
    audit_app: tuple[LiveApp, int, int], page: Any
) -> None:
    app, account_id, contact_id = audit_app
    page.goto(f"{app.base_url}/")
    page.get_by_role("link", name="Changes").click()
    page.wait_for_url("**/audit")
    rows = page.locator("#audit-log tbody tr")
    newest = rows.nth(0).inner_text()
    assert "dana@example.pl" in newest
    assert f"Changed the email of contact {contact_id}" in newest
    assert "Identity data: its values are not logged" in newest  # not the new address
    assert "nowy.adres" not in page.content()
    industry = rows.nth(1).inner_text()
    assert f"Changed the industry of account {account_id}" in industry
    assert "Żegluga" in industry

    page.select_option("#audit-filter select[name=entity]", "contacts")
    page.locator("#audit-filter button").click()
    page.wait_for_url("**/audit?entity=contacts")
    kinds = {r.split("\t")[2].split(" of ")[-1].split()[0] for r in page.locator(
        "#audit-log tbody tr").all_inner_texts()}  # fmt: skip
    assert kinds == {"contact"}

    page.goto(f"{app.base_url}/audit?entity=accounts")
    page.get_by_role("link", name=f"account {account_id}").first.click()
    page.wait_for_url(f"**/accounts/{account_id}")


def test_an_empty_kind_says_what_shows_there(
    audit_app: tuple[LiveApp, int, int], page: Any
) -> None:
    app, _, _ = audit_app
    page.goto(f"{app.base_url}/audit?entity=supplier_criteria")
    text = page.locator("#audit-log").inner_text()
    assert "Nothing has been changed in these records yet" in text
