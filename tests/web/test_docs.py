"""Every route is documented, and the OpenAPI document carries tags and summaries."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from buyermap.settings import Settings
from buyermap.web.app import create_app

# Routes FastAPI adds itself (documented by FastAPI).
BUILT_IN = {"/openapi.json"}


def test_every_route_has_a_summary_and_a_description(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    undocumented = []
    api_routes = 0
    # FastAPI keeps included routers as nodes of app.routes; iter_route_contexts flattens them
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            api_routes += 1
            if not (route.summary and (route.description or route.endpoint.__doc__)):
                undocumented.append(context.path)
        elif isinstance(route, Mount):
            assert route.name == "static"
        elif isinstance(route, Route):
            assert context.path in BUILT_IN, f"unexpected route {context.path}"
        else:
            raise AssertionError(f"unexpected route {route!r}")
    assert api_routes >= 40  # every page and endpoint was looked at
    assert undocumented == []


def test_the_openapi_document_groups_the_api_by_tag(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    tags = {t["name"] for t in spec["tags"]}
    assert {"accounts", "contacts", "deals", "stage changes", "status"} <= tags
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert all(op.get("tags") and op.get("summary") for op in operations)
    assert all(p.startswith("/api/v1/") for p in spec["paths"]), "pages stay out of the API spec"
    assert "/api/v1/deals/{deal_id}/stage-changes" in spec["paths"]
    move = spec["paths"]["/api/v1/deals/{deal_id}/stage-changes"]["post"]
    body_ref = move["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "deal_id" not in spec["components"]["schemas"][body_ref.rsplit("/", 1)[1]]["properties"]
