"""Known answers: the pipeline and the forecast by avatar tier on a hand-made workspace
(seams/pipeline_tiers.py), the same document from the CLI and the REST API, the sections of
/pipeline and /forecast, and the refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.analytics.pipeline.groups import wilson
from buyermap.cli.app import app
from buyermap.errors import InvalidValueError
from buyermap.seams.pipeline import ForecastRequest, StatsRequest, pipeline_forecast
from buyermap.seams.pipeline_tiers import pipeline_forecast_by_tier, pipeline_stats_by_tier
from buyermap.services.workspace import Workspace
from tests.conftest import opened_workspace
from tests.factories import make_client
from tests.tiered import fill


def _rows(doc: Any) -> dict[str, Any]:
    return {r["tier"]: r for r in doc["by_tier"]}


def test_it_splits_outcomes_by_tier_with_known_answers(session: Session) -> None:
    fill(session)
    doc = pipeline_stats_by_tier(session, StatsRequest()).document.model_dump(mode="json")
    rows = _rows(doc)
    assert list(rows) == ["A", "B", "D", "not scored"]  # tiers in order, not scored last
    assert doc["avatar"] == {"name": "icp", "version": 1}
    a, b, d, none = rows["A"], rows["B"], rows["D"], rows["not scored"]
    assert (a["deals"], a["won"], a["lost"], a["open_deals"]) == (5, 3, 1, 1)
    assert a["win_rate"] == 0.75
    assert a["win_rate_interval"] == [0.3006, 0.9544]  # Wilson, 3 of 4
    assert a["median_cycle_days"] == 40.0
    assert a["cycle_deals"] == 3
    assert a["open_amount"] == 1000.0
    assert (b["won"], b["lost"], b["win_rate"], b["median_cycle_days"]) == (1, 3, 0.25, 20.0)
    assert b["open_amount"] == 2000.0
    assert (d["won"], d["lost"], d["win_rate"], d["median_cycle_days"]) == (0, 2, 0.0, None)
    assert d["win_rate_interval"][0] == 0.0
    assert (d["open_deals"], d["open_amount"]) == (0, 0.0)
    # the unscored account's deals and the deal without an account
    assert (none["deals"], none["won"], none["lost"], none["open_amount"]) == (3, 1, 1, 500.0)
    assert doc["horizon_days"] is None
    assert all(r["expected_bookings"] is None for r in doc["by_tier"])


def test_the_wilson_interval_matches_the_formula() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(3, 4) or (0.0, 1.0)
    assert round(low, 4) == 0.3006
    assert round(high, 4) == 0.9544
    low, high = wilson(50, 100) or (0.0, 1.0)
    assert round(low, 3) == 0.404  # the textbook example: 50 of 100
    assert round(high, 3) == 0.596


def test_the_tiers_expected_bookings_add_up_to_the_forecast(session: Session) -> None:
    book = fill(session)
    request = ForecastRequest(simulations=400, bootstrap=2, seed=1)
    forecast = pipeline_forecast(session, request).document
    by_tier = pipeline_forecast_by_tier(session, request).document
    rows = {r.tier: r for r in by_tier.by_tier}
    per_deal = {d.deal_id: d.expected for d in forecast.deals}
    for tier, ids in book.open_deals.items():
        assert rows[tier].expected_bookings == pytest.approx(
            sum(per_deal[i] for i in ids), abs=0.02
        )
    assert sum(r.expected_bookings or 0.0 for r in rows.values()) == pytest.approx(
        forecast.expected, abs=0.05
    )
    d = rows["D"]
    assert (d.expected_bookings, d.expected_bookings_interval) == (0.0, [0.0, 0.0])
    for r in rows.values():
        assert r.expected_bookings_interval is not None
        low, high = r.expected_bookings_interval
        assert 0.0 <= low <= (r.expected_bookings_p50 or 0.0) <= high <= r.open_amount
    assert by_tier.horizon_days == 90
    assert by_tier.as_of == forecast.as_of


def test_without_a_scored_avatar_every_deal_is_not_scored(session: Session) -> None:
    fill(session, scored=False)
    doc = pipeline_stats_by_tier(session, StatsRequest()).document
    assert doc.avatar is None
    assert [r.tier for r in doc.by_tier] == ["not scored"]
    assert doc.by_tier[0].deals == 15


def test_a_history_file_has_no_tiers(tmp_path: Any) -> None:
    from buyermap.seams.pipeline import HistorySource

    path = tmp_path / "h.csv"
    path.write_text("deal_id,stage,changed_at,amount\n1,Lead,2025-01-01,10\n")
    with pytest.raises(InvalidValueError, match="needs the workspace"):
        pipeline_stats_by_tier(None, StatsRequest(), source=HistorySource(path=path))


# -- the edges --------------------------------------------------------------------------------


@pytest.fixture
def filled(db_url: str) -> Iterator[tuple[str, Workspace]]:
    with opened_workspace(db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            fill(session)
        yield db_url, workspace


def _cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", url, "pipeline", *args])
    assert result.exit_code == 0, result.output
    return result


def _timeless(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _timeless(v) for k, v in doc.items() if k != "created_at"}
    if isinstance(doc, list):
        return [_timeless(v) for v in doc]
    return doc


def test_the_cli_and_the_api_give_the_same_by_tier_documents(
    filled: tuple[str, Workspace],
) -> None:
    url, workspace = filled
    args = ("--simulations", "300", "--bootstrap", "2", "--seed", "4")
    cli_forecast = json.loads(_cli(url, "forecast", "--by", "tier", *args, "--json").stdout)
    cli_stats = json.loads(_cli(url, "stats", "--by", "tier", "--json").stdout)
    with make_client(url, workspace) as client:
        params = {"simulations": 300, "bootstrap": 2, "seed": 4}
        api_forecast = client.get("/api/v1/pipeline/by-tier", params=params).json()
        api_stats = client.get("/api/v1/pipeline/by-tier", params={"forecast": "false"}).json()
        refused = client.get("/api/v1/pipeline/stats", params={"by": "tier"})
    assert _timeless(cli_forecast) == _timeless(api_forecast)
    assert _timeless(cli_stats) == _timeless(api_stats)
    assert [r["tier"] for r in api_forecast["by_tier"]] == ["A", "B", "D", "not scored"]
    assert api_forecast["by_tier"][0]["expected_bookings"] > 0
    assert refused.status_code == 422
    assert "/api/v1/pipeline/by-tier" in refused.text


def test_the_cli_table_says_the_tiers_in_words(filled: tuple[str, Workspace]) -> None:
    url, _ = filled
    out = " ".join(_cli(url, "stats", "--by", "tier").stdout.split())
    assert "tiers of the avatar 'icp' version 1" in out
    assert "75%" in out
    assert "not scored" in out


def test_the_forecast_refuses_another_breakdown(filled: tuple[str, Workspace]) -> None:
    url, _ = filled
    result = CliRunner().invoke(app, ["--db", url, "pipeline", "forecast", "--by", "owner"])
    assert result.exit_code == 2
    assert "breaks down by tier only, not 'owner'" in result.output


def test_the_pages_show_the_tiers_with_a_chart(filled: tuple[str, Workspace]) -> None:
    url, workspace = filled
    with make_client(url, workspace) as client:
        pipeline = client.get("/pipeline").text
        forecast = client.get("/forecast", params={"horizon_days": 60}).text
    for html in (pipeline, forecast):
        assert 'id="by-tier"' in html
        assert "By avatar tier" in html
        assert "“icp”" in html
        assert 'data-tier="not scored"' in html
        assert "<svg" in html.split('id="by-tier"')[1]
    assert "75% <span" in pipeline
    assert "Expected bookings in 60 days" in forecast


def test_the_pages_say_what_to_do_without_a_scored_avatar(db_url: str) -> None:
    with opened_workspace(db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            fill(session, scored=False)
        with make_client(db_url, workspace) as client:
            pages = [client.get("/pipeline").text, client.get("/forecast").text]
    for html in pages:
        section = html.split('id="by-tier"')[1].split("</section>")[0]
        assert "No avatar has scored the accounts yet" in section
        assert "buyermap avatar learn --save icp" in section
        assert "<svg" not in section
