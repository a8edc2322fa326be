"""Demo fixtures: one mid-sized demo database per module for the statistical checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from buyermap.demo import DemoSummary, build_demo
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace

STAT_SCALE = 0.5  # 1,500 deals: enough for the planted patterns to show, fast to build


@pytest.fixture(scope="module")
def stat_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    with demo_workspace(f"sqlite:///{path}", seed=11, scale=STAT_SCALE) as ws:
        yield ws


@pytest.fixture
def stat_session(stat_workspace: Workspace) -> Iterator[Session]:
    with stat_workspace.sessions() as s:
        yield s


@pytest.fixture
def small_demo(session: Session) -> DemoSummary:
    """A small demo in the rolled-back test session, on SQLite and on PostgreSQL."""
    return build_demo(session, seed=7, scale=0.05)
