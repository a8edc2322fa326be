"""A write changes the change stamp, so the app never serves an analysis of old data."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, select, text

from buyermap.db.models import Deal, Stage
from buyermap.seams.cache import change_stamp
from buyermap.seams.pipeline import TABLES
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace, make_client, settled


def test_a_write_through_the_app_gives_a_fresh_forecast(db_url: str) -> None:
    with demo_workspace(db_url, scale=0.05) as workspace, make_client(db_url, workspace) as c:
        params = {"horizon_days": 60, "simulations": 200}
        before = c.get("/api/v1/pipeline/forecast", params=params).json()
        with workspace.sessions() as session:
            deal = session.scalars(
                select(Deal).where(Deal.status == "open").order_by(Deal.id)
            ).first()
            assert deal is not None
            won = session.scalars(select(Stage).where(Stage.kind == "won")).first()
            assert won is not None
            deal_id, won_name = deal.id, won.name
        moved = c.post(
            f"/api/v1/deals/{deal_id}/stage-changes",
            json={"to_stage": won_name, "changed_at": f"{before['as_of']}T12:00:00"},
        )
        assert moved.status_code == 201, moved.text
        after = c.get("/api/v1/pipeline/forecast", params=params).json()
        assert after["open_deals"] == before["open_deals"] - 1
        assert after["provenance"]["inputs_hash"] != before["provenance"]["inputs_hash"]


def test_a_write_from_another_process_changes_the_stamp(db_url: str) -> None:
    with demo_workspace(db_url, scale=0.05) as workspace:
        stamp = _stamp(workspace)
        assert _stamp(workspace) == stamp  # reading changes nothing
        with workspace.sessions() as session, session.begin():
            deal = session.scalars(select(Deal).order_by(Deal.id)).first()
            assert deal is not None
            deal.name = f"{deal.name} (renamed)"
        assert _stamp(workspace) != stamp


def _stamp(workspace: Workspace) -> object:
    with workspace.sessions() as session:
        return change_stamp(session, TABLES)


def test_the_pages_and_the_api_share_one_cache(db_url: str) -> None:
    with demo_workspace(db_url, scale=0.05) as workspace, make_client(db_url, workspace) as c:
        settled(workspace)
        assert c.get("/forecast").status_code == 200
        cache = c.app.state.analyses  # type: ignore[attr-defined]
        computed = cache.computed
        body = c.get("/api/v1/pipeline/forecast").json()
        assert cache.computed == computed  # the page's forecast served the API
        html = c.get("/forecast").text
        assert f"{body['simulations']:,}" in html


def test_a_raw_sql_edit_from_another_process_is_seen_by_the_next_request(db_url: str) -> None:
    """A stage renamed by raw SQL changes no count, id or ``updated_at``: the commit marker
    (SQLite's data_version, PostgreSQL's table write counters) still refreshes the stats."""
    with demo_workspace(db_url, scale=0.05) as workspace, make_client(db_url, workspace) as c:
        first = c.get("/api/v1/pipeline/stats").json()["stages"][0]["stage"]
        assert c.get("/api/v1/pipeline/stats").json()["stages"][0]["stage"] == first
        other = create_engine(db_url)  # another process's connection
        try:
            with other.begin() as conn:
                conn.execute(
                    text("UPDATE stages SET name = :new WHERE name = :old"),
                    {"new": f"{first} (renamed)", "old": first},
                )
        finally:
            other.dispose()
        # SQLite reports the commit at once; PostgreSQL publishes another backend's
        # counters when it goes idle (well within a few seconds).
        deadline = time.monotonic() + (0 if db_url.startswith("sqlite") else 10)
        while True:
            stage = c.get("/api/v1/pipeline/stats").json()["stages"][0]["stage"]
            if stage == f"{first} (renamed)" or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        assert stage == f"{first} (renamed)"
