"""The typed custom-field schema guards what goes into ``custom``."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from buyermap.domain.enums import CustomFieldType, DataClass
from buyermap.errors import ConflictError, InvalidValueError
from buyermap.schemas.entities import AccountCreate, AccountUpdate, ContactCreate
from buyermap.services import accounts, contacts
from buyermap.services.custom_fields import define_field


def test_custom_values_are_checked_against_their_type(session: Session) -> None:
    define_field(
        session, entity="account", key="tier", type=CustomFieldType.CHOICE, choices=["A", "B", "C"]
    )
    define_field(session, entity="account", key="seats", type=CustomFieldType.INTEGER)
    acc = accounts.create_account(
        session, data=AccountCreate(name="Acme", custom={"tier": "A", "seats": 40})
    )
    assert acc.custom == {"tier": "A", "seats": 40}
    with pytest.raises(InvalidValueError, match="'D'; valid choices: A, B, C"):
        accounts.update_account(
            session, account_id=acc.id, data=AccountUpdate(custom={"tier": "D"})
        )
    with pytest.raises(InvalidValueError, match="'many', which is not a valid integer value"):
        accounts.create_account(session, data=AccountCreate(name="B", custom={"seats": "many"}))


def test_an_update_keeps_the_other_custom_values(session: Session) -> None:
    define_field(session, entity="account", key="tier", type=CustomFieldType.TEXT)
    define_field(session, entity="account", key="renewal", type=CustomFieldType.DATE)
    acc = accounts.create_account(session, data=AccountCreate(name="Acme", custom={"tier": "x"}))
    accounts.update_account(
        session, account_id=acc.id, data=AccountUpdate(custom={"renewal": "2026-01-31"})
    )
    assert acc.custom == {"tier": "x", "renewal": "2026-01-31"}


def test_unknown_custom_fields_are_refused_with_the_defined_ones(session: Session) -> None:
    define_field(
        session,
        entity="contact",
        key="hobby",
        type=CustomFieldType.TEXT,
        data_class=DataClass.PERSONAL_PROFILE,
    )
    with pytest.raises(InvalidValueError, match=r"unknown contact custom field 'pet'.*hobby"):
        contacts.create_contact(session, data=ContactCreate(custom={"pet": "cat"}))


def test_field_keys_and_choices_are_checked(session: Session) -> None:
    with pytest.raises(InvalidValueError, match="'Budget Owner' is not valid"):
        define_field(session, entity="deal", key="Budget Owner", type=CustomFieldType.TEXT)
    with pytest.raises(InvalidValueError, match="needs a list of choices"):
        define_field(session, entity="deal", key="tier", type=CustomFieldType.CHOICE)
    define_field(session, entity="deal", key="tier", type=CustomFieldType.TEXT)
    with pytest.raises(ConflictError, match="defined already"):
        define_field(session, entity="deal", key="tier", type=CustomFieldType.TEXT)
