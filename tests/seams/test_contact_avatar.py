"""Known answers: the avatar over people (B2C). In a workspace without companies the avatar
is learned over the contacts; it finds the planted department effect, and its top tier
splits across personas as planted. For an avatar over accounts (B2B), the contacts at
A-tier accounts split across personas exactly as the hand-made positions say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    Contact,
    Deal,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
)
from buyermap.errors import AvatarInputError, NotFoundError
from buyermap.seams.avatar import (
    CONTACTS_SOURCE,
    AvatarSource,
    LearnRequest,
    avatar_personas,
    learn_avatar,
    score_avatar,
)
from buyermap.services import avatars as avatar_svc
from buyermap.services.pipelines import default_pipeline
from buyermap.services.workspace import Workspace
from tests.conftest import opened_workspace
from tests.factories import make_client

# Planted chance that a person buys, by department (the only trait that matters).
WIN_BY_DEPARTMENT = {"Finance": 0.9, "IT": 0.5, "Operations": 0.5, "Marketing": 0.1}
PERSONA_OF = {"Finance": "money", "Marketing": "brand", "IT": "rest", "Operations": "rest"}
FIRST = ["Łukasz", "Ștefan", "Jiří", "Zsófia", "Þórunn", "Jyrki", "Małgorzata", "Ion"]
LAST = ["Wróblewski", "Țăranu", "Dvořák", "Kovács", "Guðmundsdóttir", "Väänänen"]


def _persona_run(session: Session, members: dict[str, list[int]]) -> PersonaRun:
    run = PersonaRun(run_key="hand-made", inputs_hash="0" * 64, version="test", k=3, n=0)
    run.is_active = True
    run.n = sum(len(v) for v in members.values())
    session.add(run)
    session.flush()
    total = max(run.n, 1)
    for key, ids in members.items():
        session.add(
            PersonaRow(
                run_id=run.id,
                key=key,
                name=key.capitalize(),
                title=key,
                size=len(ids),
                share=len(ids) / total,
            )
        )
        for contact_id in ids:
            session.add(
                PersonaAssignment(
                    run_id=run.id, contact_id=contact_id, persona_key=key, probability=0.9
                )
            )
    session.flush()
    return run


def fill_people(session: Session, *, n: int = 320, seed: int = 3) -> dict[str, list[int]]:
    """``n`` people without companies, each on the committee of one deal (won with the
    planted chance of their department), with a noise field; personas by department."""
    rng = np.random.default_rng(seed)
    pipeline = default_pipeline(session)
    departments = list(WIN_BY_DEPARTMENT)
    members: dict[str, list[int]] = {}
    for i in range(n):
        department = departments[i % len(departments)]
        contact = Contact(
            first_name=FIRST[i % len(FIRST)],
            last_name=LAST[i % len(LAST)],
            email=f"person{i}@example.org",
            department=department,
            seniority=str(rng.choice(["entry", "manager", "director"])),
        )
        won = bool(rng.random() < WIN_BY_DEPARTMENT[department])
        deal = Deal(
            name=f"order {i}",
            pipeline_id=pipeline.id,
            amount=100.0,
            status="won" if won else "lost",
        )
        session.add_all([contact, deal])
        session.flush()
        session.add(CommitteeMember(deal_id=deal.id, contact_id=contact.id, role="decision_maker"))
        members.setdefault(PERSONA_OF[department], []).append(contact.id)
    session.flush()
    return members


def test_without_companies_the_avatar_is_learned_over_contacts(session: Session) -> None:
    fill_people(session)
    learned = learn_avatar(session, LearnRequest(save="people")).document
    assert learned.over == "contacts"
    assert avatar_svc.require_avatar(session, name="people").metrics["over"] == "contacts"
    assert learned.source == CONTACTS_SOURCE
    assert learned.n == 320
    assert learned.stored_scores == 0  # contact scores go to a file, not the workspace
    assert learned.traits[0].value == "Finance"
    assert learned.traits[-1].value == "Marketing"
    assert learned.auc > 0.75


def test_the_top_tier_splits_across_personas_as_planted(session: Session) -> None:
    members = fill_people(session)
    learn_avatar(session, LearnRequest(save="people"))
    _persona_run(session, members)
    scored = score_avatar(session, name="people")
    assert scored.document.over == "contacts"
    assert scored.document.stored == 0
    assert list(scored.table.columns[:3]) == ["contact_id", "name", "email"]
    assert scored.table.height == 320
    assert "Łukasz Wróblewski" in scored.table["name"].to_list()
    split = {p.persona: p for p in scored.document.top_tier_by_persona or []}
    assert split["money"].share_of_top_tier == 1.0  # every A is in Finance (the top 20%)
    assert split["brand"].top_tier == 0
    assert split["rest"].top_tier == 0
    assert split["money"].contacts == 80
    same = avatar_personas(session, name="people")
    assert same.personas == scored.document.top_tier_by_persona
    assert same.contacts_in_top_tier == split["money"].top_tier > 0


def fill_b2b(session: Session) -> None:
    """Hand-made: accounts A1 and A2 are tier A, B1 is B; contacts and personas are placed
    so that the answer is known (an ended position does not count)."""
    accounts = {name: Account(name=name) for name in ("A1", "A2", "B1")}
    session.add_all(accounts.values())
    people = [Contact(first_name=f"Hafþór {i}", email=f"h{i}@example.is") for i in range(7)]
    session.add_all(people)
    session.flush()
    at = {0: "A1", 1: "A1", 2: "A2", 3: "B1", 4: "B1", 5: "B1", 6: "A2"}
    for i, account in at.items():
        session.add(AccountContact(account_id=accounts[account].id, contact_id=people[i].id))
    # contact 3 left A2 for B1: the old position does not make it an A-tier contact
    session.add(
        AccountContact(
            account_id=accounts["A2"].id,
            contact_id=people[3].id,
            start_date=date(2020, 1, 1),
            end_date=date(2023, 1, 1),
        )
    )
    avatar = avatar_svc.save_avatar(
        session,
        name="icp",
        kind="learned",
        source="workspace",
        source_hash="0" * 64,
        settings={},
        model={},
        metrics={},
    )
    rows = [
        {"account_id": accounts[a].id, "fit": f, "probability": 0.5, "tier": t, "reasons": []}
        for a, f, t in (("A1", 90.0, "A"), ("A2", 85.0, "A"), ("B1", 60.0, "B"))
    ]
    avatar_svc.save_scores(session, avatar=avatar, rows=rows)
    ids = [p.id for p in people]
    # personas: x = contacts 0, 1 (at A1) and 3 (left A2); y = 2 (at A2), 4, 5; contact 6
    # is at A2 but has no persona
    _persona_run(session, {"x": [ids[0], ids[1], ids[3]], "y": [ids[2], ids[4], ids[5]]})


def test_over_accounts_the_contacts_of_a_tier_accounts_split_exactly(session: Session) -> None:
    fill_b2b(session)
    doc = avatar_personas(session, name="icp")
    assert doc.over == "accounts"
    assert doc.contacts_in_top_tier == 3  # contact 6 is at A2 but has no persona
    split = {p.persona: p for p in doc.personas}
    assert (split["x"].contacts, split["x"].top_tier) == (3, 2)
    assert split["x"].share_in_top_tier == round(2 / 3, 4)
    assert split["x"].share_of_top_tier == round(2 / 3, 4)
    assert (split["y"].contacts, split["y"].top_tier) == (3, 1)
    assert split["y"].share_of_top_tier == round(1 / 3, 4)
    assert [p.persona for p in doc.personas] == ["x", "y"]  # the larger share first


def test_it_refuses_without_a_persona_run_or_scores(session: Session, tmp_path: Path) -> None:
    fill_people(session, n=80)
    learn_avatar(session, LearnRequest(save="people", force=True))
    with pytest.raises(NotFoundError, match="no persona run"):
        avatar_personas(session, name="people")
    _persona_run(session, {"all": []})
    avatar_svc.save_avatar(
        session,
        name="unscored",
        kind="learned",
        source="workspace",
        source_hash="0" * 64,
        settings={},
        model={},
        metrics={},
    )
    with pytest.raises(AvatarInputError, match="has not scored the accounts yet"):
        avatar_personas(session, name="unscored")
    path = tmp_path / "people.csv"
    path.write_text("id,outcome\n1,yes\n")
    with pytest.raises(
        AvatarInputError, match=r"over \(accounts or contacts\) is for the workspace"
    ):
        learn_avatar(
            session,
            LearnRequest(outcome="outcome", over="contacts"),
            source=AvatarSource(path=path, id_column="id"),
        )


# -- the edges --------------------------------------------------------------------------------


@pytest.fixture
def b2c(db_url: str) -> Iterator[tuple[str, Workspace]]:
    with opened_workspace(db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            members = fill_people(session)
            _persona_run(session, members)
        yield db_url, workspace


def _cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", url, "avatar", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_cli_and_the_api_give_the_same_persona_split(
    b2c: tuple[str, Workspace], tmp_path: Path
) -> None:
    url, workspace = b2c
    learned = _cli(url, "learn", "--over", "contacts", "--save", "people", "--json")
    assert learned["over"] == "contacts"
    scored = _cli(url, "score", "--avatar", "people", "--out", str(tmp_path / "p.csv"), "--json")
    cli = _cli(url, "personas", "--avatar", "people", "--json")
    with make_client(url, workspace) as client:
        api = client.get("/api/v1/avatars/people/personas").json()
        missing = client.get("/api/v1/avatars/nobody/personas")
        by_rest = client.post("/api/v1/avatars/learn", json={"over": "contacts", "seed": 0})
        bad = client.post("/api/v1/avatars/learn", json={"over": "companies"})
    assert by_rest.status_code == 201, by_rest.text
    assert by_rest.json()["over"] == "contacts"
    assert by_rest.json()["traits"] == learned["traits"]  # the same learning as the CLI's
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"][0]["field"] == "over"
    assert cli == api
    assert scored["top_tier_by_persona"] == api["personas"]
    assert api["personas"][0]["persona"] == "money"
    assert missing.status_code == 404
    csv = (tmp_path / "p.csv").read_text(encoding="utf-8")
    assert csv.startswith("contact_id,name,email,")
    assert "Zsófia" in csv


def test_the_personas_page_shows_the_top_tier_by_persona(db_url: str) -> None:
    with opened_workspace(db_url) as workspace:
        with workspace.sessions() as session, session.begin():
            fill_b2b(session)
        with make_client(db_url, workspace) as client:
            html = client.get("/personas").text
    section = html.split('id="top-tier-by-persona"')[1].split("</section>")[0]
    assert "“icp”" in section
    assert '<tr data-persona="x"><td>X</td><td class="num">3</td><td class="num">2</td>' in section
    assert "67%" in section  # two of the three x contacts, and x's share of tier A
    assert "33%" in section
