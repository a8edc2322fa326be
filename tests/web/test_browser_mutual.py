"""Mutual fit in the web, in headless Chromium: our profile at /profile, a buyer's
supplier criteria on its account page, and how well we meet them in words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from buyermap.schemas.entities import AccountCreate
from buyermap.services.accounts import create_account
from buyermap.services.mutual import account_criteria
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mutual_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-mutual"), scale=0.02) as app:
        yield app


def test_a_user_keeps_our_profile_and_a_buyers_criteria_in_the_web(
    mutual_app: LiveApp, page: Any
) -> None:
    base = mutual_app.base_url
    with mutual_app.workspace.sessions() as session, session.begin():
        account = create_account(
            session, data=AccountCreate(name="Szegedi Gépgyár Zrt.", domain="szegedi-gep.hu")
        )
        account_id = account.id

    page.goto(f"{base}/profile")
    assert "Our profile is empty" in page.locator("#profile").inner_text()
    page.fill("#f-key", "regions served")
    page.fill("#f-values", "Hungary; Poland")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/profile")
    assert "Hungary; Poland" in page.locator("#profile").inner_text()

    page.goto(f"{base}/accounts/{account_id}")
    section = page.locator("#supplier-criteria")
    assert "No supplier criteria recorded" in section.inner_text()
    page.fill("#f-criterion", "support hours")
    page.select_option("#f-operator", "at_least")
    page.fill("#f-value", "sok")  # not a number
    page.get_by_role("button", name="Add criterion").click()
    error = page.locator('[data-field="value"] .field-error')
    assert "needs a number" in error.inner_text()
    assert page.input_value("#f-criterion") == "support hours"  # what was typed is kept

    page.fill("#f-criterion", "regions served")
    page.select_option("#f-operator", "includes")
    page.fill("#f-value", "Hungary")
    page.fill("#f-weight", "3")
    page.check("#f-must-have")
    page.get_by_role("button", name="Add criterion").click()
    page.wait_for_url(f"**/accounts/{account_id}*")
    page.fill("#f-criterion", "languages")
    page.fill("#f-value", "magyar")
    page.get_by_role("button", name="Add criterion").click()
    page.wait_for_url(f"**/accounts/{account_id}*")

    text = page.locator("#supplier-criteria").inner_text()
    assert "We fit them 100 of 100" in text
    assert "1 of their criteria is not answered by our profile" in text
    assert "must-have" in text
    with mutual_app.workspace.sessions() as session:
        stored = account_criteria(session, account_id=account_id)
    assert [(c.criterion, c.weight, c.must_have) for c in stored] == [
        ("regions served", 3.0, True),
        ("languages", 1.0, False),
    ]
    page.locator('tr:has-text("languages") button:has-text("Remove")').click()
    page.wait_for_url(f"**/accounts/{account_id}*")
    assert "languages" not in page.locator("#supplier-criteria table").inner_text()
