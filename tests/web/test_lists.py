"""Lists the way a team works: filters, search across related names, the company column,
saved views, pages past the end and CSV/XLSX exports, on pages and in the REST API.

The workspace (planted by ``_plant``): owners Zofia Wójcik and Jiří Dvořák; accounts
Łódzkie Młyny (Manufacturing, PL, 40 people, Zofia), Česká Pojišťovna (Insurance, CZ, 3,000
people, Jiří) and Hafnarfjörður Fiskur (Fishing, IS, 8 people); contacts Gergő Szőke (manager
at the Łódź mill), Þórunn Jónsdóttir (director at the Icelandic one) and Kateřina Novotná
(manager at the Czech one); deals "Mlýn – linka 2" (Zofia, Proposal, 125,000 PLN), "Pojistka
flotily" (Jiří, Qualified, 40,000 CZK) and "Fiskur vinnsla" (Zofia, Closed Won, 9,500 EUR).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from buyermap.db.models import User
from buyermap.schemas.entities import (
    AccountCreate,
    ContactCreate,
    DealCreate,
    StageChangeCreate,
)
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact
from buyermap.services.deals import create_deal, move_deal
from buyermap.services.workspace import Workspace
from tests.web.csrf_client import csrf_headers

HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Planted:
    zofia: int
    jiri: int
    accounts: dict[str, int]
    deals: dict[str, int]


def _plant(workspace: Workspace) -> Planted:
    with workspace.sessions() as session, session.begin():
        zofia, jiri = User(name="Zofia Wójcik"), User(name="Jiří Dvořák")
        session.add_all([zofia, jiri])
        session.flush()
        accounts = {
            "lodz": create_account(
                session,
                data=AccountCreate(
                    name="Łódzkie Młyny",
                    industry="Manufacturing",
                    country="PL",
                    employees=40,
                    owner_id=zofia.id,
                ),
            ).id,
            "praha": create_account(
                session,
                data=AccountCreate(
                    name="Česká Pojišťovna",
                    industry="Insurance",
                    country="CZ",
                    employees=3000,
                    owner_id=jiri.id,
                ),
            ).id,
            "hafnar": create_account(
                session,
                data=AccountCreate(
                    name="Hafnarfjörður Fiskur", industry="Fishing", country="IS", employees=8
                ),
            ).id,
        }
        for first, last, seniority, key in (
            ("Gergő", "Szőke", "manager", "lodz"),
            ("Þórunn", "Jónsdóttir", "director", "hafnar"),
            ("Kateřina", "Novotná", "manager", "praha"),
        ):
            create_contact(
                session,
                data=ContactCreate(
                    first_name=first,
                    last_name=last,
                    seniority=seniority,
                    account_id=accounts[key],
                ),
            )
        deals = {}
        for key, name, account, owner, amount, currency, stages in (
            ("mlyn", "Mlýn – linka 2", "lodz", zofia.id, 125_000.0, "PLN", ["Lead", "Proposal"]),
            ("flota", "Pojistka flotily", "praha", jiri.id, 40_000.0, "CZK", ["Lead", "Qualified"]),
            (
                "fiskur",
                "Fiskur vinnsla",
                "hafnar",
                zofia.id,
                9_500.0,
                "EUR",
                ["Lead", "Closed Won"],
            ),
        ):
            deal = create_deal(
                session,
                data=DealCreate(
                    name=name,
                    account_id=accounts[account],
                    owner_id=owner,
                    amount=amount,
                    currency=currency,
                    stage=stages[0],
                    opened_at=datetime(2026, 3, 2),
                ),
            )
            move_deal(
                session,
                data=StageChangeCreate(
                    deal_id=deal.id, to_stage=stages[1], changed_at=datetime(2026, 5, 4)
                ),
            )
            deals[key] = deal.id
        return Planted(zofia=zofia.id, jiri=jiri.id, accounts=accounts, deals=deals)


@pytest.fixture
def planted(workspace: Workspace) -> Planted:
    return _plant(workspace)


def _rows(html: str, kind: str) -> list[str]:
    return re.findall(rf'<td><a href="/{kind}/\d+">([^<]+)</a></td>', html)


def test_deals_filter_by_stage_and_owner_on_the_page(client: TestClient, planted: Planted) -> None:
    html = client.get("/deals", params={"stage": "Proposal", "owner": planted.zofia}).text
    assert _rows(html, "deals") == ["Mlýn – linka 2"]
    assert '<option value="Proposal" selected>' in html
    assert f'<option value="{planted.zofia}" selected>Zofia Wójcik</option>' in html
    won = client.get("/deals", params={"status": "won"}, headers=HX).text
    assert _rows(won, "deals") == ["Fiskur vinnsla"]


def test_deals_filter_by_amount_and_dates(client: TestClient, planted: Planted) -> None:
    mid = client.get("/api/v1/deals", params={"amount_min": 10_000, "amount_max": 50_000})
    assert [d["name"] for d in mid.json()["items"]] == ["Pojistka flotily"]
    closed = client.get(
        "/api/v1/deals", params={"closed_from": "2026-05-04", "closed_to": "2026-05-04"}
    ).json()
    assert [d["name"] for d in closed["items"]] == ["Fiskur vinnsla"]
    none = client.get("/api/v1/deals", params={"opened_to": "2026-03-01"}).json()
    assert none["total"] == 0


def test_an_unknown_stage_names_the_valid_ones(client: TestClient, planted: Planted) -> None:
    response = client.get("/api/v1/deals", params={"stage": "Negotation"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "'Negotation'" in message
    assert "Proposal" in message
    assert "Closed Won" in message
    # the page lists without that filter and says why next to the stage control
    page = client.get("/deals", params={"stage": "Negotation", "status": "open"})
    assert page.status_code == 200
    error = re.search(
        r'<span class="filter-error" id="filter-error-stage"[^>]*>([^<]*)</span>', page.text
    )
    assert error is not None
    assert "Stage &#39;Negotation&#39; does not exist" in error.group(1)
    assert "Listed without this filter." in error.group(1)
    assert re.search(r'id="filter-error-status"[^>]*></span>', page.text)  # the rest apply
    assert set(_rows(page.text, "deals")) == {"Pojistka flotily", "Mlýn – linka 2"}


def test_a_bad_number_or_a_backwards_range_is_shown_next_to_its_control(
    client: TestClient, planted: Planted
) -> None:
    html = client.get(
        "/deals",
        params={"amount_min": "lots", "opened_from": "2026-06-01", "opened_to": "2026-01-01"},
    ).text
    assert "Amount from &#39;lots&#39; is not a number" in html
    assert 'name="amount_min" value="lots"' in html  # what was typed stays in its control
    assert re.search(
        r'id="filter-error-opened_from"[^>]*>Opened from 2026-06-01 is after opened to', html
    )
    fragment = client.get(
        "/deals", params={"amount_min": "lots"}, headers={"HX-Request": "true"}
    ).text
    assert 'id="filter-error-amount_min" hx-swap-oob="true"' in fragment


def test_a_view_saved_under_a_name_in_use_says_so_next_to_the_name(
    client: TestClient, planted: Planted
) -> None:
    headers = csrf_headers(client, "/deals") | {"HX-Request": "true"}
    data = {"name": "Open deals", "view_params": "status=open"}
    first = client.post("/deals/views", data=data, headers=headers)
    assert first.status_code == 204
    assert first.headers["HX-Redirect"] == "/deals?status=open"
    again = client.post("/deals/views", data=data, headers=headers)
    assert again.status_code == 409
    assert 'id="save-view"' in again.text
    assert "The deals list has a view named &#39;Open deals&#39; already" in again.text
    assert 'value="Open deals"' in again.text  # the name typed is kept


def test_a_backwards_range_is_refused_with_both_ends(client: TestClient, planted: Planted) -> None:
    response = client.get("/api/v1/deals", params={"amount_min": 500, "amount_max": 100})
    assert response.status_code == 422
    assert "amount_min 500" in response.json()["error"]["message"]


def test_deal_search_finds_a_stage_or_an_owner(client: TestClient, planted: Planted) -> None:
    by_stage = client.get("/api/v1/deals", params={"q": "qualif"}).json()
    assert [d["name"] for d in by_stage["items"]] == ["Pojistka flotily"]
    by_owner = client.get("/deals", params={"q": "wójcik", "sort": "name"}).text
    assert _rows(by_owner, "deals") == ["Fiskur vinnsla", "Mlýn – linka 2"]


def test_accounts_filter_by_industry_country_owner_and_size(
    client: TestClient, planted: Planted
) -> None:
    html = client.get("/accounts", params={"industry": "Insurance", "country": "CZ"}).text
    assert _rows(html, "accounts") == ["Česká Pojišťovna"]
    small = client.get("/api/v1/accounts", params={"size": "1-10"}).json()
    assert [a["name"] for a in small["items"]] == ["Hafnarfjörður Fiskur"]
    owned = client.get("/api/v1/accounts", params={"owner": planted.zofia}).json()
    assert [a["name"] for a in owned["items"]] == ["Łódzkie Młyny"]
    bad = client.get("/api/v1/accounts", params={"size": "huge"})
    assert bad.status_code == 422
    assert "5001+" in bad.json()["error"]["message"]


def test_a_persona_filter_without_a_persona_run_says_what_to_do(
    client: TestClient, planted: Planted
) -> None:
    response = client.get("/api/v1/contacts", params={"persona": "p1"})
    assert response.status_code == 422
    assert "no persona run yet" in response.json()["error"]["message"]


def test_contacts_show_their_company_and_filter_by_it(client: TestClient, planted: Planted) -> None:
    html = client.get("/contacts").text
    assert "<th>Company</th>" in html
    assert f'<a href="/accounts/{planted.accounts["lodz"]}">Łódzkie Młyny</a>' in html
    managers = client.get("/contacts", params={"seniority": "manager", "company": "młyny"}).text
    assert _rows(managers, "contacts") == ["Gergő Szőke"]
    assert "Manager" in managers
    assert ">manager<" not in managers
    by_company = client.get("/api/v1/contacts", params={"q": "pojišťovna"}).json()
    assert [c["last_name"] for c in by_company["items"]] == ["Novotná"]


def test_an_empty_filtered_list_offers_to_clear_the_filters(
    client: TestClient, planted: Planted
) -> None:
    html = client.get("/deals", params={"status": "lost"}).text
    assert "No deals match these filters." in html
    assert 'href="/deals">Clear the filters</a>' in html


def test_a_page_past_the_end_shows_the_last_page_with_a_message(
    client: TestClient, planted: Planted
) -> None:
    html = client.get("/accounts", params={"page": 999, "page_size": 2}).text
    assert "There is no page 999: this list has 2 pages, so here is the last one." in html
    assert _rows(html, "accounts") == ["Łódzkie Młyny"]
    api = client.get("/api/v1/accounts", params={"page": 999, "page_size": 2}).json()
    assert api["items"] == []
    assert api["total"] == 3
    assert api["page"] == 999


def test_a_view_saved_on_the_page_opens_again(client: TestClient, planted: Planted) -> None:
    headers = csrf_headers(client, "/deals")
    saved = client.post(
        "/deals/views",
        data={
            "name": "Zofia's proposals",
            "view_params": f"stage=Proposal&owner={planted.zofia}",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    views = client.get("/api/v1/views", params={"page": "deals"}).json()
    assert [(v["name"], v["params"]) for v in views] == [
        ("Zofia's proposals", {"stage": "Proposal", "owner": str(planted.zofia)})
    ]
    opened = client.get("/deals/views/open", params={"view": views[0]["id"]})
    assert _rows(opened.text, "deals") == ["Mlýn – linka 2"]
    assert (
        f'<option value="{views[0]["id"]}" selected>Zofia&#39;s proposals</option>' in opened.text
    )


def test_saved_views_via_rest_are_checked_renamed_and_deleted(
    client: TestClient, planted: Planted
) -> None:
    bad = client.post(
        "/api/v1/views", json={"page": "accounts", "name": "x", "params": {"stage": "Lead"}}
    )
    assert bad.status_code == 422
    assert "'stage' is no filter of this list" in bad.json()["error"]["message"]
    bad_sort = client.post(
        "/api/v1/views", json={"page": "accounts", "name": "x", "params": {"sort": "-colour"}}
    )
    assert "sort by one of" in bad_sort.json()["error"]["message"]
    made = client.post(
        "/api/v1/views",
        json={"page": "accounts", "name": "Czech insurers", "params": {"country": "CZ"}},
    )
    assert made.status_code == 201, made.text
    twice = client.post("/api/v1/views", json={"page": "accounts", "name": "Czech insurers"})
    assert twice.status_code == 409
    view_id = made.json()["id"]
    renamed = client.patch(f"/api/v1/views/{view_id}", json={"name": "Pojišťovny v Česku"})
    assert renamed.json()["name"] == "Pojišťovny v Česku"
    assert client.delete(f"/api/v1/views/{view_id}").status_code == 204
    assert client.get(f"/api/v1/views/{view_id}").status_code == 404


def test_the_csv_export_keeps_filters_and_opens_in_excel(
    client: TestClient, planted: Planted
) -> None:
    page = client.get("/contacts", params={"seniority": "manager"}).text
    assert 'href="/contacts/export.csv?seniority=manager"' in page
    response = client.get("/contacts/export.csv", params={"seniority": "manager"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel reads UTF-8 from
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Company", "Email"]
    assert sorted((r[0], r[1], r[5]) for r in rows[1:]) == [
        ("Gergő Szőke", "Łódzkie Młyny", "Manager"),
        ("Kateřina Novotná", "Česká Pojišťovna", "Manager"),
    ]


def test_the_xlsx_export_has_numbers_currencies_and_dates(
    client: TestClient, planted: Planted
) -> None:
    response = client.get("/deals/export.xlsx", params={"owner": planted.zofia, "sort": "name"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["Deal", "Account", "Pipeline", "Stage", "Status", "Owner", "Amount"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 32
    fiskur, mlyn = list(sheet.iter_rows(min_row=2))
    assert mlyn[0].value == "Mlýn – linka 2"
    assert mlyn[1].value == "Łódzkie Młyny"
    assert mlyn[6].value == 125_000
    assert mlyn[6].number_format == '#,##0.00 "PLN"'
    assert fiskur[6].number_format == '#,##0.00 "EUR"'
    assert fiskur[4].value == "Won"
    assert isinstance(mlyn[8].value, datetime)
    assert mlyn[8].value.date() == date(2026, 3, 2)
    assert mlyn[8].number_format == "yyyy-mm-dd"
    accounts = load_workbook(io.BytesIO(client.get("/accounts/export.xlsx").content)).active
    assert accounts is not None
    employees = {r[0].value: r[3] for r in accounts.iter_rows(min_row=2)}
    assert employees["Česká Pojišťovna"].value == 3000
    assert employees["Česká Pojišťovna"].number_format == "#,##0"
