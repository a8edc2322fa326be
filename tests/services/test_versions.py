"""A save that started from an older version is refused with both values; others apply."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from buyermap.errors import ConflictError
from buyermap.schemas.entities import (
    AccountCreate,
    AccountUpdate,
    ContactCreate,
    ContactUpdate,
    DealCreate,
    DealUpdate,
)
from buyermap.schemas.notes import NoteCreate, NoteUpdate
from buyermap.services import accounts, contacts, deals, notes


def test_every_save_counts_one_version(session: Session) -> None:
    account = accounts.create_account(session, data=AccountCreate(name="Łódź Sp. z o.o."))
    assert account.version == 1
    accounts.update_account(session, account_id=account.id, data=AccountUpdate(industry="Retail"))
    assert account.version == 2
    accounts.update_account(
        session, account_id=account.id, data=AccountUpdate(country="PL", version=2)
    )
    assert account.version == 3


def test_a_stale_save_is_refused_naming_both_values(session: Session) -> None:
    account = accounts.create_account(session, data=AccountCreate(name="Þórsmörk ehf."))
    accounts.update_account(session, account_id=account.id, data=AccountUpdate(industry="Energy"))
    with pytest.raises(ConflictError, match=r"version 1, it is at version 2.*industry") as err:
        accounts.update_account(
            session,
            account_id=account.id,
            data=AccountUpdate(industry="Fishing", name="Þórsmörk ehf.", version=1),
        )
    assert err.value.details["version"] == 2
    # the name is the same on both sides: only the industry is in conflict
    assert err.value.details["conflicts"] == [
        {"field": "industry", "yours": "Fishing", "saved": "Energy"}
    ]
    assert account.industry == "Energy"
    assert account.version == 2


def test_a_save_without_a_version_is_applied_whatever_the_version(session: Session) -> None:
    person = contacts.create_contact(session, data=ContactCreate(first_name="Ágnes"))
    contacts.update_contact(session, contact_id=person.id, data=ContactUpdate(last_name="Kovács"))
    contacts.update_contact(session, contact_id=person.id, data=ContactUpdate(phone="+36 1 234"))
    assert (person.last_name, person.phone, person.version) == ("Kovács", "+36 1 234", 3)


@pytest.mark.parametrize("kind", ["contact", "deal", "note"])
def test_contacts_deals_and_notes_refuse_stale_saves_too(session: Session, kind: str) -> None:
    if kind == "contact":
        person = contacts.create_contact(session, data=ContactCreate(first_name="Ioana"))
        contacts.update_contact(session, contact_id=person.id, data=ContactUpdate(phone="1"))
        with pytest.raises(ConflictError, match="contact"):
            contacts.update_contact(
                session, contact_id=person.id, data=ContactUpdate(phone="2", version=1)
            )
    elif kind == "deal":
        deal = deals.create_deal(session, data=DealCreate(name="Licence"))
        deals.update_deal(session, deal_id=deal.id, data=DealUpdate(amount=100))
        with pytest.raises(ConflictError, match="deal"):
            deals.update_deal(session, deal_id=deal.id, data=DealUpdate(amount=5, version=1))
    else:
        account = accounts.create_account(session, data=AccountCreate(name="Oy Sauna Ab"))
        note = notes.add_note(session, data=NoteCreate(body="Soitto", account_id=account.id))
        notes.update_note(session, note_id=note.id, data=NoteUpdate(body="Soitto tehty"))
        with pytest.raises(ConflictError, match="note"):
            notes.update_note(session, note_id=note.id, data=NoteUpdate(body="x", version=1))


def test_a_new_deal_starts_at_version_one_with_its_stage_set(session: Session) -> None:
    deal = deals.create_deal(session, data=DealCreate(name="Kraków fit-out"))
    session.expire_all()
    fresh = deals.get_deal(session, deal_id=deal.id)
    assert fresh.version == 1
    assert fresh.stage is not None
    assert fresh.status == "open"
    assert fresh.closed_at is None
    deals.update_deal(session, deal_id=deal.id, data=DealUpdate(amount=10.0, version=1))
    assert fresh.version == 2
