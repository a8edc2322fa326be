"""A delete says what it takes with it and keeps what belongs to other records."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import CommitteeMember, Note
from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate, NoteCreate
from buyermap.services import accounts, contacts, deals, notes


def _setup(session: Session) -> tuple[int, int, int]:
    account = accounts.create_account(session, data=AccountCreate(name="Acme"))
    person = contacts.create_contact(
        session, data=ContactCreate(first_name="Ada", account_id=account.id)
    )
    deal = deals.create_deal(session, data=DealCreate(name="Platform", account_id=account.id))
    return account.id, person.id, deal.id


def _note(session: Session, body: str, **links: int) -> int:
    return notes.add_note(session, data=NoteCreate(body=body, **links)).id


def _notes(session: Session) -> set[str]:
    return set(session.scalars(select(Note.body)))


def test_deleting_an_account_keeps_notes_also_about_its_deals_and_contacts(
    session: Session,
) -> None:
    account, person, deal = _setup(session)
    _note(session, "account only", account_id=account)
    _note(session, "account and deal", account_id=account, deal_id=deal)
    _note(session, "account and person", account_id=account, contact_id=person)

    summary = accounts.delete_account(session, account_id=account)

    assert _notes(session) == {"account and deal", "account and person"}
    assert summary.notes_deleted == 1
    assert summary.notes_kept == 2
    assert summary.positions == 1
    assert summary.deals_unlinked == 1
    kept = session.scalars(select(Note).where(Note.body == "account and deal")).one()
    assert kept.account_id is None
    assert kept.deal_id == deal


def test_deleting_an_account_keeps_its_deals_committees_with_the_deals(
    session: Session,
) -> None:
    account, person, deal = _setup(session)
    session.add(CommitteeMember(account_id=account, deal_id=deal, contact_id=person, role="buyer"))
    session.add(CommitteeMember(account_id=account, contact_id=person, role="champion"))
    session.flush()
    summary = accounts.delete_account(session, account_id=account)
    assert (summary.committee_members, summary.committee_members_kept) == (1, 1)
    kept = session.scalars(select(CommitteeMember)).one()
    assert (kept.account_id, kept.deal_id, kept.role) == (None, deal, "buyer")


def test_deleting_an_account_takes_its_own_committee(session: Session) -> None:
    account, person, _ = _setup(session)
    session.add(CommitteeMember(account_id=account, contact_id=person, role="buyer"))
    session.flush()
    summary = accounts.delete_account(session, account_id=account)
    assert summary.committee_members == 1
    assert session.scalar(select(func.count()).select_from(CommitteeMember)) == 0


def test_deleting_a_deal_or_a_person_keeps_notes_also_about_other_records(
    session: Session,
) -> None:
    account, person, deal = _setup(session)
    _note(session, "deal only", deal_id=deal)
    _note(session, "deal and person", deal_id=deal, contact_id=person)
    _note(session, "person and account", contact_id=person, account_id=account)
    deals.delete_deal(session, deal_id=deal)
    assert _notes(session) == {"deal and person", "person and account"}
    kept = session.scalars(select(Note).where(Note.body == "deal and person")).one()
    assert (kept.deal_id, kept.contact_id) == (None, person)
    contacts.delete_contact(session, contact_id=person)  # that note is the person's alone now
    assert _notes(session) == {"person and account"}
    left = session.scalars(select(Note)).one()
    assert (left.account_id, left.contact_id) == (account, None)
