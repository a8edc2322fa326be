"""Pages and API over deals with unknown opening dates and snapshot changes: "unknown" and
null, never a crash; NULLs sort last; the pipeline pages say what they left out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from tests.analytics.pipeline.dated import forecast_book, small_book


def _fill(workspace: Workspace) -> dict[str, int]:
    with workspace.sessions() as session, session.begin():
        return small_book(session)


def _row(html: str, deal_id: int) -> str:
    found = re.search(rf'<tr data-id="{deal_id}">(.*?)</tr>', html, re.S)
    assert found is not None, f"no row for deal {deal_id}"
    return found.group(1)


def test_the_deal_list_shows_unknown_opening_dates_and_sorts_them_last(
    client: TestClient, workspace: Workspace
) -> None:
    ids = _fill(workspace)
    html = client.get("/deals").text
    assert "unknown" in _row(html, ids["C"])
    assert "2025-02-05" in _row(html, ids["B"])
    for sort in ("opened_at", "-opened_at"):
        page = client.get("/deals", params={"sort": sort}).text
        order = [int(i) for i in re.findall(r'<tr data-id="(\d+)">', page)]
        unknown = {ids["C"], ids["D"], ids["E"]}
        assert set(order[-3:]) == unknown, sort


def test_the_account_page_shows_unknown_opening_dates(
    client: TestClient, workspace: Workspace
) -> None:
    ids = _fill(workspace)
    account_id = client.get(f"/api/v1/deals/{ids['A']}").json()["account_id"]
    html = client.get(f"/accounts/{account_id}").text
    assert "unknown" in _row(html, ids["D"])


def test_the_deal_page_marks_a_snapshot_stay(client: TestClient, workspace: Workspace) -> None:
    ids = _fill(workspace)
    html = client.get(f"/deals/{ids['E']}").text
    assert "<dt>Opened</dt><dd>unknown</dd>" in html
    assert (
        "in this stage since at least 2025-06-01; the file did not say when it moved here" in html
    )
    dated = client.get(f"/deals/{ids['A']}").text
    assert "the file did not say" not in dated


def test_the_api_gives_null_opening_dates_and_flags_snapshots(
    client: TestClient, workspace: Workspace
) -> None:
    ids = _fill(workspace)
    assert client.get(f"/api/v1/deals/{ids['C']}").json()["opened_at"] is None
    listed = client.get("/api/v1/deals", params={"sort": "-opened_at"}).json()
    assert [d["opened_at"] is None for d in listed["items"]][-3:] == [True] * 3
    timeline = client.get(f"/api/v1/deals/{ids['G']}/timeline").json()
    assert [(v["entered_known"], v["left_known"]) for v in timeline] == [
        (True, False),
        (False, True),
    ]
    changes = client.get(f"/api/v1/deals/{ids['G']}/stage-changes").json()["items"]
    assert [c["is_snapshot"] for c in changes] == [False, True]
    g = client.get(f"/api/v1/deals/{ids['G']}").json()
    assert (g["status"], g["closed_at"]) == ("lost", None)


def test_a_deal_made_in_the_app_is_opened_now(client: TestClient) -> None:
    made = client.post("/api/v1/deals", json={"name": "Fresh"}).json()
    assert made["opened_at"] is not None


def test_the_pipeline_page_and_api_say_what_they_left_out(
    client: TestClient, workspace: Workspace
) -> None:
    _fill(workspace)
    html = client.get("/pipeline").text
    assert "3 deals have no opening date: left out of cohorts and cycle times." in html
    assert "1 closed deal has no close date" in html
    body = client.get("/api/v1/pipeline/stats").json()
    assert body["left_out"] == {
        "opening_date_unknown": 3,
        "close_date_unknown": 1,
        "snapshot_stays": 2,
        "open_days_in_stage_unknown": 1,
        "future_dated": 0,
    }
    assert [c["month"] for c in body["cohorts"]] == ["2025-01", "2025-02", "2025-03", "2025-05"]


def test_the_forecast_page_and_api_count_open_snapshot_deals(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.sessions() as session, session.begin():
        forecast_book(session)
    params: dict[str, str | int] = {"as_of": "2025-06-30", "horizon_days": 30, "simulations": 200}
    body = client.get("/api/v1/pipeline/forecast", params=params).json()
    assert body["open_deals"] == 6
    assert body["evidence"]["left_out"]["open_days_in_stage_unknown"] == 4
    assert sorted(d["days_in_stage_known"] for d in body["deals"]) == [False] * 4 + [True] * 2
    html = client.get("/forecast", params={"as_of": "2025-06-30", "horizon_days": 30}).text
    assert "4 open deals are in its stage" not in html
    assert "4 open deals are in their stage at least since an import" in html
