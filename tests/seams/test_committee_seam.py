"""The buying committee end to end on SQLite and PostgreSQL: import (quarantine, words,
encodings, XLSX, round trip), the CLI contract, the REST API with versions, the risk list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import CommitteeMember, ExternalRef
from buyermap.db.types import utcnow
from buyermap.domain.enums import EntityKind
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate
from buyermap.seams.committee import account_committee, deal_committee, risk_list
from buyermap.services import committee as svc
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact, link_contact
from buyermap.services.deals import create_deal
from buyermap.services.pipelines import default_pipeline
from buyermap.services.workspace import Workspace
from tests.factories import make_client


@dataclass(frozen=True)
class World:
    accounts: dict[str, int]
    contacts: dict[str, int]
    deals: dict[str, int]


PEOPLE = {
    # key: (first, last, email, account key or None)
    "lucja": ("Łucja", "Wójcik", "lucja@zabka.pl", "zabka"),
    "stefan": ("Ștefan", "Dumitrescu", "stefan@zabka.pl", "zabka"),
    "jiri": ("Jiří", "Dvořák", "jiri@zabka.pl", "zabka"),
    "ilona": ("Ilona", "Kovács", "ilona@ezust.hu", "ezust"),
    "jon": ("Jón", "Guðmundsson", "jon@ezust.hu", "ezust"),
    "aino": ("Aino", "Mäkinen", "aino@ezust.hu", None),  # left ezust: see seed()
}


def seed(session: Session) -> World:
    accounts = {
        "zabka": create_account(
            session, data=AccountCreate(name="Żabka Śląsk", domain="zabka.pl")
        ).id,
        "ezust": create_account(
            session, data=AccountCreate(name="Ezüst Kft", domain="ezust.hu")
        ).id,
    }
    contacts = {}
    for key, (first, last, email, at) in PEOPLE.items():
        contacts[key] = create_contact(
            session,
            data=ContactCreate(
                first_name=first,
                last_name=last,
                email=email,
                account_id=accounts[at] if at else None,
            ),
        ).id
    link_contact(
        session,
        contact_id=contacts["aino"],
        account_id=accounts["ezust"],
        title="Head of IT",
        start_date=date(2021, 1, 1),
        end_date=date(2026, 9, 30),
    )
    deals = {}
    for key, name, account, amount, stage in (
        ("big", "Żabka – platforma", "zabka", 90_000.0, "Proposal"),
        ("small", "Ezüst – pilot", "ezust", 12_000.0, "Negotiation"),
        ("early", "Żabka – audyt", "zabka", 5_000.0, "Lead"),
    ):
        deals[key] = create_deal(
            session,
            data=DealCreate(name=name, account_id=accounts[account], amount=amount, stage=stage),
        ).id
    session.add(ExternalRef(entity="deal", entity_id=deals["big"], system="hubspot", value="HS-1"))
    session.flush()
    return World(accounts, contacts, deals)


COMMITTEE_CSV = (
    "deal_external_id,deal_id,account_domain,contact_email,role,influence,attitude,"
    "formal_position,real_position,notes,verified_at\n"
    "HS-1,,,lucja@zabka.pl,Champion,3,Supporter,Kierownik zakupów,,Spotkanie w Katowicach,"
    "2026-11-01\n"
    "HS-1,,,stefan@zabka.pl,Economic buyer,5,sceptical,Dyrektor finansowy,owns the budget,,\n"
    "{small},,,jon@ezust.hu,decision_maker,5,opponent,CEO,,,\n"
    "{small},,,aino@ezust.hu,Technical evaluator,4,unknown,Head of IT,,,2025-01-15\n"
    ",,ezust.hu,ilona@ezust.hu,Executive sponsor,4,neutral,CFO,,,\n"
    "HS-1,,,jiri@zabka.pl,chief of vibes,3,neutral,,,,\n"
    "HS-1,,,nobody@zabka.pl,Champion,3,neutral,,,,\n"
    "HS-404,,,jiri@zabka.pl,Champion,3,neutral,,,,\n"
    "HS-1,,,jiri@zabka.pl,Legal,7,lukewarm,,,,\n"
    ",,,jiri@zabka.pl,Legal,2,neutral,,,,\n"
)


def committee_file(tmp_path: Path, world: World, encoding: str = "utf-8") -> Path:
    path = tmp_path / "komitet.csv"
    text = COMMITTEE_CSV.replace("{small}", "").replace(",,,jon@", f",{world.deals['small']},,jon@")
    text = text.replace(",,,aino@", f",{world.deals['small']},,aino@")
    path.write_bytes(text.encode(encoding))
    return path


def test_it_imports_members_in_words_and_quarantines_bad_rows_with_reasons(
    session: Session, tmp_path: Path
) -> None:
    world = seed(session)
    path = committee_file(tmp_path, world, encoding="cp1250")
    refused = import_file(session, entity=EntityKind.COMMITTEE, path=path)
    assert not refused.ok
    assert session.scalars(select(CommitteeMember)).all() == []
    report = import_file(
        session, entity=EntityKind.COMMITTEE, path=path, options=ImportOptions(partial=True)
    )
    assert (report.imported, report.rejected) == (5, 5)
    reasons = {e.line: e.reason for e in report.errors}
    assert "'chief of vibes' is not in the committee role catalogue" in reasons[7]
    assert "Economic buyer (economic_buyer)" in reasons[7]
    assert "no contact with email 'nobody@zabka.pl'" in reasons[8]
    assert "no deal with external id 'HS-404'" in reasons[9]
    assert "influence 7" in reasons[10] or "attitude 'lukewarm'" in reasons[10]
    assert "names no committee" in reasons[11]
    assert Path(str(report.quarantine_path)).exists()
    big = deal_committee(session, deal_id=world.deals["big"])
    by_name = {m.name: m for m in big.members}
    assert by_name["Ștefan Dumitrescu"].role == "economic_buyer"
    assert by_name["Ștefan Dumitrescu"].attitude == "skeptic"
    assert by_name["Łucja Wójcik"].evidence == "Spotkanie w Katowicach"
    assert by_name["Łucja Wójcik"].added_stage == "Proposal"
    assert by_name["Ștefan Dumitrescu"].share == pytest.approx(5 / 8)
    standing = account_committee(session, domain="ezust.hu")
    assert [(m.name, m.role) for m in standing.members] == [("Ilona Kovács", "executive_sponsor")]
    again = import_file(
        session, entity=EntityKind.COMMITTEE, path=path, options=ImportOptions(partial=True)
    )
    assert (again.imported, again.updated) == (0, 0)


def test_it_reads_a_utf8_bom_file_and_an_exported_xlsx_back(
    session: Session, tmp_path: Path
) -> None:
    world = seed(session)
    good = "\n".join(COMMITTEE_CSV.splitlines()[:3]) + "\n"
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + good.encode("utf-8"))
    assert import_file(session, entity=EntityKind.COMMITTEE, path=path).imported == 2
    before = [
        (m.contact_id, m.role, m.attitude, m.influence)
        for m in svc.deal_members(session, deal_id=world.deals["big"])
    ]
    out = tmp_path / "committee.xlsx"
    export_file(session, entity=EntityKind.COMMITTEE, path=out)
    for m in session.scalars(select(CommitteeMember)):
        session.delete(m)
    session.flush()
    back = import_file(session, entity=EntityKind.COMMITTEE, path=out)
    assert (back.ok, back.imported) == (True, 2)
    after = [
        (m.contact_id, m.role, m.attitude, m.influence)
        for m in svc.deal_members(session, deal_id=world.deals["big"])
    ]
    assert after == before


def test_it_lists_each_risk_of_the_open_deals_and_sorts_by_amount_at_risk(
    session: Session, tmp_path: Path
) -> None:
    world = seed(session)
    import_file(
        session,
        entity=EntityKind.COMMITTEE,
        path=committee_file(tmp_path, world),
        options=ImportOptions(partial=True),
    )
    doc = risk_list(session, sort="amount", now=datetime(2026, 12, 1))
    by_id = {d.deal_id: d for d in doc.deals}
    small = {f.code for f in by_id[world.deals["small"]].flags}
    # Negotiation: no champion, no economic buyer, no procurement; Jón opposes with 5 of 5;
    # Aino left Ezüst on 2026-09-30, her attitude is unknown and her facts date from 2025.
    assert small == {
        "no_economic_buyer",
        "opponent_high_influence",
        "champion_left",
        "missing_role:champion",
        "missing_role:procurement",
        "unknown_attitude_high_influence",
        "stale_verification",
    }
    assert [f.code for f in by_id[world.deals["big"]].flags] == []
    assert [f.code for f in by_id[world.deals["early"]].flags] == ["single_threaded"]
    assert [d.deal_id for d in doc.deals] == [
        world.deals["small"],
        world.deals["early"],
        world.deals["big"],
    ]
    assert by_id[world.deals["big"]].external_id == "HS-1"
    assert by_id[world.deals["small"]].amount_at_risk == 12_000.0
    assert by_id[world.deals["big"]].amount_at_risk == 0.0
    assert doc.amount_at_risk == {"USD": 17_000.0}


def test_it_requires_the_roles_a_pipeline_sets_and_refuses_unknown_ones(session: Session) -> None:
    world = seed(session)
    pipeline = default_pipeline(session)
    assert [r.role for r in svc.requirements(session, pipeline=pipeline)[0]] == [
        "champion",
        "economic_buyer",
        "procurement",
    ]
    svc.set_requirements(session, pipeline_id=pipeline.id, rules=[("Legal", "lead")])
    doc = risk_list(session, deal_id=world.deals["early"])
    assert [f.code for f in doc.deals[0].flags] == ["single_threaded", "missing_role:legal"]
    with pytest.raises(InvalidValueError, match="no open stage 'Closed Won'"):
        svc.set_requirements(session, pipeline_id=pipeline.id, rules=[("legal", "Closed Won")])
    with pytest.raises(InvalidValueError, match="'sherpa' is not in the committee role catalogue"):
        svc.set_requirements(session, pipeline_id=pipeline.id, rules=[("sherpa", "Lead")])
    svc.set_requirements(session, pipeline_id=pipeline.id, rules=[])
    assert svc.requirements(session, pipeline=pipeline)[1] is True


def test_the_role_catalogue_can_grow_and_hide_roles_not_in_use(session: Session) -> None:
    world = seed(session)
    svc.set_role(session, label="Works council")
    assert "works_council" in svc.role_catalogue(session)
    svc.add_member(
        session,
        contact_id=world.contacts["jiri"],
        deal_id=world.deals["big"],
        data=svc.MemberInput(role="Works council"),
    )
    with pytest.raises(ConflictError, match="1 committee members have the role 'works_council'"):
        svc.hide_role(session, key="works council")
    svc.hide_role(session, key="gatekeeper")
    assert "gatekeeper" not in svc.role_catalogue(session)


# -- the CLI and the REST API over a committed workspace ----------------------------------


@pytest.fixture
def world(workspace: Workspace) -> World:
    with workspace.sessions() as s, s.begin():
        return seed(s)


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    with make_client(db_url, workspace) as c:
        yield c


def cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args])


def test_the_cli_keeps_the_risks_contract(db_url: str, world: World, tmp_path: Path) -> None:
    done = cli(db_url, "import", "committee", str(committee_file(tmp_path, world)), "--partial")
    assert done.exit_code == 0, done.output
    result = cli(db_url, "committee", "risks", "--json", "--sort", "amount")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    first = doc["deals"][0]
    assert {"deal_id", "external_id", "name", "stage", "flags", "amount", "amount_at_risk"} <= set(
        first
    )
    assert first["deal_id"] == world.deals["small"]
    assert first["stage"] == "Negotiation"
    assert all({"code", "message"} <= set(f) for f in first["flags"])
    one = json.loads(
        cli(db_url, "committee", "risks", "--deal", str(world.deals["big"]), "--json").stdout
    )
    assert [(d["deal_id"], d["external_id"], d["flags"]) for d in one["deals"]] == [
        (world.deals["big"], "HS-1", [])
    ]
    missing = cli(db_url, "committee", "risks", "--deal", "999999", "--json")
    assert missing.exit_code == 2
    assert "no open deal with id 999999" in missing.stdout


def test_the_cli_sets_lists_and_removes_members(db_url: str, world: World) -> None:
    deal = str(world.deals["early"])
    added = cli(
        db_url,
        "committee",
        "set",
        "--deal",
        deal,
        "--contact",
        "jiri@zabka.pl",
        "--role",
        "Economic buyer",
        "--influence",
        "4",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["created"] is True
    changed = cli(
        db_url,
        "committee",
        "set",
        "--deal",
        deal,
        "--contact",
        "jiri@zabka.pl",
        "--attitude",
        "opponent",
    )
    assert changed.exit_code == 0, changed.output
    listed = json.loads(cli(db_url, "committee", "list", "--deal", deal, "--json").stdout)
    assert [(m["name"], m["role"], m["attitude"], m["share"]) for m in listed["members"]] == [
        ("Jiří Dvořák", "economic_buyer", "opponent", 1.0)
    ]
    assert {f["code"] for f in listed["flags"]} == {"single_threaded", "opponent_high_influence"}
    bad = cli(
        db_url, "committee", "set", "--deal", deal, "--contact", "jiri@zabka.pl", "--role", "wizard"
    )
    assert bad.exit_code == 2
    assert "'wizard' is not in the committee role catalogue" in bad.output
    gone = cli(db_url, "committee", "remove", "--deal", deal, "--contact", "jiri@zabka.pl")
    assert gone.exit_code == 0, gone.output
    listed = json.loads(cli(db_url, "committee", "list", "--deal", deal, "--json").stdout)
    assert listed["members"] == []
    standing = cli(
        db_url,
        "committee",
        "set",
        "--account",
        "ezust.hu",
        "--contact",
        "ilona@ezust.hu",
        "--role",
        "legal",
    )
    assert standing.exit_code == 0, standing.output
    shown = json.loads(cli(db_url, "committee", "list", "--account", "ezust.hu", "--json").stdout)
    assert [m["role"] for m in shown["members"]] == ["legal"]


def test_the_rest_api_edits_a_committee_with_versions(client: TestClient, world: World) -> None:
    url = f"/api/v1/deals/{world.deals['big']}/committee"
    created = client.post(
        url, json={"contact_id": world.contacts["lucja"], "role": "Champion", "influence": 3}
    )
    assert created.status_code == 201, created.text
    member = created.json()
    assert (member["role"], member["attitude"], member["share"]) == ("champion", "unknown", 1.0)
    again = client.post(url, json={"contact_id": world.contacts["lucja"], "role": "Champion"})
    assert again.status_code == 409
    wrong = client.post(url, json={"contact_id": world.contacts["stefan"], "role": "wizard"})
    assert wrong.status_code == 422
    assert "Economic buyer (economic_buyer)" in wrong.text
    one = client.get(f"/api/v1/committee-members/{member['id']}")
    assert one.headers["ETag"] == '"1"'
    patched = client.patch(
        f"/api/v1/committee-members/{member['id']}",
        json={"attitude": "Supporter", "verified_at": "2026-11-30T10:00:00Z"},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["attitude"] == "supporter"
    stale = client.patch(
        f"/api/v1/committee-members/{member['id']}",
        json={"influence": 5},
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 409
    doc = client.get(url).json()
    assert doc["completeness"]["required"] == ["champion", "economic_buyer"]
    assert doc["completeness"]["missing"] == ["economic_buyer"]
    assert {f["code"] for f in doc["flags"]} == {"no_economic_buyer", "single_threaded"}
    risks = client.get("/api/v1/committee/risks", params={"sort": "amount"}).json()
    assert risks["deals"][0]["deal_id"] == world.deals["big"]
    assert (
        client.delete(
            f"/api/v1/committee-members/{member['id']}", headers={"If-Match": '"1"'}
        ).status_code
        == 409
    )
    assert client.delete(f"/api/v1/committee-members/{member['id']}").status_code == 204
    roles = client.get("/api/v1/committee/roles").json()["roles"]
    assert [r["key"] for r in roles][:2] == ["decision_maker", "economic_buyer"]
    assert len(roles) == 11
    pipeline_id = client.get("/api/v1/pipelines").json()[0]["id"]
    put = client.put(
        f"/api/v1/pipelines/{pipeline_id}/required-roles",
        json={"required": [{"role": "Legal", "stage": "Qualified"}]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["required"] == [
        {"role": "legal", "label": "Legal", "stage": "Qualified", "position": 1}
    ]
    assert client.get("/api/v1/committee/wins").status_code == 422


def test_it_flags_verification_older_than_the_setting(session: Session) -> None:
    world = seed(session)
    now = utcnow()
    for key, role in (("lucja", "champion"), ("stefan", "economic_buyer")):
        svc.add_member(
            session,
            contact_id=world.contacts[key],
            deal_id=world.deals["big"],
            data=svc.MemberInput(
                role=role, attitude="supporter", influence=3, verified_at=now - timedelta(days=100)
            ),
        )
    assert deal_committee(session, deal_id=world.deals["big"], stale_days=180).flags == []
    flags = deal_committee(session, deal_id=world.deals["big"], stale_days=90).flags
    assert [f.code for f in flags] == ["stale_verification"]


def test_the_risk_list_turns_garbage_collection_back_on_even_when_it_refuses(
    session: Session,
) -> None:
    import gc

    world = seed(session)
    assert gc.isenabled()
    risk_list(session)
    assert gc.isenabled()
    with pytest.raises(NotFoundError, match="no open deal with id 999999"):
        risk_list(session, deal_id=999_999)
    assert gc.isenabled()
    gc.disable()
    try:
        risk_list(session, deal_id=world.deals["big"])
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
