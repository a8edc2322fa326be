"""Account knowledge end to end on SQLite and PostgreSQL: account values from won revenue
and stage win rates, tiers, completeness, the CLI contract, special categories, import
with quarantine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.types import utcnow
from buyermap.domain.enums import EntityKind
from buyermap.errors import InvalidValueError
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate, StageChangeCreate
from buyermap.seams.knowledge import account_knowledge, completeness_document
from buyermap.services import committee as committee_svc
from buyermap.services import knowledge as svc
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact
from buyermap.services.deals import create_deal, move_deal
from buyermap.services.workspace import Workspace


@dataclass(frozen=True)
class World:
    accounts: dict[str, int]
    contacts: dict[str, int]


T0 = datetime(2026, 1, 5, 9, 0)


def _deal(session: Session, name: str, account: int, amount: float, *stages: str) -> None:
    deal = create_deal(
        session,
        data=DealCreate(
            name=name, account_id=account, amount=amount, stage=stages[0], opened_at=T0
        ),
    )
    for n, stage in enumerate(stages[1:], start=1):
        move_deal(
            session,
            data=StageChangeCreate(
                deal_id=deal.id, to_stage=stage, changed_at=T0 + timedelta(days=n)
            ),
        )


def seed(session: Session) -> World:
    accounts = {
        key: create_account(session, data=AccountCreate(name=name, domain=domain)).id
        for key, name, domain in (
            ("zabka", "Żabka Śląsk", "zabka.pl"),
            ("ezust", "Ezüst Kft", "ezust.hu"),
            ("thordis", "Þórdís ehf", "thordis.is"),
            ("lodz", "Łódź Tekstil", "lodz.pl"),
        )
    }
    contacts = {}
    for key, first, last, email, at in (
        ("stefan", "Ștefan", "Dumitrescu", "stefan@zabka.pl", "zabka"),
        ("zofie", "Žofie", "Nováková", "zofie@zabka.pl", "zabka"),
        ("osz", "Ősz", "Réka", "osz@ezust.hu", "ezust"),
    ):
        contacts[key] = create_contact(
            session,
            data=ContactCreate(
                first_name=first, last_name=last, email=email, account_id=accounts[at]
            ),
        ).id
    # Proposal: one won and one lost deal passed it -> (1+1)/(2+2) = 0.5
    # Negotiation: one lost deal passed it -> (0+1)/(1+2) = 1/3; Lead: no history -> 0.5
    _deal(session, "Żabka – won", accounts["zabka"], 100_000.0, "Proposal", "Closed Won")
    _deal(session, "Ezüst – lost", accounts["ezust"], 20_000.0, "Proposal", "Closed Lost")
    _deal(session, "Ezüst – lost late", accounts["ezust"], 9_000.0, "Negotiation", "Closed Lost")
    _deal(session, "Żabka – open", accounts["zabka"], 50_000.0, "Proposal")
    _deal(session, "Ezüst – open", accounts["ezust"], 40_000.0, "Negotiation")
    _deal(session, "Þórdís – lead", accounts["thordis"], 10_000.0, "Lead")
    committee_svc.add_member(
        session,
        contact_id=contacts["stefan"],
        account_id=accounts["zabka"],
        data=committee_svc.MemberInput(role="economic_buyer"),
    )
    committee_svc.add_member(
        session,
        contact_id=contacts["zofie"],
        account_id=accounts["zabka"],
        data=committee_svc.MemberInput(role="champion"),
    )
    return World(accounts, contacts)


def test_account_values_add_won_revenue_and_open_deals_at_stage_win_rates(
    session: Session,
) -> None:
    world = seed(session)
    doc = completeness_document(session)
    by_domain = {a.domain: a for a in doc.accounts}
    assert [a.domain for a in doc.accounts] == ["zabka.pl", "ezust.hu", "thordis.is", "lodz.pl"]
    assert by_domain["zabka.pl"].value == 125_000.0  # 100,000 won + 50,000 x 0.5
    assert by_domain["ezust.hu"].value == pytest.approx(13_333.33)  # 40,000 x 1/3
    assert by_domain["thordis.is"].value == 5_000.0  # 10,000 x 0.5
    assert by_domain["lodz.pl"].value == 0.0
    # quantiles of 5,000 / 13,333.33 / 125,000: A from 102,666.67, B 35,666.67, C 10,000
    assert doc.thresholds == pytest.approx({"A": 102_666.67, "B": 35_666.67, "C": 10_000.0})
    assert [by_domain[d].value_tier for d in ("zabka.pl", "ezust.hu", "thordis.is", "lodz.pl")] == [
        "A",
        "C",
        "D",
        "D",
    ]
    fixed = completeness_document(session, tiers="100000,10000,1000")
    assert [a.value_tier for a in fixed.accounts] == ["A", "B", "C", "D"]
    assert fixed.thresholds_from == "setting"
    assert world.accounts["zabka"] == fixed.accounts[0].account_id


def test_completeness_moves_as_values_are_kept_and_dm_fields_are_per_decision_maker(
    session: Session,
) -> None:
    world = seed(session)
    zabka = committee_svc.get_account(session, account_id=world.accounts["zabka"])
    before = completeness_document(session, domain="zabka.pl").accounts[0]
    assert "motivation" in before.required  # an A account with a decision maker
    assert before.filled == []
    assert before.completeness == 0.0
    svc.set_value(session, account=zabka, key="purchase_budget", raw="250 000")
    svc.set_value(
        session,
        account=zabka,
        key="motivation",
        raw="Cut costs",
        contact_id=world.contacts["stefan"],
    )
    after = completeness_document(session, domain="zabka.pl").accounts[0]
    assert after.filled == ["purchase_budget", "motivation"]
    assert after.completeness == pytest.approx(2 / len(after.required), abs=1e-4)
    assert "purchase_budget" not in [n.key for n in after.next_best]
    with pytest.raises(InvalidValueError, match=r"not a decision maker of zabka\.pl"):
        svc.set_value(
            session, account=zabka, key="motivation", raw="x", contact_id=world.contacts["zofie"]
        )
    with pytest.raises(InvalidValueError, match="is about a person"):
        svc.set_value(session, account=zabka, key="motivation", raw="x")
    with pytest.raises(InvalidValueError, match="about the account, not a person"):
        svc.set_value(
            session,
            account=zabka,
            key="history",
            raw="x",
            contact_id=world.contacts["stefan"],
        )
    # the standing group has no decision maker at Ezüst: no decision-maker fields required
    ezust = completeness_document(session, domain="ezust.hu").accounts[0]
    assert not {"motivation", "formal_position"} & set(ezust.required)


def test_knowledge_not_verified_within_the_setting_is_stale(session: Session) -> None:
    world = seed(session)
    zabka = committee_svc.get_account(session, account_id=world.accounts["zabka"])
    now = utcnow()
    svc.set_value(
        session, account=zabka, key="history", raw="1990", verified_at=now - timedelta(days=400)
    )
    svc.set_value(
        session, account=zabka, key="markets", raw="PL; CZ", verified_at=now - timedelta(days=10)
    )
    doc = completeness_document(session, domain="zabka.pl", stale_days=365, now=now)
    assert doc.accounts[0].stale == ["history"]
    assert completeness_document(session, domain="zabka.pl", stale_days=500).accounts[0].stale == []
    shown = account_knowledge(session, domain="zabka.pl", stale_days=365, now=now)
    company = {v.key: v for v in shown.blocks[0].fields}
    assert company["history"].stale
    assert not company["markets"].stale
    assert company["markets"].shown == "PL; CZ"


def test_special_categories_refuse_values_until_enabled_with_a_legal_basis(
    session: Session,
) -> None:
    world = seed(session)
    zabka = committee_svc.get_account(session, account_id=world.accounts["zabka"])
    stefan = world.contacts["stefan"]
    with pytest.raises(InvalidValueError, match="disabled and takes no values"):
        svc.set_value(session, account=zabka, key="health", raw="asthma", contact_id=stefan)
    with pytest.raises(InvalidValueError, match="needs the legal basis"):
        svc.enable_field(session, key="health", legal_basis="   ")
    field = svc.enable_field(
        session, key="health", legal_basis="explicit consent, form 14", by="ewa"
    )
    assert (field.enabled, field.legal_basis, field.legal_basis_by) == (
        True,
        "explicit consent, form 14",
        "ewa",
    )
    assert field.legal_basis_at is not None
    svc.set_value(session, account=zabka, key="health", raw="asthma", contact_id=stefan)
    svc.disable_field(session, key="health")
    with pytest.raises(InvalidValueError, match="disabled"):
        svc.set_value(session, account=zabka, key="health", raw="none", contact_id=stefan)
    kept = [v for b in account_knowledge(session, domain="zabka.pl").blocks for v in b.fields]
    assert [(v.key, v.data_class, v.enabled) for v in kept if v.key == "health"] == [
        ("health", "special_category", False)
    ]


def test_teams_change_the_template_and_add_custom_fields(session: Session) -> None:
    seed(session)
    svc.change_field(session, key="markets", data=svc.FieldChange(from_tier="B", cost=3))
    svc.change_field(
        session,
        key="fleet_size",
        data=svc.FieldChange(label="Fleet size", block="company", type="number", from_tier="D"),
    )
    fields = {f.key: f for f in svc.template(session)}
    assert (fields["markets"].from_tier, fields["markets"].cost) == ("B", 3)
    assert fields["fleet_size"].custom
    lodz = completeness_document(session, domain="lodz.pl").accounts[0]
    assert "fleet_size" in lodz.required
    assert "markets" not in lodz.required
    with pytest.raises(InvalidValueError, match="block, type and data class stay"):
        svc.change_field(session, key="markets", data=svc.FieldChange(type="number"))
    with pytest.raises(InvalidValueError, match="special categories are not added"):
        svc.change_field(
            session,
            key="blood_group",
            data=svc.FieldChange(
                label="Blood", block="decision_maker", type="text", data_class="special_category"
            ),
        )
    with pytest.raises(InvalidValueError, match="needs label, block, type"):
        svc.change_field(session, key="new_thing", data=svc.FieldChange(cost=2))


KNOWLEDGE_CSV = (
    "\ufeffaccount_domain;field;value;contact_email;verified_at\n"
    "zabka.pl;purchase_budget;250 000;;2026-11-02\n"
    "zabka.pl;Current suppliers;Łódź Druk; Žofie s.r.o.;;\n"
    "zabka.pl;motivation;Wants fewer suppliers;stefan@zabka.pl;2026-10-01\n"
    "ezust.hu;decision_timeline;2027-03-31;;\n"
    "nowhere.pl;markets;PL;;\n"
    "zabka.pl;wizardry;lots;;\n"
    "zabka.pl;health;asthma;stefan@zabka.pl;\n"
    "zabka.pl;purchase_budget;lots;;\n"
    "zabka.pl;motivation;Growth;zofie@zabka.pl;\n"
    "zabka.pl;tenure;4;;\n"
    "zabka.pl;attitude_us;warm;nobody@zabka.pl;\n"
)


def test_the_importer_keeps_good_rows_and_quarantines_bad_ones_with_reasons(
    session: Session, tmp_path: Path
) -> None:
    seed(session)
    path = tmp_path / "wiedza.csv"
    # "Łódź Druk; Žofie s.r.o." would split on the semicolon: quote it as Excel does
    path.write_bytes(
        KNOWLEDGE_CSV.replace("Łódź Druk; Žofie s.r.o.", '"Łódź Druk, Žofie s.r.o."').encode()
    )
    refused = import_file(session, entity=EntityKind.KNOWLEDGE, path=path)
    assert refused.imported == 0
    report = import_file(
        session, entity=EntityKind.KNOWLEDGE, path=path, options=ImportOptions(partial=True)
    )
    assert report.imported == 4
    assert report.quarantine_path is not None
    reasons = Path(report.quarantine_path).read_text(encoding="utf-8")
    for expected in (
        "no account with domain 'nowhere.pl'",
        "no knowledge field 'wizardry'",
        "disabled and takes no values",
        "'lots' is not a number",
        "not a decision maker of zabka.pl",
        "is about a person",
        "no contact with email 'nobody@zabka.pl'",
    ):
        assert expected in reasons, expected
    doc = completeness_document(session, domain="zabka.pl").accounts[0]
    assert set(doc.filled) >= {"purchase_budget", "current_suppliers", "motivation"}
    shown = {
        v.key: v for b in account_knowledge(session, domain="zabka.pl").blocks for v in b.fields
    }
    assert shown["purchase_budget"].value == 250000.0
    assert shown["current_suppliers"].value == ["Łódź Druk, Žofie s.r.o."]
    again = import_file(
        session, entity=EntityKind.KNOWLEDGE, path=path, options=ImportOptions(partial=True)
    )
    assert again.imported == 0
    out = tmp_path / "export.csv"
    assert export_file(session, entity=EntityKind.KNOWLEDGE, path=out) == 4
    back = import_file(session, entity=EntityKind.KNOWLEDGE, path=out)
    assert back.imported == 0, back


# -- the CLI over a committed workspace ---------------------------------------------------


@pytest.fixture
def world(workspace: Workspace) -> World:
    with workspace.sessions() as s, s.begin():
        return seed(s)


def cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args])


def test_the_cli_keeps_the_knowledge_contract(db_url: str, world: World) -> None:
    template = json.loads(cli(db_url, "knowledge", "template", "--json").stdout)
    first = template["fields"][0]
    assert {"key", "label", "block", "type", "data_class", "enabled", "from_tier", "cost"} <= set(
        first
    )
    assert {f["block"] for f in template["fields"]} == {
        "company",
        "decision_group",
        "decision_maker",
    }
    kept = cli(db_url, "knowledge", "set", "--account", "zabka.pl", "purchase_budget", "250000")
    assert kept.exit_code == 0, kept.output
    dm = cli(
        db_url,
        "knowledge",
        "set",
        "--account",
        "zabka.pl",
        "motivation",
        "Fewer suppliers",
        "--contact",
        "stefan@zabka.pl",
        "--verified-at",
        "2026-11-30",
    )
    assert dm.exit_code == 0, dm.output
    result = cli(db_url, "knowledge", "completeness", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    one = doc["accounts"][0]
    assert {
        "account_id",
        "value",
        "value_tier",
        "required",
        "filled",
        "completeness",
        "next_best",
        "stale",
        "name",
        "domain",
    } <= set(one)
    assert (one["domain"], one["value"], one["value_tier"]) == ("zabka.pl", 125000.0, "A")
    assert one["filled"] == ["purchase_budget", "motivation"]
    assert all({"key", "why"} <= set(n) for n in one["next_best"])
    only = json.loads(
        cli(db_url, "knowledge", "completeness", "--account", "ezust.hu", "--json").stdout
    )
    assert [a["domain"] for a in only["accounts"]] == ["ezust.hu"]
    shown = json.loads(cli(db_url, "knowledge", "show", "--account", "zabka.pl", "--json").stdout)
    maker = next(v for v in shown["blocks"][2]["fields"] if v["key"] == "motivation")
    assert (maker["contact"], maker["value"], maker["data_class"]) == (
        "Ștefan Dumitrescu",
        "Fewer suppliers",
        "personal_profile",
    )
    refused = cli(
        db_url,
        "knowledge",
        "set",
        "--account",
        "zabka.pl",
        "health",
        "ok",
        "--contact",
        "stefan@zabka.pl",
    )
    assert refused.exit_code == 2
    assert "disabled" in refused.output
    assert cli(db_url, "knowledge", "enable", "health").exit_code == 2
    enabled = cli(
        db_url, "knowledge", "enable", "health", "--legal-basis", "consent", "--by", "ewa", "--json"
    )
    assert json.loads(enabled.stdout)["legal_basis_by"] == "ewa"
    assert cli(db_url, "knowledge", "disable", "health").exit_code == 0
    missing = cli(db_url, "knowledge", "completeness", "--account", "nowhere.pl", "--json")
    assert missing.exit_code == 2
    assert "nowhere.pl" in missing.output


def test_an_exported_xlsx_imports_back_into_a_fresh_copy_of_the_values(
    session: Session, tmp_path: Path
) -> None:
    world = seed(session)
    zabka = committee_svc.get_account(session, account_id=world.accounts["zabka"])
    svc.set_value(session, account=zabka, key="current_suppliers", raw="Łódź Druk; Žofie s.r.o.")
    svc.set_value(
        session, account=zabka, key="attitude_us", raw="warm", contact_id=world.contacts["stefan"]
    )
    out = tmp_path / "wiedza.xlsx"
    assert export_file(session, entity=EntityKind.KNOWLEDGE, path=out) == 2
    svc.remove_value(session, account_id=zabka.id, key="current_suppliers")
    back = import_file(session, entity=EntityKind.KNOWLEDGE, path=out)
    assert back.imported == 1, back
    shown = {
        (v.key, v.contact): v.value
        for b in account_knowledge(session, domain="zabka.pl").blocks
        for v in b.fields
        if v.value is not None
    }
    assert shown == {
        ("current_suppliers", None): ["Łódź Druk", "Žofie s.r.o."],
        ("attitude_us", "Ștefan Dumitrescu"): "warm",
    }


def test_the_cli_adds_a_custom_field_and_refuses_a_bad_tier_or_date(
    db_url: str, world: World
) -> None:
    added = cli(
        db_url,
        "knowledge",
        "field",
        "fleet_size",
        "--label",
        "Fleet size",
        "--block",
        "company",
        "--type",
        "number",
        "--from-tier",
        "b",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["from_tier"] == "B"
    fields = json.loads(cli(db_url, "knowledge", "template", "--json").stdout)["fields"]
    assert fields[-1]["key"] == "fleet_size"
    assert fields[-1]["custom"] is True
    bad = cli(db_url, "knowledge", "field", "markets", "--from-tier", "E")
    assert bad.exit_code == 2
    assert "tier 'E' is not one of A, B, C, D" in bad.output
    when = cli(
        db_url,
        "knowledge",
        "set",
        "--account",
        "zabka.pl",
        "history",
        "1990",
        "--verified-at",
        "yesterday",
    )
    assert when.exit_code == 2
    assert "'yesterday' is not a date" in when.output
    aware = cli(
        db_url,
        "knowledge",
        "set",
        "--account",
        "zabka.pl",
        "history",
        "1990",
        "--verified-at",
        "2026-11-30T10:00:00+01:00",
        "--json",
    )
    assert aware.exit_code == 0, aware.output
