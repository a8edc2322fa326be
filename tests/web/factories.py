"""A small, declarative sales workspace for web tests (and the browser test's fallback).

What is planted:

* three accounts: Acme Corp (Software, US), Globex (Manufacturing, DE), Initech (Software, US);
* four people: Ada Lovelace (CFO) and Grace Hopper (CTO) at Acme, Linus Torvalds at Globex,
  and Grace's earlier position at Initech (ended 2025-12-31);
* three deals, each with its stage history written as (stage, date) pairs below:
  "Acme platform" won, "Globex pilot" still open in Qualified, "Initech renewal" lost
  (reason "Budget cut");
* Ada sits on the Acme platform buying committee (economic buyer, influence 5);
* one note each on Acme, Ada and the Acme platform deal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from buyermap.db.models import CommitteeMember
from buyermap.schemas.entities import (
    AccountCreate,
    ContactCreate,
    DealCreate,
    NoteCreate,
    StageChangeCreate,
)
from buyermap.services.accounts import create_account
from buyermap.services.contacts import create_contact, link_contact
from buyermap.services.deals import create_deal, move_deal
from buyermap.services.notes import add_note

ACCOUNTS = {
    "acme": AccountCreate(
        name="Acme Corp", domain="acme.com", industry="Software", employees=500, country="US"
    ),
    "globex": AccountCreate(
        name="Globex", domain="globex.com", industry="Manufacturing", employees=12000, country="DE"
    ),
    "initech": AccountCreate(
        name="Initech", domain="initech.com", industry="Software", employees=80, country="US"
    ),
}

# deal key -> (name, account key, amount, [(stage, when), ...], lost reason)
DEALS: dict[str, tuple[str, str, float, list[tuple[str, datetime]], str | None]] = {
    "acme_platform": (
        "Acme platform",
        "acme",
        120_000.0,
        [
            ("Lead", datetime(2026, 1, 5)),
            ("Qualified", datetime(2026, 1, 10)),
            ("Discovery", datetime(2026, 1, 20)),
            ("Proposal", datetime(2026, 2, 10)),
            ("Closed Won", datetime(2026, 3, 1)),
        ],
        None,
    ),
    "globex_pilot": (
        "Globex pilot",
        "globex",
        30_000.0,
        [("Lead", datetime(2026, 4, 1)), ("Qualified", datetime(2026, 4, 15))],
        None,
    ),
    "initech_renewal": (
        "Initech renewal",
        "initech",
        8_000.0,
        [("Lead", datetime(2026, 2, 1)), ("Closed Lost", datetime(2026, 2, 20))],
        "Budget cut",
    ),
}


@dataclass(frozen=True)
class Seeded:
    accounts: dict[str, int]
    contacts: dict[str, int]
    deals: dict[str, int]


def seed_sales(session: Session) -> Seeded:
    """Plant the workspace described in the module docstring; returns the ids by key."""
    accounts = {key: create_account(session, data=data).id for key, data in ACCOUNTS.items()}
    people = {
        "ada": ContactCreate(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@acme.com",
            job_title="CFO",
            account_id=accounts["acme"],
        ),
        "grace": ContactCreate(
            first_name="Grace",
            last_name="Hopper",
            email="grace@acme.com",
            job_title="CTO",
            account_id=accounts["acme"],
        ),
        "linus": ContactCreate(
            first_name="Linus",
            last_name="Torvalds",
            email="linus@globex.com",
            job_title="Head of Engineering",
            account_id=accounts["globex"],
        ),
    }
    contacts = {key: create_contact(session, data=data).id for key, data in people.items()}
    link_contact(
        session,
        contact_id=contacts["grace"],
        account_id=accounts["initech"],
        title="Engineer",
        start_date=date(2020, 1, 1),
        end_date=date(2025, 12, 31),
    )
    deals: dict[str, int] = {}
    for key, (name, account_key, amount, moves, lost_reason) in DEALS.items():
        first_stage, opened = moves[0]
        deal = create_deal(
            session,
            data=DealCreate(
                name=name,
                account_id=accounts[account_key],
                amount=amount,
                stage=first_stage,
                opened_at=opened,
                source="Inbound",
            ),
        )
        for stage, when in moves[1:]:
            reason = lost_reason if stage == "Closed Lost" else None
            move_deal(
                session,
                data=StageChangeCreate(
                    deal_id=deal.id, to_stage=stage, changed_at=when, lost_reason=reason
                ),
            )
        deals[key] = deal.id
    session.add(
        CommitteeMember(
            account_id=accounts["acme"],
            deal_id=deals["acme_platform"],
            contact_id=contacts["ada"],
            role="economic_buyer",
            formal_position="CFO",
            influence=5,
            attitude="supporter",
        )
    )
    add_note(session, data=NoteCreate(body="Met at the trade fair.", account_id=accounts["acme"]))
    add_note(session, data=NoteCreate(body="Signs off on budgets.", contact_id=contacts["ada"]))
    add_note(
        session,
        data=NoteCreate(body="Security review passed.", deal_id=deals["acme_platform"]),
    )
    session.flush()
    return Seeded(accounts=accounts, contacts=contacts, deals=deals)
