"""Accounts and contacts services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import AccountCreate, AccountUpdate, ContactCreate, ContactUpdate
from buyermap.services import accounts, contacts
from buyermap.services.filters import AccountFilter
from buyermap.services.listing import ListQuery


def _account(session: Session, name: str, **kw: object) -> int:
    return accounts.create_account(session, data=AccountCreate(name=name, **kw)).id


def test_it_normalises_the_domain_of_a_new_account(session: Session) -> None:
    acc = accounts.create_account(
        session, data=AccountCreate(name="Acme", domain="https://www.Acme.com/about")
    )
    assert acc.domain == "acme.com"


def test_it_rejects_a_value_that_is_no_domain() -> None:
    with pytest.raises(ValidationError, match="not a domain"):
        AccountCreate(name="Acme", domain="not a domain")


def test_it_refuses_a_second_account_with_the_same_domain(session: Session) -> None:
    _account(session, "Acme", domain="acme.com")
    with pytest.raises(ConflictError, match=r"acme\.com"):
        _account(session, "Acme Two", domain="acme.com")


def test_it_refuses_a_parent_that_would_make_a_cycle(session: Session) -> None:
    holding = _account(session, "Holding")
    child = _account(session, "Child", parent_id=holding)
    with pytest.raises(InvalidValueError, match="cycle"):
        accounts.update_account(session, account_id=holding, data=AccountUpdate(parent_id=child))


def test_it_names_the_missing_account(session: Session) -> None:
    with pytest.raises(NotFoundError, match="no account with id 999"):
        accounts.get_account(session, account_id=999)


def test_it_searches_sorts_and_pages_accounts(session: Session) -> None:
    for i, industry in enumerate(["software", "retail", "software", "logistics", "software"]):
        _account(session, f"Company {i}", industry=industry, employees=(i + 1) * 10)
    listed = accounts.list_accounts(
        session, query=ListQuery(q="SOFT", sort="-employees", page=1, page_size=2)
    )
    assert listed.total == 3
    assert listed.pages == 2
    assert [a.employees for a in listed.items] == [50, 30]
    second = accounts.list_accounts(
        session, query=ListQuery(q="soft", sort="-employees", page=2, page_size=2)
    )
    assert [a.employees for a in second.items] == [10]


def test_it_rejects_an_unknown_sort_field_and_lists_the_valid_ones(session: Session) -> None:
    with pytest.raises(InvalidValueError, match=r"cannot sort by 'colour'.*employees"):
        accounts.list_accounts(session, query=ListQuery(sort="colour"))


def test_a_contact_keeps_past_and_present_positions(session: Session) -> None:
    old = _account(session, "Old Co")
    new = _account(session, "New Co")
    person = contacts.create_contact(
        session, data=ContactCreate(first_name="Ada", last_name="King", email="ADA@new.co")
    )
    contacts.link_contact(
        session,
        contact_id=person.id,
        account_id=old,
        title="Analyst",
        start_date=date(2019, 1, 1),
        end_date=date(2022, 6, 30),
    )
    contacts.link_contact(
        session, contact_id=person.id, account_id=new, title="CFO", start_date=date(2022, 7, 1)
    )
    positions = contacts.contact_positions(session, contact_id=person.id)
    assert [(a.name, link.title, link.end_date) for link, a in positions] == [
        ("New Co", "CFO", None),
        ("Old Co", "Analyst", date(2022, 6, 30)),
    ]
    assert person.email == "ada@new.co"
    assert [c.id for _, c in accounts.account_contacts(session, account_id=new)] == [person.id]


def test_it_refuses_a_second_contact_with_the_same_email(session: Session) -> None:
    contacts.create_contact(session, data=ContactCreate(email="a@b.co"))
    other = contacts.create_contact(session, data=ContactCreate(email="c@b.co"))
    with pytest.raises(ConflictError, match=r"a@b\.co"):
        contacts.update_contact(session, contact_id=other.id, data=ContactUpdate(email="a@b.co"))


def test_contacts_of_an_account_are_listed_by_name(session: Session) -> None:
    acc = _account(session, "Acme")
    for first, last in [("Zoe", "Young"), ("Ann", "Adams")]:
        contacts.create_contact(
            session, data=ContactCreate(first_name=first, last_name=last, account_id=acc)
        )
    contacts.create_contact(session, data=ContactCreate(first_name="Not", last_name="Linked"))
    listed = contacts.list_contacts(session, query=ListQuery(), account_id=acc)
    assert [c.full_name for c in listed.items] == ["Ann Adams", "Zoe Young"]


@pytest.mark.parametrize("sort", ["name", "-name", "industry", "-fit"])
def test_every_account_is_on_exactly_one_page_in_the_lists_order(
    session: Session, sort: str
) -> None:
    """Later pages are read by id (a deferred join): pages put together give the whole
    list in its order, ties (same name, no industry) broken the same way every time."""
    for n in range(23):
        _account(session, ["Łódź Trans", "Ölgerðin", "Žofie s.r.o."][n % 3], industry=None
                 if n % 4 == 0 else ["Software", "Retail"][n % 2])  # fmt: skip
    query = ListQuery(sort=sort, page_size=5)
    whole = accounts.all_accounts(session, query=query, filters=AccountFilter())
    paged = [
        a.id
        for page in range(1, 6)
        for a in accounts.list_accounts(
            session, query=ListQuery(sort=sort, page=page, page_size=5)
        ).items
    ]
    assert paged == [a.id for a in whole]
