"""The pipeline seam: the CLI's ``--json`` and the REST API give the same document for the
same request, and the app's cache follows the workspace's change stamp."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.seams.cache import ResultCache
from tests.factories import Both, demo_behind_app


@pytest.fixture(scope="module")
def both(module_db_url: str) -> Iterator[Both]:
    """A small demo workspace behind an app; the CLI reads the same database."""
    with demo_behind_app(module_db_url, scale=0.1) as both:
        yield both


def _timeless(doc: Any) -> Any:
    """The document without ``provenance.created_at`` (the moment it was computed)."""
    if isinstance(doc, dict):
        return {k: _timeless(v) for k, v in doc.items() if k != "created_at"}
    if isinstance(doc, list):
        return [_timeless(v) for v in doc]
    return doc


def _cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", url, "pipeline", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _api(client: TestClient, path: str, params: dict[str, Any]) -> Any:
    response = client.get(f"/api/v1/pipeline/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_forecast_is_the_same_document_from_the_cli_and_the_api(both: Both) -> None:
    cli = _cli(
        both.url,
        "forecast",
        *("--as-of", "2026-09-30", "--horizon-days", "60"),
        *("--simulations", "800", "--seed", "3"),
    )
    api = _api(
        both.client,
        "forecast",
        {"as_of": "2026-09-30", "horizon_days": 60, "simulations": 800, "seed": 3},
    )
    assert _timeless(cli) == _timeless(api)
    assert api["p10"] == cli["p10"]
    fan = api["fan"]
    assert fan["as_of"] == "2026-09-30"
    assert fan["horizon_days"] == 60
    assert fan["provenance"]["analysis"] == "pipeline.fan"


def test_the_forecast_defaults_are_the_same_at_both_edges(both: Both) -> None:
    cli = _cli(both.url, "forecast", "--horizon-days", "30")
    api = _api(both.client, "forecast", {"horizon_days": 30})
    assert (api["simulations"], api["bootstrap"]) == (10_000, 20)
    assert _timeless(cli) == _timeless(api)


def test_the_stats_are_the_same_document_from_the_cli_and_the_api(both: Both) -> None:
    cli = _cli(both.url, "stats", "--by", "owner", "--as-of", "2026-06-30")
    api = _api(both.client, "stats", {"by": "owner", "as_of": "2026-06-30"})
    assert _timeless(cli) == _timeless(api)
    assert list(api["breakdowns"]) == ["owner"]


def test_the_backtest_is_the_same_document_from_the_cli_and_the_api(both: Both) -> None:
    cli = _cli(both.url, "backtest", "--horizon-days", "60", "--simulations", "100")
    api = _api(both.client, "backtest", {"horizon_days": 60, "simulations": 100})
    assert _timeless(cli) == _timeless(api)
    assert api["simulations"] == 100
    assert api["origins"]


def test_a_persona_breakdown_without_a_run_is_refused_alike(both: Both) -> None:
    result = CliRunner().invoke(app, ["--db", both.url, "pipeline", "stats", "--by", "persona"])
    assert result.exit_code != 0
    assert "no persona run" in result.output
    response = both.client.get("/api/v1/pipeline/stats", params={"by": "persona"})
    assert response.status_code == 422
    assert "no persona run" in response.json()["error"]["message"]


def test_the_cache_lives_on_the_app_and_serves_a_repeat_without_computing(both: Both) -> None:
    params = {"horizon_days": 45, "simulations": 200}
    first = _api(both.client, "forecast", params)
    cache = both.client.app.state.analyses  # type: ignore[attr-defined]
    assert isinstance(cache, ResultCache)
    computed = cache.computed
    again = _api(both.client, "forecast", params)
    assert cache.computed == computed
    assert again == first  # the very same document, created_at included
