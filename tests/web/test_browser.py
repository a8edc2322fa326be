"""The workbench in headless Chromium (Debian's, driven by Playwright; never downloaded).

The app is served by uvicorn in a thread over a SQLite workspace holding the demo data
(``buyermap.demo.generator.build_demo`` at a small scale): ``live_app``, ``browser`` and
``page`` in tests/web/conftest.py, which also says how the browser is found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from buyermap.db.models import Account, Deal, StageChange
from buyermap.db.types import utcnow
from buyermap.services.deals import deal_timeline
from buyermap.services.workspace import Workspace
from tests.web.conftest import LiveApp

pytestmark = pytest.mark.browser


def _deal_with_longest_history(workspace: Workspace) -> tuple[int, str, int, str]:
    """(account id, account name, deal id, deal name) of the deal with the most moves."""
    with workspace.sessions() as session:
        row = session.execute(
            select(Account.id, Account.name, Deal.id, Deal.name)
            .join(Deal, Deal.account_id == Account.id)
            .join(StageChange, StageChange.deal_id == Deal.id)
            .group_by(Account.id, Account.name, Deal.id, Deal.name)
            .order_by(func.count(StageChange.id).desc(), Deal.id)
            .limit(1)
        ).one()
    return row[0], row[1], row[2], row[3]


def test_a_user_finds_an_account_opens_a_deal_and_reads_its_timeline(
    live_app: LiveApp, page: Any, tmp_path: Path
) -> None:
    account_id, account_name, deal_id, deal_name = _deal_with_longest_history(live_app.workspace)

    page.goto(f"{live_app.base_url}/accounts")
    assert page.title().startswith("Accounts")
    page.fill("input[name=q]", account_name)  # HTMX swaps the results while typing
    link = page.locator(f'#results a[href="/accounts/{account_id}"]')
    link.wait_for()
    page.wait_for_function("() => location.search.includes('q=')")  # hx-push-url
    link.click()

    page.wait_for_url(f"**/accounts/{account_id}")
    assert page.locator("h1").inner_text() == account_name
    page.locator(f'#deals a[href="/deals/{deal_id}"]').click()

    page.wait_for_url(f"**/deals/{deal_id}")
    assert deal_name in page.locator("h1").inner_text()
    rows = page.locator("#stage-timeline table tr[data-stage]")
    shown = [
        (rows.nth(i).get_attribute("data-stage"), float(rows.nth(i).locator(".days").inner_text()))
        for i in range(rows.count())
    ]
    with live_app.workspace.sessions() as session:
        visits = deal_timeline(session, deal_id=deal_id)
    now = utcnow()
    assert [stage for stage, _ in shown] == [v.stage for v in visits]
    for (_, days), visit in zip(shown, visits, strict=True):
        assert days == pytest.approx(visit.days(now), abs=0.11)
    bars = page.locator("#stage-timeline .gantt-row[data-stage]")
    assert bars.count() == len(visits)
    assert page.locator("#stage-timeline .gantt-bar").first.bounding_box()["width"] > 0
    shot = tmp_path / "deal.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")


def _employees(page: Any) -> list[int]:
    texts = page.locator("#results tbody tr td:nth-child(4)").all_inner_texts()
    return [int(t.replace(",", "")) for t in texts if t.strip() not in ("", "–")]


def test_clicking_a_column_header_sorts_in_place(live_app: LiveApp, page: Any) -> None:
    page.goto(f"{live_app.base_url}/accounts")
    page.locator('#results th a[data-sort="employees"]').click()
    page.wait_for_url("**/accounts?sort=employees")
    page.locator('#results th[aria-sort="ascending"] a[data-sort="employees"]').wait_for()
    ascending = _employees(page)
    assert ascending == sorted(ascending)
    assert ascending

    page.locator('#results th a[data-sort="employees"]').click()
    page.wait_for_url("**/accounts?sort=-employees")
    page.locator('#results th[aria-sort="descending"] a[data-sort="employees"]').wait_for()
    descending = _employees(page)
    assert descending == sorted(descending, reverse=True)
    assert descending[0] > ascending[-1]
    assert page.locator("nav[aria-label=Sections]").count() == 1  # swapped, not nested
