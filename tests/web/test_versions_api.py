"""Record versions over REST: ETag on reads and saves, If-Match (or the body's version) on
saves and deletes, 409 with both values for a stale one (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient


def _created(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _account(client: TestClient) -> str:
    body = {"name": "Łódzkie Zakłady Włókiennicze", "country": "PL"}
    return f"/api/v1/accounts/{_created(client, '/api/v1/accounts', body)['id']}"


def _contact(client: TestClient) -> str:
    body = {"first_name": "Jiří", "last_name": "Dvořák", "job_title": "Nákupčí"}
    return f"/api/v1/contacts/{_created(client, '/api/v1/contacts', body)['id']}"


def _deal(client: TestClient) -> str:
    body = {"name": "Hafnarfjörður rollout", "amount": 125000, "currency": "ISK"}
    return f"/api/v1/deals/{_created(client, '/api/v1/deals', body)['id']}"


def _note(client: TestClient) -> str:
    account = _created(client, "/api/v1/accounts", {"name": "Győri Keksz Kft."})
    body = {"body": "Ügyfél kérte az árajánlatot", "kind": "call"}
    note = _created(client, f"/api/v1/accounts/{account['id']}/notes", body)
    return f"/api/v1/notes/{note['id']}"


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[TestClient], str]
    field: str
    mine: Any
    theirs: Any


KINDS = [
    Kind("account", _account, "industry", "Textil", "Tekstylia"),
    Kind("contact", _contact, "job_title", "Vedoucí nákupu", "Ředitelka financí"),
    Kind("deal", _deal, "name", "Hafnarfjörður fasi 2", "Hafnarfjörður áfangi 2"),
    Kind("note", _note, "body", "Ajánlat elküldve", "Ajánlat módosítva"),
]
BY_KIND = pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])


def _error(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


def _version(client: TestClient, path: str) -> int:
    version: int = client.get(path).json()["version"]
    return version


@BY_KIND
def test_a_read_and_a_save_answer_the_records_version_as_etag(
    client: TestClient, kind: Kind
) -> None:
    path = kind.make(client)
    read = client.get(path)
    version = read.json()["version"]
    assert read.headers["ETag"] == f'"{version}"'

    saved = client.patch(path, json={kind.field: kind.mine})
    assert saved.status_code == 200, saved.text
    assert saved.headers["ETag"] == f'"{version + 1}"'
    assert saved.json()["version"] == version + 1
    assert client.get(path).headers["ETag"] == f'"{version + 1}"'


@BY_KIND
@pytest.mark.parametrize("form", ['"{}"', 'W/"{}"', "{}", ' "{}" '])
def test_a_save_with_a_stale_if_match_is_refused_with_both_values(
    client: TestClient, kind: Kind, form: str
) -> None:
    path = kind.make(client)
    opened = _version(client, path)
    assert client.patch(path, json={kind.field: kind.theirs}).status_code == 200

    stale = client.patch(
        path, json={kind.field: kind.mine}, headers={"If-Match": form.format(opened)}
    )

    assert stale.status_code == 409, stale.text
    error = _error(stale)
    assert error["code"] == "conflict"
    assert error["details"]["version"] == opened + 1
    assert error["details"]["your_version"] == opened
    assert error["details"]["conflicts"] == [
        {"field": kind.field, "yours": kind.mine, "saved": kind.theirs}
    ]
    assert f"version {opened}" in error["message"]
    assert f"version {opened + 1}" in error["message"]
    assert client.get(path).json()[kind.field] == kind.theirs


@BY_KIND
def test_a_save_with_the_current_if_match_is_applied(client: TestClient, kind: Kind) -> None:
    path = kind.make(client)
    read = client.get(path)

    saved = client.patch(
        path, json={kind.field: kind.mine}, headers={"If-Match": read.headers["ETag"]}
    )

    assert saved.status_code == 200, saved.text
    assert saved.json()[kind.field] == kind.mine
    assert saved.headers["ETag"] == f'"{read.json()["version"] + 1}"'


@BY_KIND
def test_a_stale_version_in_the_body_is_refused_like_one_in_the_header(
    client: TestClient, kind: Kind
) -> None:
    path = kind.make(client)
    opened = _version(client, path)
    assert client.patch(path, json={kind.field: kind.theirs}).status_code == 200

    stale = client.patch(path, json={kind.field: kind.mine, "version": opened})

    assert stale.status_code == 409
    assert _error(stale)["details"]["your_version"] == opened
    assert client.get(path).json()[kind.field] == kind.theirs


def test_a_save_without_any_version_is_applied_over_newer_saves(client: TestClient) -> None:
    path = _account(client)
    for industry in ("Textil", "Tekstylia", "Włókiennictwo"):
        assert client.patch(path, json={"industry": industry}).status_code == 200
    assert client.get(path).json()["industry"] == "Włókiennictwo"
    assert client.get(path).headers["ETag"] == '"4"'


def test_a_header_and_a_body_that_disagree_are_refused_naming_both(client: TestClient) -> None:
    path = _account(client)

    response = client.patch(
        path, json={"industry": "Textil", "version": 1}, headers={"If-Match": '"2"'}
    )

    assert response.status_code == 422
    error = _error(response)
    assert "If-Match says version 2" in error["message"]
    assert "body's version is 1" in error["message"]
    assert error["details"] == {"field": "version", "if_match": 2, "version": 1}
    assert client.get(path).json()["industry"] is None


def test_a_header_and_a_body_with_the_same_version_are_applied(client: TestClient) -> None:
    path = _account(client)
    saved = client.patch(path, json={"industry": "Textil", "version": 1}, headers={"If-Match": "1"})
    assert saved.status_code == 200, saved.text


@pytest.mark.parametrize("header", ['"zwei"', '"1', "W/1", "0", "1.5", '"99999999999"', "ő"])
def test_a_malformed_if_match_is_refused_naming_it_and_the_valid_form(
    client: TestClient, header: str
) -> None:
    path = _account(client)

    response = client.patch(
        path, json={"industry": "Textil"}, headers={b"If-Match": header.encode("utf-8")}
    )

    assert response.status_code == 422, response.text
    error = _error(response)
    assert error["details"]["field"] == "If-Match"
    assert 'send a record version as "3", W/"3" or 3' in error["message"]
    assert repr(error["details"]["value"]) in error["message"]
    assert client.get(path).json()["industry"] is None


def test_an_if_match_star_saves_whatever_the_version(client: TestClient) -> None:
    path = _account(client)
    client.patch(path, json={"industry": "Tekstylia"})
    saved = client.patch(path, json={"industry": "Textil"}, headers={"If-Match": "*"})
    assert saved.status_code == 200
    assert saved.json()["industry"] == "Textil"


@BY_KIND
def test_a_delete_with_a_stale_if_match_is_refused_and_keeps_the_record(
    client: TestClient, kind: Kind
) -> None:
    path = kind.make(client)
    opened = _version(client, path)
    assert client.patch(path, json={kind.field: kind.theirs}).status_code == 200

    refused = client.delete(path, headers={"If-Match": f'"{opened}"'})

    assert refused.status_code == 409, refused.text
    error = _error(refused)
    assert (error["details"]["version"], error["details"]["your_version"]) == (opened + 1, opened)
    assert "not deleted" in error["message"]
    assert client.get(path).status_code == 200


@BY_KIND
def test_a_delete_with_the_current_if_match_or_none_deletes(client: TestClient, kind: Kind) -> None:
    current, blind = kind.make(client), kind.make(client)
    etag = client.get(current).headers["ETag"]

    assert client.delete(current, headers={"If-Match": etag}).status_code in (200, 204)
    assert client.delete(blind).status_code in (200, 204)

    assert client.get(current).status_code == 404
    assert client.get(blind).status_code == 404


def test_the_spec_documents_if_match_etag_and_the_conflict(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/accounts/{account_id}",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/deals/{deal_id}",
        "/api/v1/notes/{note_id}",
    ):
        operations = paths[path]
        assert "ETag" in operations["get"]["responses"]["200"]["headers"], path
        assert "ETag" in operations["patch"]["responses"]["200"]["headers"], path
        for method in ("patch", "delete"):
            headers = [p["name"] for p in operations[method]["parameters"] if p["in"] == "header"]
            assert headers == ["If-Match"], (path, method)
            conflict = operations[method]["responses"]["409"]
            assert "your_version" in conflict["description"]
            assert conflict["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }


def test_a_body_reference_to_no_record_is_a_422_naming_the_field_and_id(
    client: TestClient,
) -> None:
    parent = client.post("/api/v1/accounts", json={"name": "Reykjavík Orka", "parent_id": 987654})
    contact = client.post(
        "/api/v1/contacts",
        json={"first_name": "Aino", "last_name": "Mäkinen", "account_id": 987654},
    )
    for response, field in ((parent, "parent_id"), (contact, "account_id")):
        assert response.status_code == 422, response.text
        error = _error(response)
        assert error["details"] == {"field": field, "value": 987654}
        assert f"{field}: no account with id 987654" in error["message"]
    assert client.get("/api/v1/contacts").json()["total"] == 0
