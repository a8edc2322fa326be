"""Lists over the demo: a fixed number of SQL statements whatever the page size, and the
demo's answer key never shown.

Over the demo (seed 7, scale 0.1: 200 accounts, 300 deals, several hundred people), each
list is fetched with 10 and with 100 rows per page while ``before_cursor_execute`` counts
the statements. An N+1 (a lazy load per row) makes the second count grow with the rows.

The demo plants its answer key in ``extra`` (``_planted_fate``, ``_planted_persona``, ...,
docs/demo-data.md); tests read it from the database, and no response of the app shows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from buyermap.db.models import Account, Contact, Deal, Stage
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace, make_client

LISTS = [
    "/accounts",
    "/contacts",
    "/deals",
    "/api/v1/accounts",
    "/api/v1/contacts",
    "/api/v1/deals",
]


@dataclass(frozen=True)
class CountedApp:
    client: TestClient
    workspace: Workspace


@pytest.fixture(scope="module")
def demo(module_db_url: str) -> Iterator[CountedApp]:
    """The demo at scale 0.1 behind an app; tests only read from it."""
    with (
        demo_workspace(module_db_url, scale=0.1) as workspace,
        make_client(module_db_url, workspace) as client,
    ):
        yield CountedApp(client=client, workspace=workspace)


def _statements(app: CountedApp, path: str, page_size: int) -> tuple[int, int]:
    """(SQL statements run, rows listed) for one GET of ``path``."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(app.workspace.engine, "before_cursor_execute", count)
    try:
        response = app.client.get(path, params={"page_size": page_size})
    finally:
        event.remove(app.workspace.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    if path.startswith("/api/"):
        rows = len(response.json()["items"])
    else:
        rows = response.text.count("<tr data-id=") or response.text.count("<tr")
    return len(seen), rows


@pytest.mark.parametrize("path", LISTS)
def test_a_list_runs_as_many_statements_for_100_rows_as_for_10(demo: CountedApp, path: str) -> None:
    small, small_rows = _statements(demo, path, 10)
    large, large_rows = _statements(demo, path, 100)
    assert large_rows > small_rows  # the page really grew
    assert large == small, f"{path}: {small} statements for 10 rows, {large} for 100"
    # /accounts: one more for the page's fit and tier by the avatar (one statement per page)
    assert small <= (9 if path == "/accounts" else 8), f"{path}: {small} statements"


def _filtered_lists(app: CountedApp) -> list[str]:
    """Each list with its filters set to values the demo holds (a stage, an owner, ...)."""
    with app.workspace.sessions() as session:
        stage, owner = session.execute(
            select(Stage.name, Deal.owner_id)
            .join(Stage, Stage.id == Deal.stage_id)
            .where(Deal.owner_id.is_not(None))
            .limit(1)
        ).one()
        industry, country = session.execute(
            select(Account.industry, Account.country).where(Account.industry.is_not(None)).limit(1)
        ).one()
        seniority = session.scalar(select(Contact.seniority).where(Contact.seniority.is_not(None)))
    deals = f"stage={quote(stage)}&owner={owner}&amount_min=1&opened_from=2000-01-01"
    accounts = f"industry={quote(industry or '')}&country={quote(country or '')}&size=1-10"
    return [
        f"/deals?{deals}&q=a",
        f"/api/v1/deals?{deals}&q=a",
        f"/accounts?industry={quote(industry or '')}",
        f"/api/v1/accounts?{accounts}",
        f"/contacts?seniority={seniority}&q=a",
        f"/api/v1/contacts?seniority={seniority}&company=a",
    ]


def test_a_filtered_list_runs_a_fixed_number_of_statements(demo: CountedApp) -> None:
    for path in _filtered_lists(demo):
        small, small_rows = _statements(demo, path, 1)
        large, large_rows = _statements(demo, path, 100)
        assert large_rows >= small_rows, path
        assert large == small, f"{path}: {small} statements for 1 row, {large} for 100"
        assert small <= 9, f"{path}: {small} statements"


def _planted(app: CountedApp) -> tuple[int, int]:
    """(a deal id, a contact id) whose ``extra`` holds planted keys, read from the database."""
    with app.workspace.sessions() as session:
        deal = next(d for d in session.scalars(select(Deal)) if "_planted_fate" in d.extra)
        contact = next(c for c in session.scalars(select(Contact)) if "_planted_persona" in c.extra)
        return deal.id, contact.id


def test_the_answer_key_stays_in_the_database(demo: CountedApp) -> None:
    deal_id, contact_id = _planted(demo)
    shown = [
        *LISTS,
        f"/api/v1/deals/{deal_id}",
        f"/api/v1/contacts/{contact_id}",
        f"/deals/{deal_id}",
        f"/contacts/{contact_id}",
    ]
    for path in shown:
        response = demo.client.get(path, params={"page_size": 100} if path in LISTS else {})
        assert response.status_code == 200, (path, response.text)
        assert "_planted_" not in response.text, path
    deal = demo.client.get(f"/api/v1/deals/{deal_id}").json()
    assert isinstance(deal["extra"], dict)  # the rest of extra is still there
