"""The OpenAPI spec documents what the API answers: statuses, media types, Allow on 405."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/v1/pipeline/stats.xlsx", XLSX),
        ("/api/v1/pipeline/stats.png", "image/png"),
        ("/api/v1/pipeline/forecast.xlsx", XLSX),
        ("/api/v1/pipeline/backtest.png", "image/png"),
        ("/api/v1/personas/{key}/card.pdf", "application/pdf"),
        ("/api/v1/personas/{key}/card.png", "image/png"),
        ("/api/v1/personas/{key}/contacts.xlsx", XLSX),
        ("/api/v1/personas/{key}/contacts.csv", "text/csv"),
    ],
)
def test_downloads_are_documented_with_their_media_type(
    spec: dict[str, Any], path: str, media: str
) -> None:
    assert list(spec["paths"][path]["get"]["responses"]["200"]["content"]) == [media]


def test_every_api_operation_documents_the_error_shape_for_422_and_404(
    spec: dict[str, Any],
) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in ("404", "422"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)


def test_output_date_times_carry_their_offset(client: TestClient) -> None:
    created = client.post("/api/v1/accounts", json={"name": "Acme"}).json()
    assert created["created_at"].endswith("Z")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/accounts", "GET, POST"),
        ("POST", "/api/v1/accounts/1", "DELETE, GET, PATCH"),
        ("DELETE", "/api/v1/deals/1/stage-changes", "GET, POST"),
    ],
)
def test_a_wrong_method_answers_405_with_every_allowed_method(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert allowed in response.json()["error"]["message"]
