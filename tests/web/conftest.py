"""Web fixtures: an app per test over the shared ``workspace`` fixture, and a seeded,
read-only app per module for page tests (both backends)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.conftest import create_pg_database, drop_pg_database
from tests.web.factories import Seeded, seed_sales

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


def make_client(db_url: str, workspace: Workspace) -> TestClient:
    return TestClient(create_app(Settings(database_url=db_url), workspace=workspace))


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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededApp]:
    """The factories' sales workspace behind an app; tests must only read from it."""
    admin_url: str | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('web')) / 'seeded.db'}"
    else:
        admin_url = request.getfixturevalue("pg_admin_url")
        url = create_pg_database(admin_url)
    workspace = open_workspace(Settings(database_url=url))
    try:
        with workspace.sessions() as session, session.begin():
            ids = seed_sales(session)
        with make_client(url, workspace) as c:
            yield SeededApp(client=c, ids=ids, workspace=workspace)
    finally:
        workspace.engine.dispose()
        if admin_url is not None:
            drop_pg_database(admin_url, url)
