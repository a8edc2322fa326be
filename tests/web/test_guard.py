"""The write guard, found from the route table: every route that changes data refuses a
read-only user with 403 and changes nothing, so routes added later are covered too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.base import Base
from buyermap.db.models import (
    Account,
    Contact,
    Deal,
    Note,
    PersonaRun,
    Pipeline,
    Stage,
    StageChange,
)
from buyermap.domain.enums import UserRole
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.deps import CurrentUser, computes_only, get_current_user, require_write
from tests.web.csrf_client import csrf_headers
from tests.web.factories import seed_sales

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BOB = CurrentUser(id=2, name="bob", role=UserRole.READ_ONLY, is_authenticated=True)

# Path parameter -> the table whose first row fills it, so that a write that got through
# would find its record and change it.
PARAM_MODELS: dict[str, type[Any]] = {
    "account_id": Account,
    "contact_id": Contact,
    "deal_id": Deal,
    "change_id": StageChange,
    "pipeline_id": Pipeline,
    "stage_id": Stage,
    "note_id": Note,
    "run_id": PersonaRun,
}


@dataclass(frozen=True)
class WriteRoute:
    method: str
    path: str
    calls: frozenset[Any]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def write_routes(app: FastAPI) -> list[WriteRoute]:
    """Every (method, path) of the app that may change data, with its dependency calls."""
    found = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if not isinstance(dependant, Dependant) or route.path is None:
            continue
        calls = frozenset(_calls(dependant))
        for method in sorted((route.methods or set()) & WRITE_METHODS):
            found.append(WriteRoute(method=method, path=route.path, calls=calls))
    return found


def unguarded(app: FastAPI) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in write_routes(app)
        if require_write not in r.calls and computes_only not in r.calls
    ]


@pytest.fixture
def app(sqlite_url: str) -> FastAPI:
    return create_app(Settings(database_url=sqlite_url))


def test_the_route_table_has_write_routes_of_the_api_and_of_pages(app: FastAPI) -> None:
    routes = {f"{r.method} {r.path}" for r in write_routes(app)}
    assert "DELETE /api/v1/accounts/{account_id}" in routes
    assert "PUT /api/v1/pipelines/{pipeline_id}/stages/order" in routes
    assert "POST /funnels" in routes  # pages are walked too
    assert len(routes) >= 27


def test_every_write_route_declares_the_write_guard(app: FastAPI) -> None:
    assert unguarded(app) == []


def test_a_write_route_added_without_the_guard_is_caught(app: FastAPI) -> None:
    def rename_everything() -> None:
        """A write route someone forgot to guard."""

    app.add_api_route("/api/v1/rename-everything", rename_everything, methods=["POST"])
    assert unguarded(app) == ["POST /api/v1/rename-everything"]


def _snapshot(workspace: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    with workspace.sessions() as session:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in session.execute(select(table))),
            )
            for table in Base.metadata.sorted_tables
        }


def _fill(path: str, workspace: Workspace) -> str:
    with workspace.sessions() as session:

        def first_id(match: re.Match[str]) -> str:
            model = PARAM_MODELS.get(match.group(1))
            if model is None:
                return "1"
            found = session.scalar(select(model.id).order_by(model.id).limit(1))
            return str(found if found is not None else 1)

        return re.sub(r"\{(\w+)(?::\w+)?\}", first_id, path)


def test_every_guarded_write_route_refuses_a_read_only_user_and_changes_nothing(
    db_url: str, workspace: Workspace
) -> None:
    with workspace.sessions() as session, session.begin():
        seed_sales(session)
    app = create_app(Settings(database_url=db_url), workspace=workspace)
    app.dependency_overrides[get_current_user] = lambda: BOB
    guarded = [r for r in write_routes(app) if require_write in r.calls]
    assert len(guarded) >= 25
    before = _snapshot(workspace)
    wrong = []
    with TestClient(app) as client:
        headers = csrf_headers(client)
        for route in guarded:
            url = _fill(route.path, workspace)
            if route.is_api:
                response = client.request(route.method, url, json={})
                ok = response.status_code == 403 and response.json() == {
                    "error": {
                        "code": "forbidden",
                        "message": "bob has read-only access and cannot change the workspace",
                        "details": {"role": "read_only", "needs": ["member", "owner"]},
                    }
                }
            else:
                response = client.request(route.method, url, data={}, headers=headers)
                ok = response.status_code == 403 and 'data-code="forbidden"' in response.text
            if not ok:
                wrong.append(f"{route.method} {url}: {response.status_code} {response.text[:120]}")
    assert wrong == []
    assert _snapshot(workspace) == before


def test_a_read_only_user_still_reads_and_computes(app: FastAPI) -> None:
    app.dependency_overrides[get_current_user] = lambda: BOB
    with TestClient(app) as client:
        assert client.get("/api/v1/accounts").status_code == 200
        refused = client.post("/api/v1/accounts", json={"name": "Umbrella"})
        assert refused.status_code == 403
        # a funnel only computes: refused for its missing file, not for the role
        funnel = client.post("/api/v1/funnels", json={"path": "nope.csv", "steps": ["a", "b"]})
        assert funnel.status_code == 400
        assert funnel.json()["error"]["code"] == "bad_event_file"
    app.dependency_overrides.clear()
    with TestClient(app) as client:
        assert client.post("/api/v1/accounts", json={"name": "Umbrella"}).status_code == 201


def test_members_may_write(app: FastAPI) -> None:
    member = CurrentUser(id=3, name="alice", role=UserRole.MEMBER, is_authenticated=True)
    app.dependency_overrides[get_current_user] = lambda: member
    with TestClient(app) as client:
        assert client.post("/api/v1/accounts", json={"name": "Umbrella"}).status_code == 201
