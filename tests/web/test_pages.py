"""Server-rendered pages: lists, search, sort, pages, HTMX fragments, details, errors."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import SeededApp

HX = {"HX-Request": "true"}


def _names(html: str, kind: str) -> list[str]:
    """Link texts of rows pointing at /<kind>/<id>, in page order."""
    return re.findall(rf'<a href="/{kind}/\d+">([^<]+)</a>', html)


def test_the_overview_counts_the_workspace(seeded: SeededApp) -> None:
    response = seeded.client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'id="counts"' in html
    assert re.search(r'stat-n">3</span><span class="stat-l">Accounts', html)
    assert re.search(r'stat-n">3</span><span class="stat-l">Contacts', html)
    assert "Won 1" in html
    assert "Lost 1" in html
    assert "Open 1" in html


def test_the_layout_links_the_sections(seeded: SeededApp) -> None:
    html = seeded.client.get("/accounts").text
    for href in ("/accounts", "/contacts", "/deals", "/personas", "/journeys"):
        assert f'href="{href}"' in html
    assert 'class="soon"' not in html
    assert '<a href="/accounts" aria-current="page">' in html
    assert "/static/htmx.min.js" in html
    assert "/static/app.css" in html


def test_static_files_are_served_from_the_package(seeded: SeededApp) -> None:
    htmx = seeded.client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text[:200]
    assert seeded.client.get("/static/app.css").status_code == 200


def test_the_accounts_list_sorts_by_name_by_default(seeded: SeededApp) -> None:
    html = seeded.client.get("/accounts").text
    assert _names(html, "accounts") == ["Acme Corp", "Globex", "Initech"]
    assert "1–3 of 3" in html


def test_the_accounts_list_searches(seeded: SeededApp) -> None:
    html = seeded.client.get("/accounts", params={"q": "software"}).text
    assert _names(html, "accounts") == ["Acme Corp", "Initech"]
    assert 'value="software"' in html


def test_clicking_a_column_header_sorts_and_clicking_again_reverses(seeded: SeededApp) -> None:
    html = seeded.client.get("/accounts").text
    assert 'href="/accounts?sort=employees"' in html
    ascending = seeded.client.get("/accounts?sort=employees").text
    assert _names(ascending, "accounts") == ["Initech", "Acme Corp", "Globex"]
    assert 'href="/accounts?sort=-employees"' in ascending
    assert '<th aria-sort="ascending" class="num">' in ascending
    descending = seeded.client.get("/accounts?sort=-employees").text
    assert _names(descending, "accounts") == ["Globex", "Acme Corp", "Initech"]


def test_the_pager_walks_through_pages_keeping_search_and_sort(seeded: SeededApp) -> None:
    first = seeded.client.get("/accounts", params={"page_size": 2, "sort": "-name"}).text
    assert _names(first, "accounts") == ["Initech", "Globex"]
    assert "Page 1 of 2" in first
    assert 'href="/accounts?sort=-name&amp;page=2&amp;page_size=2"' in first
    second = seeded.client.get("/accounts?sort=-name&page=2&page_size=2").text
    assert _names(second, "accounts") == ["Acme Corp"]
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_htmx_requests_get_only_the_results_fragment(seeded: SeededApp) -> None:
    response = seeded.client.get("/accounts", params={"q": "glob"}, headers=HX)
    assert response.status_code == 200
    html = response.text.strip()
    assert html.startswith('<div id="results"')
    assert "<html" not in html
    assert '<nav aria-label="Sections">' not in html
    assert _names(html, "accounts") == ["Globex"]
    assert response.headers["vary"] == "HX-Request"


def test_history_restores_get_the_whole_page(seeded: SeededApp) -> None:
    headers = {**HX, "HX-History-Restore-Request": "true"}
    html = seeded.client.get("/accounts", headers=headers).text
    assert html.lstrip().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("path", "kind", "query", "expected"),
    [
        ("/contacts", "contacts", "cfo", ["Ada Lovelace"]),
        ("/contacts", "contacts", "", ["Grace Hopper", "Ada Lovelace", "Linus Torvalds"]),
        ("/deals", "deals", "pilot", ["Globex pilot"]),
        ("/deals", "deals", "", ["Globex pilot", "Initech renewal", "Acme platform"]),
    ],
)
def test_contacts_and_deals_lists_search_too(
    seeded: SeededApp, path: str, kind: str, query: str, expected: list[str]
) -> None:
    html = seeded.client.get(path, params={"q": query}, headers=HX).text
    assert _names(html, kind) == expected


def test_the_deals_list_shows_stage_status_and_account(seeded: SeededApp) -> None:
    html = seeded.client.get("/deals", params={"q": "acme"}).text
    assert "Closed Won" in html
    assert 'class="status status-won"' in html
    assert f'<a href="/accounts/{seeded.ids.accounts["acme"]}">Acme Corp</a>' in html


def test_the_account_page_shows_people_deals_and_notes(seeded: SeededApp) -> None:
    acme = seeded.ids.accounts["acme"]
    html = seeded.client.get(f"/accounts/{acme}").text
    assert "<h1>Acme Corp</h1>" in html
    people = html.split('id="people"', 1)[1].split("</section>", 1)[0]
    assert _names(people, "contacts") == ["Grace Hopper", "Ada Lovelace"]
    assert "CFO" in html
    assert "CTO" in html
    assert f'<a href="/deals/{seeded.ids.deals["acme_platform"]}">Acme platform</a>' in html
    assert "Met at the trade fair." in html


def test_the_account_page_shows_past_positions_as_past(seeded: SeededApp) -> None:
    html = seeded.client.get(f"/accounts/{seeded.ids.accounts['initech']}").text
    assert '<tr class="past">' in html
    assert "2025-12-31" in html


def test_the_contact_page_shows_positions_and_notes(seeded: SeededApp) -> None:
    html = seeded.client.get(f"/contacts/{seeded.ids.contacts['grace']}").text
    assert "<h1>Grace Hopper</h1>" in html
    # Positions with a start date come first, newest first; undated ones last.
    assert _names(html, "accounts") == ["Initech", "Acme Corp"]
    ada = seeded.client.get(f"/contacts/{seeded.ids.contacts['ada']}").text
    assert "Signs off on budgets." in ada


def test_the_deal_page_shows_the_stage_timeline(seeded: SeededApp) -> None:
    html = seeded.client.get(f"/deals/{seeded.ids.deals['acme_platform']}").text
    assert 'id="stage-timeline"' in html
    rows = re.findall(r'<tr data-stage="([^"]+)" data-days="([^"]+)">', html)
    assert rows[:4] == [
        ("Lead", "5.0"),
        ("Qualified", "10.0"),
        ("Discovery", "21.0"),
        ("Proposal", "19.0"),
    ]
    assert rows[4][0] == "Closed Won"
    assert html.count('class="gantt-row"') == 5
    assert "Security review passed." in html


def test_the_deal_page_shows_the_buying_committee(seeded: SeededApp) -> None:
    html = seeded.client.get(f"/deals/{seeded.ids.deals['acme_platform']}").text
    committee = html.split('id="committee"', 1)[1].split("</section>", 1)[0]
    assert "Ada Lovelace" in committee
    assert "Economic buyer" in committee
    other = seeded.client.get(f"/deals/{seeded.ids.deals['globex_pilot']}").text
    assert "No committee members recorded." in other


def test_the_lost_deal_page_names_the_reason(seeded: SeededApp) -> None:
    html = seeded.client.get(f"/deals/{seeded.ids.deals['initech_renewal']}").text
    assert "Budget cut" in html
    assert 'class="status status-lost"' in html


@pytest.mark.parametrize("path", ["/accounts/9999", "/contacts/9999", "/deals/9999"])
def test_a_missing_record_renders_the_friendly_404_page(seeded: SeededApp, path: str) -> None:
    response = seeded.client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert 'data-code="not_found"' in response.text
    assert "9999" in response.text
    assert "Back to the overview" in response.text


def test_an_unknown_page_renders_the_friendly_404_page(seeded: SeededApp) -> None:
    response = seeded.client.get("/no/such/page")
    assert response.status_code == 404
    assert "nothing at /no/such/page" in response.text
    assert "<nav" in response.text


def test_a_bad_sort_or_page_renders_the_error_page_with_the_reason(seeded: SeededApp) -> None:
    bad_sort = seeded.client.get("/accounts", params={"sort": "colour"})
    assert bad_sort.status_code == 422
    assert "cannot sort by &#39;colour&#39;" in bad_sort.text
    bad_page = seeded.client.get("/accounts", params={"page": 0})
    assert bad_page.status_code == 422
    assert "<code>page</code>" in bad_page.text
