"""Pages people read, over the demo (seed 7, scale 0.1, personas discovered as ``buyermap
demo`` does, the avatar ``icp`` learned): words instead of enum values and field names,
both directions between records, stale deals flagged in words, persona cards as a
portrait rendered from the card document, units on figures, a favicon.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from buyermap.analytics.personas.members import personas_of_contacts
from buyermap.db.models import CommitteeMember, Deal
from buyermap.domain.labels import LABELS, label
from buyermap.seams.avatar import LearnRequest, learn_avatar
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace, make_client

SNAKE = sorted({v for table in LABELS.values() for v in table if "_" in v})


@dataclass(frozen=True)
class DemoApp:
    client: TestClient
    workspace: Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    """The demo with its personas behind an app (SQLite); tests only read from it."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('readable')) / 'demo.db'}"
    with (
        demo_workspace(url, scale=0.1, personas=True) as workspace,
        make_client(url, workspace) as client,
    ):
        with workspace.sessions() as session, session.begin():
            learn_avatar(session, LearnRequest(save="icp"))
        yield DemoApp(client=client, workspace=workspace)


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles, tags or attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def _links(page: str, kind: str) -> list[str]:
    return re.findall(rf'href="/{kind}/(\w+)"', page)


def _pages(demo: DemoApp) -> list[str]:
    get = demo.client.get
    paths = ["/", "/accounts", "/contacts", "/deals", "/pipeline", "/forecast", "/funnels"]
    paths += ["/personas", "/personas/runs", "/personas/compare"]
    paths += ["/avatars", "/avatars/icp", "/avatars/mutual", "/accounts?sort=-fit"]
    paths += [f"/deals/{i}" for i in _links(get("/deals").text, "deals")[:8]]
    paths += [f"/contacts/{i}" for i in _links(get("/contacts").text, "contacts")[:8]]
    paths += [f"/accounts/{i}" for i in _links(get("/accounts").text, "accounts")[:8]]
    keys = sorted(set(re.findall(r'href="/personas/(p\d+)"', get("/personas").text)))
    paths += [f"/personas/{k}" for k in keys] + [f"/personas/{k}/contacts" for k in keys]
    with demo.workspace.sessions() as session:
        members = session.scalars(select(CommitteeMember).limit(5)).all()
        paths += [f"/contacts/{m.contact_id}" for m in members]
        paths += [f"/deals/{m.deal_id}" for m in members if m.deal_id]
    return paths


def test_no_page_of_the_demo_shows_an_enum_value_in_snake_case(demo: DemoApp) -> None:
    assert "decision_maker" in SNAKE
    assert "c_level" in SNAKE
    found: dict[str, list[str]] = {}
    paths = _pages(demo)
    assert len(paths) > 40
    for path in paths:
        response = demo.client.get(path)
        assert response.status_code == 200, path
        tokens = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", visible_text(response.text)))
        shown = sorted(tokens & set(SNAKE))
        if shown:
            found[path] = shown
    assert found == {}


def test_a_contacts_page_lists_their_deals_committee_roles_and_persona(demo: DemoApp) -> None:
    with demo.workspace.sessions() as session:
        member = session.scalars(
            select(CommitteeMember)
            .where(CommitteeMember.deal_id.is_not(None), CommitteeMember.influence.is_not(None))
            .order_by(CommitteeMember.id)
        ).first()
        assert member is not None
        assert member.deal_id is not None
        deal = session.get(Deal, member.deal_id)
        assert deal is not None
        persona = personas_of_contacts(session, contact_ids=[member.contact_id])[member.contact_id]
        role, attitude, influence = member.role, member.attitude, member.influence
        deal_id, deal_name = deal.id, deal.name
    page = demo.client.get(f"/contacts/{member.contact_id}").text
    deals = page.split('id="contact-deals"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/deals/{deal_id}">{html_lib.escape(deal_name)}</a>' in deals
    assert f"{label(role)} on the committee" in deals
    roles = visible_text(page.split('id="committee-roles"', 1)[1].split("</section>", 1)[0])
    assert deal_name in roles
    assert label(role) in roles
    assert label(attitude) in roles
    assert f"{influence} of 5: " in roles
    shown = page.split('id="persona"', 1)[1].split("</dd>", 1)[0]
    assert f'<a href="/personas/{persona.persona_key}">{persona.name}</a>' in shown


def test_a_deals_committee_shows_each_members_persona(demo: DemoApp) -> None:
    with demo.workspace.sessions() as session:
        deal_id = session.scalar(
            select(CommitteeMember.deal_id).where(CommitteeMember.deal_id.is_not(None)).limit(1)
        )
        assert deal_id is not None
        ids = list(
            session.scalars(
                select(CommitteeMember.contact_id).where(CommitteeMember.deal_id == deal_id)
            )
        )
        personas = personas_of_contacts(session, contact_ids=ids)
    assert personas, "the demo's committee members have personas"
    page = demo.client.get(f"/deals/{deal_id}").text
    table = page.split('id="committee"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr data-contact="(\d+)"[^>]*>(.*?)</tr>', table, flags=re.S)
    assert sorted(int(c) for c, _ in rows) == sorted(ids)
    for contact_id, row in rows:
        cell = row.split('class="persona"', 1)[1]
        found = personas.get(int(contact_id))
        if found is None:
            assert "none yet" in cell
        else:
            assert f'href="/personas/{found.persona_key}"' in cell
            assert found.name in cell


def test_an_accounts_committee_shows_each_members_persona(demo: DemoApp) -> None:
    with demo.workspace.sessions() as session:
        row = session.execute(
            select(Deal.account_id, CommitteeMember.contact_id)
            .join(CommitteeMember, CommitteeMember.deal_id == Deal.id)
            .where(Deal.account_id.is_not(None))
            .limit(1)
        ).first()
        assert row is not None
        account_id, contact_id = row
        persona = personas_of_contacts(session, contact_ids=[contact_id])[contact_id]
    page = demo.client.get(f"/accounts/{account_id}").text
    table = page.split('id="committee"', 1)[1].split("</section>", 1)[0]
    member = table.split(f'<tr data-contact="{contact_id}">', 1)[1].split("</tr>", 1)[0]
    assert f'href="/personas/{persona.persona_key}"' in member


def test_a_stale_deal_is_flagged_in_words_and_a_moving_one_is_not(demo: DemoApp) -> None:
    stats = demo.client.get("/api/v1/pipeline/stats").json()
    stale = stats["stale"]["deals"][0]
    p90 = {s["stage"]: s["time_in_stage"]["p90_days"] for s in stats["stages"]}
    page = demo.client.get(f"/deals/{stale['deal_id']}").text
    flag = visible_text(page.split('id="stale-flag"', 1)[1].split("</p>", 1)[0])
    days = round(stale["days_in_stage"])
    usual = -(-p90[stale["stage"]] // 1)
    assert re.search(rf"No movement for ({days}|{days - 1}|{days + 1}) days", flag), flag
    assert f"as of {stats['as_of']}" in flag
    assert f"9 in 10 deals leave {stale['stage']} within {int(usual)} days" in flag
    flagged = {d["deal_id"] for d in stats["stale"]["deals"]}
    assert stats["stale"]["count"] == len(flagged)  # every stale deal is listed
    with demo.workspace.sessions() as session:
        fresh = session.scalars(
            select(Deal.id).where(Deal.status == "open").order_by(Deal.opened_at.desc())
        ).first()
    assert fresh is not None
    assert str(fresh) not in flagged
    assert 'id="stale-flag"' not in demo.client.get(f"/deals/{fresh}").text


def test_the_persona_card_reads_like_a_portrait_from_the_card_document(demo: DemoApp) -> None:
    listed = demo.client.get("/api/v1/personas").json()
    for persona in listed["personas"]:
        card = demo.client.get(f"/api/v1/personas/{persona['key']}").json()
        headline = card["headline"]
        assert headline
        assert ":" not in headline
        assert "_" not in headline
        assert "committee role" not in headline.lower()
        assert card["portrait"].startswith(f"{card['name']} is ")
        page = demo.client.get(f"/personas/{persona['key']}").text
        title = page.split('id="persona-title">', 1)[1].split("</p>", 1)[0]
        assert html_lib.unescape(title) == headline
        assert html_lib.escape(card["portrait"], quote=False) in page
        for line in card["goals"] + card["frustrations"]:
            assert html_lib.escape(line, quote=False) in page
        assert '<details class="evidence">' in page
    goals = [
        g
        for p in listed["personas"]
        for g in demo.client.get(f"/api/v1/personas/{p['key']}").json()["goals"]
    ]
    assert any("of 5: " in g for g in goals), "Likert answers come with their scale"


def test_the_demos_end_user_persona_is_titled_by_its_defining_traits(demo: DemoApp) -> None:
    cards = [
        demo.client.get(f"/api/v1/personas/{p['key']}").json()
        for p in demo.client.get("/api/v1/personas").json()["personas"]
    ]
    roles = {
        next(t["value"] for t in c["distinct_traits"] if t["variable"] == "committee_role")
        for c in cards
        if any(t["variable"] == "committee_role" for t in c["distinct_traits"])
    }
    assert "end_user" in roles
    end_user = next(
        c
        for c in cards
        if any(
            t["variable"] == "committee_role" and t["value"] == "end_user"
            for t in c["distinct_traits"]
        )
    )
    assert "end user" in end_user["headline"]
    assert "who cares about" in end_user["headline"]


def test_figures_carry_their_units_and_p10_p90_in_words(demo: DemoApp) -> None:
    forecast = visible_text(demo.client.get("/forecast").text)
    assert "USD" in forecast
    assert "9 in 10 simulated runs book more than this" in forecast
    pipeline = visible_text(demo.client.get("/pipeline").text)
    assert "won per 30 days" in pipeline
    assert "USD" in pipeline
    assert re.search(r"\d+ days median time to win", " ".join(pipeline.split()))
    account = re.findall(r'href="/accounts/(\d+)"', demo.client.get("/accounts").text)[0]
    page = visible_text(demo.client.get(f"/accounts/{account}").text)
    assert re.search(r"Annual revenue\s+[\d,]+ USD", page) or "Annual revenue –" in page


def test_the_favicon_is_linked_and_served(demo: DemoApp) -> None:
    page = demo.client.get("/").text
    assert '<link rel="icon" type="image/svg+xml" href="' in page
    href = page.split('<link rel="icon" type="image/svg+xml" href="', 1)[1].split('"', 1)[0]
    linked = demo.client.get(href)
    served = demo.client.get("/favicon.ico")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert served.content == linked.content
    assert served.content.lstrip().startswith(b"<svg")


def test_labels_cover_the_enum_values_the_pages_show() -> None:
    for table in LABELS:
        assert issubclass(table, StrEnum)


def test_the_avatar_pages_speak_in_words_not_field_names(demo: DemoApp) -> None:
    get = demo.client.get
    account = re.findall(r'href="/accounts/(\d+)"', get("/accounts?sort=-fit").text)[0]
    pages = {
        "/avatars": None,
        "/avatars/icp": None,
        "/avatars/mutual": None,
        f"/accounts/{account}": "avatar-fit",
    }
    found: dict[str, list[str]] = {}
    for path, section in pages.items():
        page = get(path).text
        if section is not None:
            page = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
        # file columns are named as a file has them, in <code>: those are meant literally
        page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
        names = set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", visible_text(page)))
        if names:
            found[path] = sorted(names)
    assert found == {}
    text = " ".join(visible_text(get("/avatars/icp").text).split())
    for unit in ("accounts learned from", "of 100", "% of accounts", "odds x", "percentage points"):
        assert unit in text, unit
