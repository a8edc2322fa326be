"""The funnel seam: ``buyermap funnel --json`` and ``POST /api/v1/funnels`` give the same
document for the same request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.seams.funnels import FunnelRequest
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app

EVENTS = """user_id,event,ts,plan
u1,visit,2026-01-01T00:00:00,free
u1,signup,2026-01-02T00:00:00,free
u1,buy,2026-01-03T00:00:00,free
u2,visit,2026-01-01T00:00:00,pro
u2,signup,2026-01-20T00:00:00,pro
u3,visit,2026-01-05T00:00:00,pro
u3,signup,2026-01-06T00:00:00,pro
"""


def _timeless(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _timeless(v) for k, v in doc.items() if k != "created_at"}
    if isinstance(doc, list):
        return [_timeless(v) for v in doc]
    return doc


def test_the_funnel_is_the_same_document_from_the_cli_and_the_api(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    done = CliRunner().invoke(
        app,
        [
            *("--db", str(tmp_path / "ws.db"), "funnel"),
            *("--events", str(tmp_path / "events.csv"), "--steps", "visit,signup,buy"),
            *("--window", "7d", "--by", "plan", "--json"),
        ],
    )
    assert done.exit_code == 0, done.output
    cli = json.loads(done.stdout)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", files_root=tmp_path)
    with TestClient(create_app(settings, workspace=open_workspace(settings))) as client:
        response = client.post(
            "/api/v1/funnels",
            json={
                "path": "events.csv",
                "steps": ["visit", "signup", "buy"],
                "window": "7d",
                "by": "plan",
            },
        )
    assert response.status_code == 200, response.text
    api = response.json()
    assert _timeless(cli) == _timeless(api)
    assert api["counts"] == [3, 2, 1]  # u2 signed up after the window


def test_the_request_builds_the_query_with_blanks_dropped() -> None:
    query = FunnelRequest(
        steps=[" visit", "buy "], exclude=["", "churn"], by=" ", window="2w"
    ).to_query()
    assert query.steps == ("visit", "buy")
    assert query.exclude == ("churn",)
    assert query.by is None
    assert query.window_seconds == 14 * 86_400
