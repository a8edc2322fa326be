"""Web fixtures: an app per test over the shared ``workspace`` fixture, a seeded,
read-only app per module for page tests (both backends), and for the browser tests a live
demo server (SQLite) with headless Chromium.

Chromium is Debian's, driven by Playwright (never downloaded). Set ``BUYERMAP_CHROMIUM``
to the browser executable if it is not ``chromium`` on PATH; ``BUYERMAP_REQUIRE_BROWSER=1``
turns a missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from buyermap.analytics.personas.stored import discover_workspace
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background
from tests.conftest import opened_workspace
from tests.factories import demo_workspace, make_client
from tests.web.factories import Seeded, seed_sales
from tests.web.persona_factory import FAST_QUERY, PersonaApp, seed_personas

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    """A client over a fresh, empty workspace (SQLite and PostgreSQL)."""
    with make_client(db_url, workspace) as c:
        yield c


@dataclass(frozen=True)
class SeededApp:
    client: TestClient
    ids: Seeded
    workspace: Workspace


@pytest.fixture(scope="module")
def seeded(module_db_url: str) -> Iterator[SeededApp]:
    """The factories' sales workspace behind an app; tests must only read from it."""
    with opened_workspace(module_db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            ids = seed_sales(session)
        with make_client(module_db_url, workspace) as c:
            yield SeededApp(client=c, ids=ids, workspace=workspace)


@pytest.fixture(scope="module")
def persona_app(module_db_url: str) -> Iterator[PersonaApp]:
    """The planted persona workspace (tests/web/persona_factory.py) with one stored, active
    run behind an app; tests must only read from it."""
    with opened_workspace(module_db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            planted = seed_personas(session)
            run_key = discover_workspace(session, query=FAST_QUERY).run_key
        with make_client(module_db_url, workspace) as c:
            yield PersonaApp(client=c, workspace=workspace, planted=planted, run_key=run_key)


@dataclass(frozen=True)
class LiveApp:
    base_url: str
    workspace: Workspace


@contextmanager
def live_demo(directory: Path, *, scale: float, personas: bool = False) -> Iterator[LiveApp]:
    """The demo (seed 7) in a SQLite workspace under ``directory``, served by uvicorn."""
    url = f"sqlite:///{directory / 'demo.db'}"
    with (
        demo_workspace(url, scale=scale, personas=personas) as workspace,
        serve_in_background(create_app(Settings(database_url=url), workspace=workspace)) as base,
    ):
        yield LiveApp(base_url=base, workspace=workspace)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """The demo at scale 0.05 on a live server; tests must only read from it."""
    with live_demo(tmp_path_factory.mktemp("browser"), scale=0.05) as app:
        yield app


def chromium_path() -> str:
    found = os.environ.get("BUYERMAP_CHROMIUM") or shutil.which("chromium")
    if found and Path(found).exists():
        return found
    reason = "no Chromium: set BUYERMAP_CHROMIUM or install Debian's chromium package"
    if os.environ.get("BUYERMAP_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per module (skips, or fails, when there is none)."""
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
    """A page in a fresh browser context (1280 x 900) per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def htmx_idle(page: Any) -> None:
    """Wait until htmx has finished a swap. htmx attaches the triggers of swapped-in
    content when it settles (20 ms after the swap, longer on a loaded machine); a change
    made in between fires no request, so a test that edits a freshly swapped row waits."""
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    page.wait_for_function(f"() => !document.querySelector('{busy}')")


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    """A fresh, empty SQLite workspace served by uvicorn in a thread: (base URL, workspace)."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    settings = Settings(database_url=url, upload_dir=tmp_path / "uploads")
    with (
        opened_workspace(url) as workspace,
        serve_in_background(create_app(settings, workspace=workspace)) as base,
    ):
        yield base, workspace
