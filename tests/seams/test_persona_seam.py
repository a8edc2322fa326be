"""The personas seam: ``buyermap personas discover --json`` and
``POST /api/v1/personas/discover`` give the same document for the same settings, refuse
alike, and the app caches the persona reads per change stamp."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.seams.cache import ResultCache
from buyermap.seams.personas import DiscoverRequest
from tests.conftest import opened_workspace
from tests.factories import Both, make_client, settled
from tests.web.persona_factory import seed_personas

SETTINGS = {"k": 3, "restarts": 3, "bootstrap": 3, "seed": 1, "exclude": ["job_title"]}
FLAGS = ["--k", "3", "--restarts", "3", "--bootstrap", "3", "--seed", "1", "--exclude", "job_title"]


@pytest.fixture(scope="module")
def both(module_db_url: str) -> Iterator[Both]:
    """The planted persona contacts (no run yet) behind an app; the CLI reads the same
    database."""
    with opened_workspace(module_db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            seed_personas(session)
        with make_client(module_db_url, workspace) as client:
            yield Both(url=module_db_url, client=client, workspace=workspace)


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without what must differ: the moment it was computed, the run's key."""
    provenance = {k: v for k, v in doc["provenance"].items() if k != "created_at"}
    return {k: v for k, v in doc.items() if k != "run"} | {"provenance": provenance}


def _cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, "personas", "discover", *args])


def test_discovery_is_the_same_document_from_the_cli_and_the_api(both: Both) -> None:
    done = _cli(both.url, *FLAGS, "--json")
    assert done.exit_code == 0, done.output
    cli = json.loads(done.stdout)
    response = both.client.post("/api/v1/personas/discover", json=SETTINGS)
    assert response.status_code == 201, response.text
    api = response.json()
    assert _comparable(cli) == _comparable(api)
    assert cli["k"] == api["k"] == 3
    assert cli["settings"]["n_init"] == 3  # the REST name ``restarts`` is the query's n_init
    assert cli["run"]["id"] != api["run"]["id"]
    for doc in (cli, api):
        assert doc["run"]["path"] is None
        assert doc["run"]["active"]
        assert doc["buckets"] is None
    # the API's run is now the active one
    assert both.client.get("/api/v1/personas").json()["run"]["run_key"] == api["run"]["id"]


def test_a_bad_setting_is_refused_alike_naming_the_field(both: Both) -> None:
    done = _cli(both.url, "--k", "0")
    assert done.exit_code == 2
    assert "k: Input should be greater than or equal to 1" in done.output
    response = both.client.post("/api/v1/personas/discover", json={"k": 0})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["errors"][0]["field"] == "k"
    unknown = both.client.post("/api/v1/personas/discover", json={"n_init": 3})
    assert unknown.status_code == 422


def test_the_cli_accepts_auto_as_the_api_accepts_null() -> None:
    assert DiscoverRequest.model_validate({"k": "auto"}) == DiscoverRequest(k=None)
    assert DiscoverRequest.model_validate({"k": "4"}).to_query().k == 4


def test_too_few_contacts_are_refused_alike(db_url: str) -> None:
    done = _cli(db_url, "--json")
    assert done.exit_code == 2
    with opened_workspace(db_url) as workspace, make_client(db_url, workspace) as client:
        response = client.post("/api/v1/personas/discover", json={})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "insufficient_evidence"
    assert "the input has 0" in error["message"]
    assert " ".join(error["message"].split()) in " ".join(done.stderr.split())


def test_the_persona_reads_are_cached_until_a_write(both: Both) -> None:
    while len(both.client.get("/api/v1/personas/runs").json()) < 2:
        assert both.client.post("/api/v1/personas/discover", json=SETTINGS).status_code == 201
    settled(both.workspace)
    first = both.client.get("/api/v1/personas").json()
    key = first["personas"][0]["key"]
    card = both.client.get(f"/api/v1/personas/{key}").json()
    cache = both.client.app.state.analyses  # type: ignore[attr-defined]
    assert isinstance(cache, ResultCache)
    computed = cache.computed
    assert both.client.get("/api/v1/personas").json() == first
    assert both.client.get(f"/api/v1/personas/{key}").json() == card
    assert cache.computed == computed
    run = first["run"]["run_key"]
    other = both.client.get("/api/v1/personas/runs").json()[-1]["run_key"]
    assert other != run
    both.client.post(f"/api/v1/personas/runs/{other}/activate")
    assert both.client.get("/api/v1/personas").json()["run"]["run_key"] == other


def test_a_persona_card_is_the_same_document_from_the_cli_the_api_and_the_page(
    both: Both,
) -> None:
    if not both.client.get("/api/v1/personas/runs").json():
        assert both.client.post("/api/v1/personas/discover", json=SETTINGS).status_code == 201
    key = both.client.get("/api/v1/personas").json()["personas"][0]["key"]
    done = CliRunner().invoke(app, ["--db", both.url, "personas", "card", key, "--json"])
    assert done.exit_code == 0, done.output
    cli = json.loads(done.stdout)
    api = both.client.get(f"/api/v1/personas/{key}").json()
    assert cli == api
    assert api["headline"]
    assert api["portrait"].startswith(api["name"])
    page = both.client.get(f"/personas/{key}").text
    assert f'<p class="subtitle" id="persona-title">{api["headline"]}</p>' in page
    for line in api["goals"] + api["frustrations"]:
        assert line in page
    words = CliRunner().invoke(app, ["--db", both.url, "personas", "card", key])
    assert words.exit_code == 0, words.output
    assert api["headline"] in " ".join(words.stdout.split())
