"""Filled workspaces and app clients for tests.

Fixtures decide the scope and the backend (``db_url``, ``module_db_url`` in
tests/conftest.py); these open, fill and dispose.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi.testclient import TestClient

from buyermap.analytics.personas.stored import DEMO_QUERY, discover_workspace
from buyermap.db.base import Base
from buyermap.demo import build_demo
from buyermap.seams.cache import change_stamp
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.conftest import opened_workspace


@contextmanager
def demo_workspace(
    url: str, *, scale: float, seed: int = 7, personas: bool = False
) -> Iterator[Workspace]:
    """The workspace on ``url`` holding ``build_demo(seed=seed, scale=scale)``, committed.

    With ``personas=True`` the planted personas are also discovered and stored as the
    active run, as ``buyermap demo`` does (``DEMO_QUERY``).
    """
    with opened_workspace(url) as workspace:
        with workspace.sessions() as session, session.begin():
            build_demo(session, seed=seed, scale=scale)
            if personas:
                discover_workspace(session, query=DEMO_QUERY)
        yield workspace


def make_client(db_url: str, workspace: Workspace) -> TestClient:
    """A test client of the web app over ``workspace``; use it as a context manager."""
    return TestClient(create_app(Settings(database_url=db_url), workspace=workspace))


@dataclass(frozen=True)
class Both:
    """A workspace behind an app: the seam tests ask the CLI (``--db url``) and the REST
    API (``client``) the same question."""

    url: str
    client: TestClient
    workspace: Workspace


@contextmanager
def demo_behind_app(url: str, *, scale: float, seed: int = 7) -> Iterator[Both]:
    """``demo_workspace(url, scale=scale, seed=seed)`` with a test client of the app over it."""
    with (
        demo_workspace(url, scale=scale, seed=seed) as workspace,
        make_client(url, workspace) as client,
    ):
        yield Both(url=url, client=client, workspace=workspace)


def settled(workspace: Workspace) -> None:
    """Wait until the change stamp of every table holds still. PostgreSQL publishes a
    backend's write counters when it goes idle (within about a second), so a test's own
    writes may still arrive and give one more fresh stamp; on SQLite it returns at once."""
    if workspace.engine.dialect.name != "postgresql":
        return
    models = [m.class_ for m in Base.registry.mappers]

    def stamp() -> object:
        with workspace.sessions() as session:
            return change_stamp(session, models)

    last = stamp()
    for _ in range(10):
        time.sleep(1.1)
        now = stamp()
        if now == last:
            return
        last = now
