"""Subject access and erasure: the export holds every kind of record about the person; the
erasure takes them, redacts their name elsewhere and keeps the deal and the colleague."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    CommitteeMember,
    Contact,
    Deal,
    ImportRun,
    Note,
    PersonaAssignment,
    PersonaRun,
)
from buyermap.errors import NotFoundError
from buyermap.services import privacy
from tests.privacy_world import EMAIL, NAME, OTHER_EMAIL, WHEN, seed_person

SECTIONS = {
    "positions": 1,
    "external_refs": 1,
    "notes": 2,
    "survey_answers": 1,
    "form_answers": 1,
    "touchpoints": 1,
    "deals": 1,
    "committee_memberships": 1,
    "relationships": 1,
    "knowledge_values": 1,
    "persona_assignments": 1,
}

REMOVED = {
    "notes": 1,
    "survey_answers": 1,
    "form_answers": 1,
    "touchpoints": 1,
    "deal_links": 1,
    "committee_memberships": 1,
    "relationships": 1,
    "knowledge_values": 1,
    "persona_assignments": 1,
    "external_refs": 1,
    "account_links": 1,
    "contact": 1,
    # the audit log's entries about her records: her contact, the note about her, her
    # committee seat, the tie, the knowledge value, the notes' and seat's creations
    "audit_entries": 6,
}

# the account's extra column; deal name and custom memo; the deal note; Ólafur's
# committee evidence; the persona run's quotes; the import's quarantine CSV
REDACTED = {
    "accounts": 1,
    "deals": 1,
    "notes": 1,
    "committee_members": 1,
    "persona_runs": 1,
    "import_runs": 1,
    "audit_log": 2,  # the deal memo and the account extra column, set after creation, logged
}


def test_the_export_holds_every_kind_of_record_about_the_person(session: Session) -> None:
    world = seed_person(session)

    doc = privacy.export_person(session, email="Lucja@Example.PL").to_dict()

    assert doc["contact"]["full_name"] == NAME
    assert doc["contact"]["email"] == EMAIL
    assert doc["contact"]["custom_fields"] == [
        {"key": "hobby", "label": "hobby", "value": "żeglarstwo"}
    ]
    assert {k: len(v) for k, v in doc["sections"].items() if k in SECTIONS} == SECTIONS
    about, naming = doc["sections"]["notes"]
    assert about["about_them"] is True
    assert naming["names_them"] is True
    assert naming["deal_id"] == world.deal
    tie = doc["sections"]["relationships"][0]
    assert (tie["direction"], tie["other_email"]) == ("to them", OTHER_EMAIL)
    assert doc["sections"]["touchpoints"][0]["at"] == "2026-11-03T10:30:00"
    named = {r["table"] for r in doc["sections"]["records_naming_them"]}
    assert named == {
        "accounts", "deals", "committee_members", "persona_runs", "import_runs", "audit_log"
    }  # fmt: skip
    assert {(e["action"], e["entity"]) for e in doc["audit"]} >= {
        ("create", "contacts"), ("create", "notes")
    }  # fmt: skip
    assert all(e["before"] is None for e in doc["audit"] if e["entity"] == "contacts")


def test_an_unknown_email_is_not_found_and_named(session: Session) -> None:
    seed_person(session)
    with pytest.raises(NotFoundError, match=re.escape("nobody@example.pl")):
        privacy.export_person(session, email="nobody@example.pl")
    with pytest.raises(NotFoundError, match=re.escape("nobody@example.pl")):
        privacy.erase_person(session, email="nobody@example.pl")


def test_a_dry_run_counts_what_would_go_and_changes_nothing(session: Session) -> None:
    seed_person(session)
    before = session.scalar(select(func.count()).select_from(Note))

    report = privacy.erase_person(session, email=EMAIL, dry_run=True)

    assert not report.erased
    assert report.removed == REMOVED
    assert report.redacted == REDACTED
    assert session.scalar(select(Contact.id).where(Contact.email == EMAIL)) is not None
    assert session.scalar(select(func.count()).select_from(Note)) == before


def test_erasure_takes_the_person_and_keeps_the_deal_and_the_colleague(
    session: Session,
) -> None:
    world = seed_person(session)
    version = session.get_one(Deal, world.deal).version

    report = privacy.erase_person(session, email=EMAIL.upper())

    assert report.erased
    assert report.removed == REMOVED
    assert report.redacted == REDACTED
    assert session.get(Contact, world.lucja) is None
    olafur = session.get_one(Contact, world.olafur)
    assert olafur.email == OTHER_EMAIL
    deal = session.get_one(Deal, world.deal)
    assert deal.name == "Platforma – sponsor [erased]"
    assert deal.custom == {"memo": "ask [erased] for the budget"}
    assert deal.version == version + 1  # an editor holding the old version is refused
    assert session.scalars(select(CommitteeMember.evidence)).all() == ["Reports to [erased]"]
    bodies = set(session.scalars(select(Note.body)))
    assert bodies == {"Deal review: [erased] signs; mail [erased]", "Ólafur prefers email."}
    run = session.scalars(select(PersonaRun)).one()
    assert [q["contact_id"] for q in run.result["quotes"]] == [world.olafur]
    assert run.n == 2  # aggregates stay
    assert session.scalars(select(PersonaAssignment.contact_id)).all() == [world.olafur]
    assert session.scalars(select(ImportRun.quarantine_csv)).one() == "email,name,reason\n"


def test_erasure_leaves_longer_names_and_emails_that_contain_hers_alone(
    session: Session,
) -> None:
    seed_person(session)
    session.add_all(
        [
            Contact(first_name="Łucja", last_name="Þórsdóttirová", email="mlucja@example.pl"),
            Contact(first_name="Ana", last_name="Lee", email="lucja@example.pl.eu"),
            Note(body="Łucja Þórsdóttirová (mlucja@example.pl) is someone else", occurred_at=WHEN),
        ]
    )
    session.flush()

    privacy.erase_person(session, email=EMAIL)

    assert set(session.scalars(select(Contact.email))) == {
        OTHER_EMAIL,
        "mlucja@example.pl",
        "lucja@example.pl.eu",
    }
    assert "Łucja Þórsdóttirová (mlucja@example.pl) is someone else" in set(
        session.scalars(select(Note.body))
    )
