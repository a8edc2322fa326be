"""One bad record must not break the workspace's analytics (issue 8, section 3).

Records with impossible dates can reach the database by ways other than the API (an old
import, a direct SQL fix); the analytics skip them and say so instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.models import Deal, Stage, StageChange
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace, make_client


@pytest.fixture
def demo(db_url: str) -> Iterator[tuple[TestClient, Workspace]]:
    with demo_workspace(db_url, scale=0.05) as workspace, make_client(db_url, workspace) as client:
        yield client, workspace


def _add_deal_opened(workspace: Workspace, when: datetime) -> None:
    with workspace.sessions() as session, session.begin():
        template = session.scalars(select(Deal).order_by(Deal.id)).first()
        assert template is not None
        lead = session.scalars(
            select(Stage).where(Stage.pipeline_id == template.pipeline_id).order_by(Stage.position)
        ).first()
        assert lead is not None
        deal = Deal(
            name="From the far future",
            pipeline_id=template.pipeline_id,
            amount=5000.0,
            currency="USD",
            opened_at=when,
            stage_id=lead.id,
            status="open",
        )
        session.add(deal)
        session.flush()
        session.add(StageChange(deal_id=deal.id, to_stage_id=lead.id, changed_at=when))


def _move_one_deal_to(workspace: Workspace, when: datetime) -> None:
    with workspace.sessions() as session, session.begin():
        change = session.scalars(
            select(StageChange).order_by(StageChange.changed_at.desc(), StageChange.id)
        ).first()
        assert change is not None
        session.add(
            StageChange(deal_id=change.deal_id, to_stage_id=change.to_stage_id, changed_at=when)
        )


ANALYSES = ["/api/v1/pipeline/stats", "/api/v1/pipeline/forecast?simulations=200"]


@pytest.mark.parametrize("path", ANALYSES)
def test_a_deal_opened_in_year_9999_does_not_break_the_analysis(
    demo: tuple[TestClient, Workspace], path: str
) -> None:
    client, workspace = demo
    before = client.get(path)
    assert before.status_code == 200
    _add_deal_opened(workspace, datetime(9999, 12, 31, 12))
    after = client.get(path)
    assert after.status_code == 200, after.text
    assert after.json()["as_of"] == before.json()["as_of"]


def test_a_deal_opened_in_year_9999_does_not_break_the_pages(
    demo: tuple[TestClient, Workspace],
) -> None:
    client, workspace = demo
    _add_deal_opened(workspace, datetime(9999, 12, 31, 12))
    for page in ("/pipeline", "/forecast"):
        assert client.get(page).status_code == 200, page


def test_a_stage_change_dated_2100_does_not_move_the_default_as_of_date(
    demo: tuple[TestClient, Workspace],
) -> None:
    client, workspace = demo
    path = "/api/v1/pipeline/forecast?simulations=300&seed=3"
    before = client.get(path).json()
    _move_one_deal_to(workspace, datetime(2100, 1, 1))
    after = client.get(path).json()
    assert after["as_of"] == before["as_of"]
    assert after["expected"] == pytest.approx(before["expected"], rel=0.05)
    stats = client.get("/api/v1/pipeline/stats").json()
    assert stats["as_of"] == before["as_of"]
    # ... and the analyses say they left it out
    assert before["evidence"]["left_out"]["future_dated"] == 0
    assert after["evidence"]["left_out"]["future_dated"] == 1
    assert stats["left_out"]["future_dated"] == 1
    assert "dated in the future" in client.get("/pipeline").text


def test_a_forecast_too_heavy_to_answer_is_refused(demo: tuple[TestClient, Workspace]) -> None:
    client, _ = demo
    response = client.get(
        "/api/v1/pipeline/forecast", params={"simulations": 100_000, "horizon_days": 730}
    )
    assert response.status_code == 422, response.text
    assert "at most 20,000,000" in response.json()["error"]["message"]
