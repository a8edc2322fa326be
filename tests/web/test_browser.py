"""The workbench in headless Chromium (Debian's, driven by Playwright; never downloaded).

The app is served by uvicorn in a thread over a SQLite workspace holding the demo data
(``buyermap.demo.generator.build_demo`` at a small scale).

Set ``BUYERMAP_CHROMIUM`` to the browser executable if it is not ``chromium`` on PATH;
``BUYERMAP_REQUIRE_BROWSER=1`` turns a missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, select

from buyermap.db.models import Account, Deal, StageChange
from buyermap.db.types import utcnow
from buyermap.demo.generator import build_demo
from buyermap.services.deals import deal_timeline
from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app

pytestmark = pytest.mark.browser

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOT = Path("/tmp/deal.png")


def chromium_path() -> str:
    found = os.environ.get("BUYERMAP_CHROMIUM") or shutil.which("chromium")
    if found and Path(found).exists():
        return found
    reason = "no Chromium: set BUYERMAP_CHROMIUM or install Debian's chromium package"
    if os.environ.get("BUYERMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveApp:
    base_url: str
    workspace: Workspace


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    settings = Settings(database_url=url)
    workspace = open_workspace(settings)
    with workspace.sessions() as session, session.begin():
        build_demo(session, seed=7, scale=0.05)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, workspace=workspace),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start within 10 s")
        time.sleep(0.02)
    try:
        yield LiveApp(base_url=f"http://127.0.0.1:{port}", workspace=workspace)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        workspace.engine.dispose()


@pytest.fixture(scope="module")
def browser(live_app: LiveApp) -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


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
    live_app: LiveApp, page: Any
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
    page.screenshot(path=str(SCREENSHOT), full_page=True)


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
