"""``/api/v1/{accounts,contacts,deals}/{id}/notes`` and ``/api/v1/notes/{id}`` on SQLite
and PostgreSQL: create, list, read, update, delete, and every limit refused with 422."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.db.models import Note
from buyermap.services.workspace import Workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
PARENTS = ["accounts", "contacts", "deals"]
PARAM = re.compile(r"\{\w+\}")


def _parent(client: TestClient, kind: str) -> int:
    body: dict[str, Any] = {
        "accounts": {"name": "Acme Corp"},
        "contacts": {"first_name": "Ada", "last_name": "Lovelace"},
        "deals": {"name": "Acme platform"},
    }[kind]
    response = client.post(f"/api/v1/{kind}", json=body)
    assert response.status_code == 201, response.text
    identifier: int = response.json()["id"]
    return identifier


def _errors(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["error"]["details"]["errors"]]


@pytest.mark.parametrize("kind", PARENTS)
def test_a_note_added_to_a_record_is_listed_read_and_stored(
    client: TestClient, workspace: Workspace, kind: str
) -> None:
    parent = _parent(client, kind)
    link = f"{kind[:-1]}_id"
    created = client.post(
        f"/api/v1/{kind}/{parent}/notes",
        json={
            "kind": "interview",
            "title": "Discovery interview",
            "body": "They choose by total cost over three years.",
            "occurred_at": "2026-02-03T10:00:00+01:00",
            "source": "zoom",
            "tags": ["pricing", "tco"],
        },
    )
    assert created.status_code == 201, created.text
    note = created.json()
    assert note[link] == parent
    assert {k: v for k, v in note.items() if k.endswith("_id") and k != link} == {
        k: None for k in ("account_id", "contact_id", "deal_id") if k != link
    }
    assert note["occurred_at"].startswith("2026-02-03T09:00:00")  # stored as UTC
    assert client.get(f"/api/v1/notes/{note['id']}").json() == note
    listed = client.get(f"/api/v1/{kind}/{parent}/notes").json()
    assert listed["total"] == 1
    assert listed["items"] == [note]
    with workspace.sessions() as session:
        stored = session.scalars(select(Note)).one()
        assert (stored.kind, stored.tags, getattr(stored, link)) == (
            "interview",
            ["pricing", "tco"],
            parent,
        )


def test_a_note_without_a_date_is_dated_now(client: TestClient) -> None:
    account = _parent(client, "accounts")
    note = client.post(f"/api/v1/accounts/{account}/notes", json={"body": "Call back"}).json()
    assert note["kind"] == "note"
    assert note["tags"] == []
    assert note["title"] is None
    assert note["occurred_at"][:4] >= "2026"


def test_notes_are_listed_newest_first_filtered_by_kind_searched_and_paged(
    client: TestClient,
) -> None:
    deal = _parent(client, "deals")
    other = _parent(client, "deals")
    for day, kind, body in [
        (1, "call", "first call"),
        (3, "interview", "budget interview"),
        (2, "note", "budget note"),
    ]:
        client.post(
            f"/api/v1/deals/{deal}/notes",
            json={"kind": kind, "body": body, "occurred_at": f"2026-03-0{day}T12:00:00Z"},
        )
    client.post(f"/api/v1/deals/{other}/notes", json={"body": "elsewhere"})
    url = f"/api/v1/deals/{deal}/notes"
    assert [n["body"] for n in client.get(url).json()["items"]] == [
        "budget interview",
        "budget note",
        "first call",
    ]
    interviews = client.get(url, params={"kind": "interview"}).json()
    assert [n["body"] for n in interviews["items"]] == ["budget interview"]
    found = client.get(url, params={"q": "BUDGET", "sort": "occurred_at"}).json()
    assert [n["body"] for n in found["items"]] == ["budget note", "budget interview"]
    paged = client.get(url, params={"page": 2, "page_size": 2}).json()
    assert (paged["total"], [n["body"] for n in paged["items"]]) == (3, ["first call"])
    assert client.get(url, params={"kind": "gossip"}).status_code == 422


def test_a_patch_changes_only_the_fields_given(client: TestClient) -> None:
    contact = _parent(client, "contacts")
    note = client.post(
        f"/api/v1/contacts/{contact}/notes",
        json={"body": "Prefers email", "title": "Channel", "source": "crm", "tags": ["a"]},
    ).json()
    changed = client.patch(
        f"/api/v1/notes/{note['id']}", json={"title": None, "tags": ["a", "b"], "kind": "email"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **note,
        "title": None,
        "tags": ["a", "b"],
        "kind": "email",
        "version": note["version"] + 1,
    }
    assert client.get(f"/api/v1/notes/{note['id']}").json() == changed.json()


@pytest.mark.parametrize("field", ["body", "kind", "occurred_at", "tags"])
def test_a_patch_cannot_null_a_required_field(client: TestClient, field: str) -> None:
    account = _parent(client, "accounts")
    note = client.post(f"/api/v1/accounts/{account}/notes", json={"body": "x"}).json()
    assert _errors(client.patch(f"/api/v1/notes/{note['id']}", json={field: None})) == [field]
    assert client.get(f"/api/v1/notes/{note['id']}").json() == note


def test_deleting_a_note_keeps_its_record(client: TestClient) -> None:
    account = _parent(client, "accounts")
    note = client.post(f"/api/v1/accounts/{account}/notes", json={"body": "x"}).json()
    assert client.delete(f"/api/v1/notes/{note['id']}").status_code == 204
    assert client.get(f"/api/v1/notes/{note['id']}").status_code == 404
    assert client.get(f"/api/v1/accounts/{account}").status_code == 200
    assert client.get(f"/api/v1/accounts/{account}/notes").json()["total"] == 0


@pytest.mark.parametrize("kind", PARENTS)
def test_notes_of_a_missing_record_are_not_found(client: TestClient, kind: str) -> None:
    listed = client.get(f"/api/v1/{kind}/999/notes")
    assert listed.status_code == 404
    assert listed.json()["error"]["message"] == f"no {kind[:-1]} with id 999"
    added = client.post(f"/api/v1/{kind}/999/notes", json={"body": "x"})
    assert added.status_code == 404
    assert added.json()["error"]["details"] == {"field": f"{kind[:-1]}_id", "id": 999}
    assert client.get("/api/v1/notes/999").status_code == 404
    assert client.patch("/api/v1/notes/999", json={"body": "y"}).status_code == 404
    assert client.delete("/api/v1/notes/999").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 100_001}, "body"),
        ({"body": "x", "title": "t" * 301}, "title"),
        ({"body": "x", "source": "s" * 121}, "source"),
        ({"body": "x", "tags": ["t"] * 51}, "tags"),
        ({"body": "x", "tags": ["ok", "t" * 61]}, "tags.1"),
        ({"body": "x", "tags": [""]}, "tags.0"),
        ({"body": "x", "kind": "gossip"}, "kind"),
        ({"body": "nul \x00 byte"}, "body"),
        ('{"body": "x", "title": "lone \\ud800 surrogate"}', "title"),  # raw JSON
        ({"body": "x", "occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
        ({"body": "x", "occurred_at": "9999-12-31T00:00:00Z"}, "occurred_at"),
        ({"body": "x", "occurred_at": "yesterday"}, "occurred_at"),
        ({"body": None}, "body"),
        ({}, "body"),
    ],
)
def test_a_note_past_a_limit_is_refused_naming_the_field(
    client: TestClient, workspace: Workspace, body: dict[str, Any] | str, field: str
) -> None:
    account = _parent(client, "accounts")
    url = f"/api/v1/accounts/{account}/notes"
    if isinstance(body, str):
        sent = client.post(url, content=body, headers={"content-type": "application/json"})
    else:
        sent = client.post(url, json=body)
    assert _errors(sent) == [field]
    with workspace.sessions() as session:
        assert session.scalars(select(Note)).all() == []


def test_a_note_at_the_limits_is_stored(client: TestClient) -> None:
    account = _parent(client, "accounts")
    body = {
        "body": "x" * 100_000,
        "title": "t" * 300,
        "source": "s" * 120,
        "tags": [f"{i:02d}" + "t" * 58 for i in range(50)],
        "occurred_at": "2100-12-31T23:00:00Z",
    }
    response = client.post(f"/api/v1/accounts/{account}/notes", json=body)
    assert response.status_code == 201, response.text[:200]
    assert len(response.json()["body"]) == 100_000


def test_every_notes_route_is_documented_in_web_md(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}"))
    docs = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    routes = [
        f"{method} {PARAM.sub('{id}', route.path)}"
        for route in iter_route_contexts(app.routes)
        if route.path is not None and "/notes" in route.path
        for method in sorted(route.methods or ())
    ]
    assert len(routes) == 9
    assert [r for r in routes if r not in docs] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/notes/{big}"),
        ("PATCH", "/api/v1/notes/{big}"),
        ("DELETE", "/api/v1/notes/{big}"),
        ("GET", "/api/v1/accounts/{big}/notes"),
        ("POST", "/api/v1/contacts/{big}/notes"),
        ("GET", "/api/v1/deals/0/notes"),
    ],
)
def test_an_id_no_database_can_hold_is_refused_not_a_server_error(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path.format(big=2**63), json={"body": "x"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
