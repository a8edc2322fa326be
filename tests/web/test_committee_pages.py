"""The deal page's committee region and the risk list, over HTTP on SQLite and PostgreSQL:
forms post without JavaScript (303 back) and answer the region to HTMX; bad values come
back in words; the risk list sorts by amount at risk and has an empty state."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from buyermap.services.workspace import Workspace
from buyermap.web.csrf import FIELD
from tests.factories import make_client
from tests.seams.test_committee_seam import World, seed

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


def test_the_risk_list_is_empty_with_words_when_there_are_no_open_deals(
    client: TestClient,
) -> None:
    html = client.get("/committee/risks").text
    assert "There are no open deals yet" in html


def test_a_person_is_added_changed_and_removed_on_the_deal_page(
    client: TestClient, world: World
) -> None:
    deal = world.deals["big"]
    page = f"/deals/{deal}"
    csrf = token(client, page)
    html = client.get(page).text
    assert "No committee members recorded." in html
    options = client.get("/contacts/choices", params={"contact_search": "Wójcik"}).text
    assert f'value="{world.contacts["lucja"]}"' in options
    assert "Łucja Wójcik" in options
    added = client.post(
        f"{page}/committee",
        data={
            FIELD: csrf,
            "contact_id": str(world.contacts["lucja"]),
            "role": "champion",
            "influence": "3",
            "attitude": "supporter",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    html = client.get(page).text
    region = html.split('id="committee-body"', 1)[1]
    assert "Łucja Wójcik" in region
    assert "1 of 2</strong> roles this stage (Proposal) requires are filled" in region
    assert 'data-code="no_economic_buyer"' in region
    assert 'data-code="single_threaded"' in region
    # an HTMX add of the economic buyer, attitude unknown, strong say: a new risk in words
    fragment = client.post(
        f"{page}/committee",
        data={
            FIELD: csrf,
            "contact_id": str(world.contacts["stefan"]),
            "role": "economic_buyer",
            "influence": "5",
            "attitude": "unknown",
        },
        headers=HX,
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="committee-body">')
    assert 'data-code="unknown_attitude_high_influence"' in fragment.text
    assert "We do not know where Ștefan Dumitrescu stands" in fragment.text
    assert 'data-code="no_economic_buyer"' not in fragment.text
    member = re.search(
        rf'data-contact="{world.contacts["stefan"]}" data-member="(\d+)"', fragment.text
    )
    assert member is not None
    mid = member.group(1)
    saved = client.post(
        f"/committee-members/{mid}/edit",
        data={
            FIELD: csrf,
            "version": "1",
            "role": "economic_buyer",
            "orig.role": "economic_buyer",
            "influence": "5",
            "orig.influence": "5",
            "attitude": "supporter",
            "orig.attitude": "unknown",
            "verified_at": "",
            "orig.verified_at": "",
        },
        headers=HX,
    )
    assert saved.status_code == 200, saved.text[:400]
    assert "unknown_attitude_high_influence" not in saved.text
    assert "No committee risks." in saved.text
    assert "62%" in saved.text  # 5 of 8 points of influence, 62.5% shown whole
    stale = client.post(
        f"/committee-members/{mid}/edit",
        data={FIELD: csrf, "version": "1", "attitude": "opponent", "orig.attitude": "unknown"},
        headers=HX,
    )
    assert stale.status_code == 409
    assert "Not saved:" in stale.text
    assert "saved by someone else" in stale.text
    bad = client.post(
        f"{page}/committee",
        data={FIELD: csrf, "contact_id": str(world.contacts["lucja"]), "role": "champion"},
        headers=HX,
    )
    assert bad.status_code == 409
    assert "on the committee already" in bad.text
    gone = client.post(f"/committee-members/{mid}/delete", data={FIELD: csrf}, headers=HX)
    assert gone.status_code == 200
    assert "Ștefan Dumitrescu" not in gone.text.split('<form class="inline-form')[0]
    risks = client.get("/committee/risks", params={"sort": "amount"}).text
    rows = re.findall(r'<tr data-deal="(\d+)" data-at-risk="([\d.]+)"', risks)
    amounts = [float(a) for _, a in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert str(deal) in {d for d, _ in rows}
    assert "90,000 USD" in risks


def test_what_wins_says_what_to_import_when_there_are_too_few_closed_deals(
    client: TestClient, world: World
) -> None:
    html = client.get("/committee/wins").text
    assert "What wins" in html
    assert "closed deals: what wins needs at least" in html
    assert "buyermap import deals" in html
