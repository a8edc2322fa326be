"""The account page's "What we know" region, /knowledge and the template editor over HTTP
on SQLite and PostgreSQL: forms post without JavaScript (303 back) and answer the region to
HTMX; bad values come back in words; empty states say what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from buyermap.web.csrf import FIELD
from tests.factories import make_client
from tests.seams.test_knowledge_seam import World, seed

HX = {"HX-Request": "true"}


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    with make_client(db_url, workspace) as c:
        yield c


@pytest.fixture
def world(workspace: Workspace) -> World:
    with workspace.sessions() as s, s.begin():
        return seed(s)


def token(client: TestClient, page: str) -> str:
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def completeness_of(html: str) -> int:
    found = re.search(r'data-completeness="(\d+)"', html)
    assert found is not None
    return int(found.group(1))


def test_the_knowledge_list_is_empty_with_words_without_accounts(client: TestClient) -> None:
    html = client.get("/knowledge").text
    assert "There are no accounts yet" in html


def test_a_value_saved_on_the_account_page_moves_completeness(
    client: TestClient, world: World
) -> None:
    page = f"/accounts/{world.accounts['zabka']}"
    html = client.get(page).text
    assert "What we know" in html
    assert "tier A (key account)" in html
    assert completeness_of(html) == 0
    csrf = token(client, page)
    url = f"{page}/knowledge/purchase_budget"
    plain = client.post(url, data={FIELD: csrf, "value": "250 000"}, follow_redirects=False)
    assert plain.status_code == 303
    assert plain.headers["location"] == f"{page}#knowledge"
    after = client.get(page).text
    assert completeness_of(after) > 0
    region = client.post(
        f"{page}/knowledge/motivation",
        data={FIELD: csrf, "value": "Fewer suppliers", "contact_id": str(world.contacts["stefan"])},
        headers=HX,
    )
    assert region.status_code == 200
    assert region.text.lstrip().startswith('<section class="card" id="knowledge">')
    assert completeness_of(region.text) > completeness_of(after)
    bad = client.post(
        f"{page}/knowledge/purchase_budget", data={FIELD: csrf, "value": "lots"}, headers=HX
    )
    assert bad.status_code == 422
    assert "&#39;lots&#39; is not a number" in bad.text
    assert 'value="lots"' in bad.text
    listed = client.get("/knowledge").text
    assert listed.index("Żabka Śląsk") < listed.index("Ezüst Kft")


def test_the_template_editor_asks_a_legal_basis_for_a_special_category(
    client: TestClient, world: World
) -> None:
    html = client.get("/knowledge/template").text
    assert 'id="field-health" data-key="health" data-enabled="no"' in html
    csrf = token(client, "/knowledge/template")
    refused = client.post("/knowledge/template/health/enable", data={FIELD: csrf})
    assert refused.status_code == 422
    assert "needs the legal basis" in refused.text
    done = client.post(
        "/knowledge/template/health/enable",
        data={FIELD: csrf, "legal_basis": "explicit consent", "by": "Þórdís"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    html = client.get("/knowledge/template").text
    assert 'data-key="health" data-enabled="yes"' in html
    assert "legal basis: explicit consent; Þórdís" in html
    off = client.post(
        "/knowledge/template/markets/disable", data={FIELD: csrf}, follow_redirects=False
    )
    assert off.status_code == 303
    assert 'data-key="markets" data-enabled="no"' in client.get("/knowledge/template").text
