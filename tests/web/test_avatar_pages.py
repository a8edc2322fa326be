"""The customer avatar's pages over the demo (SQLite and PostgreSQL): the list and its empty
state, learning from the web with the guard's words, the overview with its charts in words
and units, scores as CSV/XLSX (REST), the accounts list's fit and tier (filter, sort,
saved views), the account page's fit and the quadrant of mutual fit."""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from buyermap.schemas.entities import AccountCreate
from buyermap.seams.avatar import AvatarSource, LearnRequest, learn_avatar
from buyermap.services.accounts import create_account
from buyermap.services.mutual import CriterionInput, add_criterion, set_profile_values
from buyermap.services.workspace import Workspace
from tests.conftest import opened_workspace
from tests.factories import demo_workspace, make_client
from tests.web.csrf_client import csrf_headers
from tests.web.test_readable_pages import visible_text


@dataclass(frozen=True)
class AvatarApp:
    client: TestClient
    workspace: Workspace


@pytest.fixture(scope="module")
def learned(module_db_url: str) -> Iterator[AvatarApp]:
    """The demo (scale 0.1) with the avatar 'icp' learned from the web, some criteria and
    a profile; tests only read from it."""
    with demo_workspace(module_db_url, scale=0.1) as workspace:
        with workspace.sessions() as session, session.begin():
            set_profile_values(session, key="regions served", values=["DACH; Nordics"])
        with make_client(module_db_url, workspace) as client:
            headers = csrf_headers(client, "/avatars")
            done = client.post(
                "/avatars/learn", data={"name": "icp"}, headers=headers, follow_redirects=False
            )
            assert done.status_code == 303, done.text
            assert done.headers["location"] == "/avatars/icp"
            yield AvatarApp(client=client, workspace=workspace)


def _words(html: str) -> str:
    """What a reader sees, blanks collapsed."""
    return " ".join(visible_text(html).split())


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_it_lists_saved_avatars_with_their_evidence_in_words(learned: AvatarApp) -> None:
    page = learned.client.get("/avatars")
    assert page.status_code == 200
    text = _words(page.text)
    assert "icp" in text
    assert "the workspace's accounts" in text
    assert "learned from outcomes" in text
    assert re.search(r"\d+ of 100 \(\d+ to \d+\)", text), text
    assert "shown on accounts" in text


def test_it_shows_what_the_avatar_learned_with_charts_in_words_and_units(
    learned: AvatarApp,
) -> None:
    page = learned.client.get("/avatars/icp")
    assert page.status_code == 200, page.text
    text = _words(page.text)
    assert page.text.count('<svg class="chart"') == 4
    for words in ("odds x", "% of accounts", "base rate", "bought", "lift x", "Tier A"):
        assert words in text, words
    assert "Ranks a buyer above an account that did not buy" in text
    assert "cross-validated" in text
    assert "Low evidence" in text  # 72 buyers and 48 others at scale 0.1
    assert 'href="/avatars/icp/rules?version=1"' in page.text
    assert "Turn into a rules avatar" in text
    assert "Software" in text
    assert "accounts scored" in text
    for chart in ("traits", "tiers", "reliability", "drift"):
        png = learned.client.get(f"/api/v1/avatars/icp/chart.png?chart={chart}")
        assert png.status_code == 200
        assert png.content.startswith(b"\x89PNG")


def test_it_downloads_the_stored_scores_as_csv_and_xlsx(learned: AvatarApp) -> None:
    got = learned.client.get("/api/v1/avatars/icp/scores.csv")
    assert got.status_code == 200
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 200
    assert list(rows[0]) == [
        "account_id",
        "name",
        "domain",
        "fit",
        "probability",
        "tier",
        "reasons",
    ]
    fits = [float(r["fit"]) for r in rows]
    assert fits == sorted(fits, reverse=True)
    assert {r["tier"] for r in rows} <= {"A", "B", "C", "D"}
    assert "odds x" in rows[0]["reasons"]
    book = load_workbook(io.BytesIO(learned.client.get("/api/v1/avatars/icp/scores.xlsx").content))
    sheet = book.active
    assert sheet is not None
    assert sheet.max_row == 201
    assert isinstance(sheet.cell(row=2, column=4).value, int | float)
    missing = learned.client.get("/api/v1/avatars/nope/scores.csv")
    assert missing.status_code == 404
    assert "'icp'" in missing.json()["error"]["message"]


def test_the_accounts_list_shows_fit_and_tier_filters_by_tier_and_sorts_by_fit(
    learned: AvatarApp,
) -> None:
    page = learned.client.get("/accounts?sort=-fit&page_size=200")
    assert page.status_code == 200
    fits = [float(v) for v in re.findall(r'<td class="num fit">([\d.,]+)</td>', page.text)]
    assert len(fits) == 200
    assert fits == sorted(fits, reverse=True)
    assert "Fit (of 100)" in page.text
    only_a = learned.client.get("/accounts?tier=A&page_size=200").text
    tiers = re.findall(r'<td class="tier">([^<]+)</td>', only_a)
    assert tiers
    assert set(tiers) == {"Tier A"}
    a_ids = set(_ids(only_a))
    api = learned.client.get("/api/v1/accounts", params={"tier": "A", "page_size": 200}).json()
    assert {a["id"] for a in api["items"]} == a_ids
    assert "not scored" not in only_a
    scored = learned.client.get("/api/v1/avatars/icp/scores.csv").content.decode("utf-8-sig")
    scored_ids = {int(r["account_id"]) for r in csv.DictReader(io.StringIO(scored))}
    unscored = _ids(learned.client.get("/accounts?tier=unscored&page_size=200").text)
    assert not scored_ids & set(unscored)  # accounts added since scoring, if any
    bad = learned.client.get("/accounts?tier=Z")
    assert bad.status_code == 200
    assert "tier 'Z' is not valid" in bad.text.lower() or "is not valid" in bad.text
    api_bad = learned.client.get("/api/v1/accounts", params={"tier": "Z"})
    assert api_bad.status_code == 422


def test_a_saved_view_keeps_the_tier_filter_and_the_fit_sort(learned: AvatarApp) -> None:
    headers = csrf_headers(learned.client, "/accounts")
    saved = learned.client.post(
        "/accounts/views",
        data={"name": "Tier B by fit", "view_params": "tier=B&sort=-fit"},
        headers=headers,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"].startswith("/accounts?")
    opened = learned.client.get(saved.headers["location"]).text
    tiers = re.findall(r'<td class="tier">([^<]+)</td>', opened)
    assert tiers
    assert set(tiers) == {"Tier B"}


def test_the_account_page_shows_fit_tier_reasons_and_which_avatar(learned: AvatarApp) -> None:
    top = _ids(learned.client.get("/accounts?sort=-fit").text)[0]
    text = _words(learned.client.get(f"/accounts/{top}").text)
    assert re.search(r"Fit \d+ of 100", text)
    assert "tier A: among the best-fitting 20%" in text
    assert "raises the odds (odds x" in text
    assert "By the avatar icp (version 1)" in text
    assert "scored 20" in text
    assert "What they ask of a supplier" in text  # beside mutual fit
    api = learned.client.get(f"/api/v1/accounts/{top}/fit").json()
    assert (api["avatar"], api["version"], api["scored"], api["tier"]) == ("icp", 1, True, "A")
    assert api["reasons"][0]["ratio"] > 0
    assert f"Fit {int(api['fit'] + 0.5)} of 100" in text
    assert learned.client.get("/api/v1/accounts/999999/fit").status_code == 404


def test_an_account_added_after_scoring_says_it_is_not_scored(learned: AvatarApp) -> None:
    with learned.workspace.sessions() as session, session.begin():
        account = create_account(session, data=AccountCreate(name="Þórsdóttir ehf."))
        account_id = account.id
    text = _words(learned.client.get(f"/accounts/{account_id}").text)
    assert "Not scored by the avatar icp (version 1) yet" in text
    listed = learned.client.get("/accounts?tier=unscored").text
    assert _ids(listed) == [account_id]


def test_the_quadrant_plots_accounts_with_both_numbers(learned: AvatarApp) -> None:
    top = _ids(learned.client.get("/accounts?sort=-fit").text)[0]
    with learned.workspace.sessions() as session, session.begin():
        add_criterion(
            session,
            account_id=top,
            data=CriterionInput(criterion="regions served", operator="includes", value="DACH"),
        )
    page = learned.client.get("/avatars/mutual")
    assert page.status_code == 200
    assert f'<g id="account-{top}" class="point"><title>' in page.text
    text = _words(page.text)
    assert "we fit them 100 of 100" in text
    assert "Fit both ways: pursue" in text
    assert "1 of 1 accounts with criteria have both numbers" in text
    png = learned.client.get("/api/v1/avatar/mutual.png")
    assert png.content.startswith(b"\x89PNG")


def test_learning_from_too_few_accounts_is_refused_with_the_guards_words(db_url: str) -> None:
    with (
        demo_workspace(db_url, scale=0.05) as workspace,
        make_client(db_url, workspace) as client,
    ):
        quadrant = _words(client.get("/avatars/mutual").text)
        assert "No account has supplier criteria yet" in quadrant
        empty = _words(client.get("/avatars").text)
        assert "No avatar is saved in this workspace yet" in empty
        assert "buyermap avatar learn --save icp" in empty
        assert "Not scored: no customer avatar has scored" in _words(
            client.get(f"/accounts/{_ids(client.get('/accounts').text)[0]}").text
        )
        headers = csrf_headers(client, "/avatars")
        refused = client.post("/avatars/learn", data={"name": "icp"}, headers=headers)
        assert refused.status_code == 422
        text = _words(refused.text)
        assert "it needs at least 30 positive and 30 negative rows" in text
        assert "has 31 positive and 27 negative" in text
        assert client.get("/api/v1/avatars").json() == []
        assert (
            client.get(f"/api/v1/accounts/{_ids(client.get('/accounts').text)[0]}/fit").json()
            is None
        )


def test_an_avatar_learned_from_a_file_has_no_scores_until_the_accounts_are_scored(
    db_url: str, tmp_path: Path
) -> None:
    rng = random.Random(5)
    lines = ["ref,industry,employees,won"]
    for i in range(120):
        industry = rng.choice(["Software", "Retail", "Energetyka"])
        won = rng.random() < (0.7 if industry == "Software" else 0.3)
        lines.append(f"R{i},{industry},{rng.randint(5, 5000)},{'tak' if won else 'nie'}")
    path = tmp_path / "wyniki.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with opened_workspace(db_url) as workspace, make_client(db_url, workspace) as client:
        with workspace.sessions() as session, session.begin():
            learn_avatar(
                session,
                LearnRequest(outcome="won", save="leads"),
                source=AvatarSource(path=path, id_column="ref"),
            )
        listed = _words(client.get("/avatars").text)
        assert "file wyniki.csv" in listed
        page = _words(client.get("/avatars/leads").text)
        assert "No account is scored by this version yet" in page
        assert "Scores CSV" not in page
        refused = client.get("/api/v1/avatars/leads/scores.csv")
        assert refused.status_code == 422
        assert "has scored no accounts yet" in refused.json()["error"]["message"]
        assert "buyermap avatar score --avatar leads" in refused.json()["error"]["message"]
