"""Personas in headless Chromium: the list, a card (name, share, traits), a screenshot.

Reuses the helpers of tests/web/test_browser.py over a demo workspace (scale 0.1) whose
personas were discovered as ``buyermap demo`` does. The card is saved to /tmp/persona.png.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from buyermap.demo.generator import build_demo
from buyermap.services.personas import DEMO_QUERY, active_run, discover_workspace
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.web.test_browser import LAUNCH_ARGS, LiveApp, chromium_path, free_port

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/persona.png")


@pytest.fixture(scope="module")
def persona_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-personas') / 'demo.db'}"
    settings = Settings(database_url=url)
    workspace = open_workspace(settings)
    with workspace.sessions() as session, session.begin():
        build_demo(session, seed=7, scale=0.1)
        discover_workspace(session, query=DEMO_QUERY)
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


@pytest.fixture
def persona_page(persona_live: LiveApp) -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        finally:
            browser.close()


def test_a_user_opens_the_personas_and_reads_a_card(
    persona_live: LiveApp, persona_page: Any
) -> None:
    with persona_live.workspace.sessions() as session:
        run = active_run(session)
        assert run is not None
        largest = run.personas[0]
        name, share = largest.name, f"{round(100 * largest.share)}%"

    page = persona_page
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
    assert "×" in rows.first.locator(".lift-value").inner_text()
    assert page.locator("#quotes blockquote").count() >= 3
    assert page.locator(".persona-head img").evaluate("i => i.naturalWidth") > 0
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()
