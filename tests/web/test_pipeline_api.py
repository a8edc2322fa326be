"""``/api/v1/pipeline/...``: JSON bodies, Excel and PNG downloads, the one error shape."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web.test_pipeline_pages import DemoApp, demo_app

__all__ = ["demo_app"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_stats_answer_the_cli_json_shape(demo_app: DemoApp) -> None:
    body = demo_app.client.get("/api/v1/pipeline/stats").json()
    assert body["as_of"] == demo_app.latest_change
    assert body["stages"][0]["stage"] == "Lead"
    assert set(body["breakdowns"]) == {"segment", "owner", "source"}
    assert body["stale"]["count"] >= len(body["stale"]["deals"]) > 0
    assert body["provenance"]["analysis"] == "pipeline.stats"


def test_stats_by_one_column_keep_only_that_breakdown(demo_app: DemoApp) -> None:
    body = demo_app.client.get("/api/v1/pipeline/stats", params={"by": "owner"}).json()
    assert list(body["breakdowns"]) == ["owner"]


def test_an_unknown_breakdown_gets_the_api_error_shape(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/api/v1/pipeline/stats", params={"by": "planet"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["valid"] == ["segment", "owner", "source"]


def test_the_forecast_has_an_interval_and_a_fan(demo_app: DemoApp) -> None:
    body = demo_app.client.get(
        "/api/v1/pipeline/forecast",
        params={"as_of": "2026-09-30", "horizon_days": 60, "simulations": 500},
    ).json()
    assert body["as_of"] == "2026-09-30"
    assert body["simulations"] == 500
    assert body["p10"] <= body["expected"] <= body["p90"]
    assert body["with_new_deals"]["expected"] >= body["expected"]
    fan = body["fan"]
    assert fan["days"][-1] == 60
    assert fan["open_pipeline"]["expected"][-1] == round(body["expected"], 2)


def test_forecast_parameters_are_validated(demo_app: DemoApp) -> None:
    bad = demo_app.client.get("/api/v1/pipeline/forecast", params={"horizon_days": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"][0]["field"] == "horizon_days"
    early = demo_app.client.get("/api/v1/pipeline/forecast", params={"as_of": "2020-01-01"})
    assert early.status_code == 422
    assert "too little history" in early.json()["error"]["message"]


def test_the_backtest_lists_origins_and_scores(demo_app: DemoApp) -> None:
    body = demo_app.client.get("/api/v1/pipeline/backtest").json()
    assert body["summary"]["origins"] == len(body["origins"]) >= 3
    assert {"mape", "bias", "coverage_p10_p90"} <= set(body["summary"]["model"])


def test_stats_download_as_excel_one_sheet_per_table(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/api/v1/pipeline/stats.xlsx")
    assert response.headers["content-type"] == XLSX
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Stages", "Cohorts", "Losses", "Stale deals",
        "By segment", "By owner", "By source", "About",
    ]  # fmt: skip
    stages = book["Stages"]
    assert stages.cell(1, 1).value == "stage"
    assert stages.cell(2, 1).value == "Lead"


def test_the_forecast_downloads_as_excel(demo_app: DemoApp) -> None:
    response = demo_app.client.get("/api/v1/pipeline/forecast.xlsx", params={"horizon_days": 30})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary", "Fan by week", "Open deals", "At risk", "Backtest", "About",
    ]  # fmt: skip
    assert book["Fan by week"].cell(book["Fan by week"].max_row, 1).value == 30


def test_charts_download_as_png(demo_app: DemoApp) -> None:
    for path, params in (
        ("/api/v1/pipeline/stats.png", {"chart": "cohorts"}),
        ("/api/v1/pipeline/forecast.png", {"chart": "fan"}),
        ("/api/v1/pipeline/forecast.png", {"chart": "interval"}),
        ("/api/v1/pipeline/backtest.png", {}),
    ):
        response = demo_app.client.get(path, params=params)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "image/png"
        assert response.content[:4] == b"\x89PNG"
    bad = demo_app.client.get("/api/v1/pipeline/stats.png", params={"chart": "pie"})
    assert bad.status_code == 422


def test_an_empty_workspace_gets_a_clear_error(client: TestClient) -> None:
    response = client.get("/api/v1/pipeline/stats")
    assert response.status_code == 422
    assert "no stage changes yet" in response.json()["error"]["message"]
