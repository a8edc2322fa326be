"""Shared fixtures: every storage and service test runs on SQLite and on PostgreSQL.

PostgreSQL tests create their own database and drop it afterwards. Set
``BUYERMAP_TEST_PG_URL`` to point at another server; CI sets
``BUYERMAP_REQUIRE_POSTGRES=1`` so that an unreachable server fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings

# Property tests: no per-example deadline (a loaded 2-core CI machine makes timings noisy).
# Under CI the examples are derandomized, so a landing never depends on a random draw;
# locally they stay random, to keep finding new cases.
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

PG_ADMIN_URL = os.environ.get(
    "BUYERMAP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("BUYERMAP_REQUIRE_POSTGRES") == "1"


def _pg_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return PG_ADMIN_URL


def create_pg_database(admin_url: str) -> str:
    name = f"buyermap_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def opened_workspace(url: str) -> Iterator[Workspace]:
    """The workspace on ``url``, opened (and migrated); its engine is disposed afterwards."""
    workspace = open_workspace(Settings(database_url=url))
    try:
        yield workspace
    finally:
        workspace.engine.dispose()


@contextmanager
def backend_database(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """A new, empty database on the backend ``request.param`` names; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{directory / 'workspace.db'}"
        return
    admin_url: str = request.getfixturevalue("pg_admin_url")
    url = create_pg_database(admin_url)
    try:
        yield url
    finally:
        drop_pg_database(admin_url, url)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty workspace database URL on each backend."""
    with backend_database(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database URL on each backend, one per test module.

    For module-scoped fixtures that seed data once: their tests must only read it.
    """
    with backend_database(request, tmp_path_factory.mktemp("module-db")) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'workspace.db'}"


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    with opened_workspace(db_url) as ws:
        yield ws


@pytest.fixture
def session(workspace: Workspace) -> Iterator[Session]:
    """A session in a transaction that is rolled back after the test."""
    with workspace.sessions() as s, s.begin():
        yield s
        s.rollback()
