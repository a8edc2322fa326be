"""The rules editor in headless Chromium: accept a learned avatar's proposed rules, edit a
weight, add a must-have, save, and see the new version and the accounts rescored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from buyermap.schemas.entities import AccountCreate
from buyermap.seams.avatar import LearnRequest, learn_avatar
from buyermap.services.accounts import create_account
from buyermap.services.avatars import find_avatar, scores_of
from tests.web.conftest import LiveApp, live_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rules_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_demo(tmp_path_factory.mktemp("browser-rules"), scale=0.2) as app:
        with app.workspace.sessions() as session, session.begin():
            learn_avatar(session, LearnRequest(save="icp"))
        yield app


def _fit_of(app: LiveApp, name: str, account_id: int) -> tuple[int, float]:
    with app.workspace.sessions() as session:
        avatar = find_avatar(session, name=name)
        assert avatar is not None
        score = next(s for s in scores_of(session, avatar=avatar) if s.account_id == account_id)
        return avatar.version, score.fit


def test_a_user_accepts_proposed_rules_edits_a_weight_and_sees_the_rescored_fit(
    rules_app: LiveApp, page: Any
) -> None:
    base = rules_app.base_url
    with rules_app.workspace.sessions() as session, session.begin():
        account = create_account(
            session,
            data=AccountCreate(
                name="Žďárské strojírny Kraków", domain="zdar-krakow.pl", industry="Software",
                employees=20, region="Benelux",
            ),
        )  # fmt: skip
        account_id = account.id

    page.goto(f"{base}/avatars/icp/rules")
    proposals = page.locator("#proposed-rules li")
    assert proposals.count() >= 3
    first = proposals.nth(0).inner_text()
    assert "counts" in first
    for i in range(3, proposals.count()):
        page.uncheck(f"#rule-{i + 1}")
    page.fill("#f-save", "Zákazníci ICP")
    page.get_by_role("button", name="Accept into a rules avatar").click()
    page.wait_for_url("**/rules")
    assert "rules avatar, version 1" in page.locator("h1").inner_text()
    rows = page.locator("#rules-table tbody tr")
    assert rows.count() == 4  # three accepted, one empty row to add a criterion
    v1, fit1 = _fit_of(rules_app, "Zákazníci ICP", account_id)
    assert v1 == 1
    assert "How the accounts score with version 1" in page.locator("#rules-scores").inner_text()

    # a weight typed wrongly is refused next to the form, what was typed is kept
    page.fill("#r0-weight", "heavy")
    page.get_by_role("button", name="Save as a new version").click()
    assert "weight 'heavy' is not a number" in page.locator("#rules-error").inner_text()
    assert page.input_value("#r0-weight") == "heavy"

    # edit the first rule's weight and add a must-have the new account misses
    page.fill("#r0-weight", "900")
    page.select_option("#r3-field", "employees")
    page.select_option("#r3-operator", "at_least")
    page.fill("#r3-value", "50")
    page.select_option("#r3-kind", "must_have")
    page.fill("#r3-reason", "za mała firma: poniżej 50 osób")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url("**/rules")
    assert "rules avatar, version 2" in page.locator("h1").inner_text()
    assert page.input_value("#r0-weight") == "900"
    versions = page.locator("#rules-versions").inner_text()
    assert "version 2 (shown): 4 rules" in versions
    assert "version 1" in versions
    v2, fit2 = _fit_of(rules_app, "Zákazníci ICP", account_id)
    assert (v2, fit2) == (2, 0.0)
    assert fit1 != fit2
    with rules_app.workspace.sessions() as session:
        avatar = find_avatar(session, name="Zákazníci ICP")
        assert avatar is not None
        tier = next(s.tier for s in scores_of(session, avatar=avatar) if s.account_id == account_id)
    assert tier == "disqualified: za mała firma: poniżej 50 osób"
    assert "disqualified" in page.locator("#rules-scores").inner_text()

    # remove a rule, add a row with the button, and the old version is still there to see
    page.check("#r1-remove")
    page.get_by_role("button", name="Add a criterion").click()
    assert page.locator("#rules-table tbody tr").count() == 5  # 3 kept + 2 empty
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url("**/rules")
    assert "version 3 (shown): 3 rules" in page.locator("#rules-versions").inner_text()
    page.get_by_role("link", name="version 1").click()
    assert "rules avatar, version 1" in page.locator("h1").inner_text()


def test_a_new_rules_avatar_is_written_from_scratch(rules_app: LiveApp, page: Any) -> None:
    page.goto(f"{rules_app.base_url}/avatars/rules/new")
    page.get_by_role("button", name="Save as a new version").click()
    assert "Give the rules avatar a name" in page.locator("#rules-error").inner_text()
    page.fill("#f-name", "Ísland og Suomi")
    page.select_option("#r0-field", "country")
    page.select_option("#r0-operator", "in")
    page.fill("#r0-value", "Iceland; Finland")
    page.select_option("#r1-field", "industry")
    page.select_option("#r1-operator", "at_least")
    page.fill("#r1-value", "5")
    page.get_by_role("button", name="Save as a new version").click()
    error = page.locator("#rules-error").inner_text()
    assert "rule 2: industry: at_least compares numbers" in error
    assert page.input_value("#r0-value") == "Iceland; Finland"
    page.select_option("#r1-operator", "in")
    page.fill("#r1-value", "Software")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url("**/rules")
    assert "Ísland og Suomi" in page.locator("h1").inner_text()
    assert "tier" in page.locator("#rules-scores").inner_text()
