"""A small workspace around one person, Łucja Þórsdóttir (lucja@example.pl), for the
subject-access and erasure tests: every kind of record about her, records that only name
her, and a colleague (Ólafur Gíslason) who must outlive her erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    CommitteeMember,
    Contact,
    ContactRelationship,
    ContentAsset,
    Deal,
    DealContact,
    ExternalRef,
    FormAnswer,
    ImportRun,
    KnowledgeValue,
    Note,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
    SurveyAnswer,
    Touchpoint,
)
from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact
from buyermap.services.deals import create_deal

NAME = "Łucja Þórsdóttir"
MIXED = "ŁUcja  ÞórsDÓttir"
EMAIL = "lucja@example.pl"
OTHER_EMAIL = "olafur@example.pl"
WHEN = datetime(2026, 11, 3, 10, 30)


@dataclass(frozen=True)
class PrivacyWorld:
    account: int
    deal: int
    lucja: int
    olafur: int


def seed_person(session: Session) -> PrivacyWorld:
    account = create_account(session, data=AccountCreate(name="Hekla ehf", domain="hekla.is"))
    lucja = create_contact(
        session,
        data=ContactCreate(
            first_name="Łucja",
            last_name="Þórsdóttir",
            email=EMAIL,
            phone="+48 600 100 200",
            job_title="Dyrektorka zakupów",
            account_id=account.id,
        ),
    )
    olafur = create_contact(
        session,
        data=ContactCreate(
            first_name="Ólafur", last_name="Gíslason", email=OTHER_EMAIL, account_id=account.id
        ),
    )
    deal = create_deal(
        session, data=DealCreate(name=f"Platforma – sponsor {NAME}", account_id=account.id)
    )
    session.get_one(Contact, lucja.id).custom = {"hobby": "żeglarstwo"}
    session.get_one(Deal, deal.id).custom = {"memo": f"ask {EMAIL} for the budget"}
    # mixed case, in JSON (which SQLite keeps ASCII-escaped)
    session.get_one(Account, account.id).extra = {"contact person": MIXED}
    asset = ContentAsset(title="Case study", url="https://example.com/case")
    run = PersonaRun(
        run_key="run-1",
        inputs_hash="0" * 64,
        version="1",
        k=1,
        n=2,
        result={
            "personas": [{"key": "p1", "name": "Buyers", "size": 2}],
            "quotes": [
                {"contact_id": lucja.id, "text": "Cena jest ważna", "contact_name": NAME},
                {"contact_id": olafur.id, "text": "Support matters", "contact_name": "Ó G"},
            ],
        },
        is_active=True,
    )
    session.add_all([asset, run])
    session.flush()
    session.add_all(
        [
            ExternalRef(entity="contact", entity_id=lucja.id, system="hubspot", value="901"),
            Note(body=f"Call with {NAME}: wants SSO.", occurred_at=WHEN, contact_id=lucja.id),
            Note(
                body=f"Deal review: ŁUCJA ÞÓRSDÓTTIR signs; mail {EMAIL.upper()}",
                occurred_at=WHEN,
                deal_id=deal.id,
            ),
            Note(body="Ólafur prefers email.", occurred_at=WHEN, contact_id=olafur.id),
            SurveyAnswer(
                survey="nps",
                question="score",
                contact_id=lucja.id,
                value_number=9,
                answered_at=WHEN,
            ),
            FormAnswer(
                source_file="form.csv",
                line=2,
                respondent=EMAIL,
                persona_key="p1",
                question="Co było najtrudniejsze?",
                answer="Wdrożenie",
                answered_at=WHEN,
            ),
            Touchpoint(contact_id=lucja.id, asset_id=asset.id, at=WHEN, channel="email"),
            DealContact(deal_id=deal.id, contact_id=lucja.id, role="sponsor", is_primary=True),
            CommitteeMember(
                account_id=account.id,
                deal_id=deal.id,
                contact_id=lucja.id,
                role="economic_buyer",
                evidence="She said so",
            ),
            CommitteeMember(
                account_id=account.id,
                deal_id=deal.id,
                contact_id=olafur.id,
                role="champion",
                evidence=f"Reports to {NAME}",
            ),
            ContactRelationship(
                from_contact_id=olafur.id, to_contact_id=lucja.id, kind="reports_to"
            ),
            KnowledgeValue(
                account_id=account.id, contact_id=lucja.id, field_key="dm_goals", value="growth"
            ),
            PersonaRow(run_id=run.id, key="p1", name="Buyers", title="Buyers", size=2, share=1),
            PersonaAssignment(
                run_id=run.id, contact_id=lucja.id, persona_key="p1", probability=0.9
            ),
            PersonaAssignment(
                run_id=run.id, contact_id=olafur.id, persona_key="p1", probability=0.8
            ),
            ImportRun(
                entity="contact",
                file_name="people.csv",
                file_sha256="1" * 64,
                rejected=1,
                quarantine_csv=f"email,name,reason\n{EMAIL},{NAME},duplicate\n",
            ),
        ]
    )
    session.flush()
    return PrivacyWorld(account=account.id, deal=deal.id, lucja=lucja.id, olafur=olafur.id)


def traces() -> list[bytes]:
    """What must not be left anywhere: the name and email, as UTF-8 and as JSON escapes
    them (SQLite keeps JSON ASCII-escaped)."""
    out = []
    for text in (NAME, NAME.upper(), MIXED, EMAIL, EMAIL.upper(), "Þórsdóttir"):
        out.append(text.encode("utf-8"))
        out.append(text.encode("ascii", "backslashreplace").replace(b"\\x", b"\\u00"))
    return out
