"""CRM export presets: real export header names of HubSpot, Salesforce and Pipedrive."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact, Deal, ExternalRef, User
from buyermap.domain.enums import EntityKind
from buyermap.io.importer import import_file

# One file per CRM and kind, with the headers their exports use (and one they add that we
# do not map, which must end up in ``extra``).
EXPORTS: dict[str, dict[EntityKind, str]] = {
    "hubspot": {
        EntityKind.ACCOUNTS: (
            "Record ID,Company name,Company Domain Name,Number of Employees,Annual Revenue,"
            "Industry,Country/Region,Year Founded,Company owner,Lifecycle Stage\n"
            "901,Acme Corp,acme.com,120,1500000,COMPUTER_SOFTWARE,Czechia,2004,"
            "ann@seller.com,customer\n"
        ),
        EntityKind.CONTACTS: (
            "Record ID,First Name,Last Name,Email,Job Title,Phone Number,Associated Company IDs,"
            "Lifecycle Stage\n"
            "501,Jana,Nováková,jana@acme.com,CFO,+420 601 000 000,901,lead\n"
        ),
        EntityKind.DEALS: (
            "Record ID,Deal Name,Amount,Deal Stage,Pipeline,Close Date,Create Date,Deal owner,"
            "Associated Company IDs,Deal Type\n"
            "7001,Acme renewal,12000,Closed Won,Sales Pipeline,2024-03-31,2024-01-15 10:30,"
            "ann@seller.com,901,existingbusiness\n"
        ),
    },
    "salesforce": {
        EntityKind.ACCOUNTS: (
            "Account ID,Account Name,Website,Employees,Annual Revenue,Industry,Billing Country,"
            "Billing State/Province,Account Owner,Type\n"
            "0015g00000AbCdE,Acme Corp,https://www.acme.com,120,1500000,Technology,Czechia,"
            "Prague,Ann Seller,Customer\n"
        ),
        EntityKind.CONTACTS: (
            "Contact ID,First Name,Last Name,Title,Email,Phone,Account ID,Account Name,"
            "Mailing City\n"
            "0035g00000XyZ,Jana,Nováková,CFO,jana@acme.com,+420 601 000 000,0015g00000AbCdE,"
            "Acme Corp,Prague\n"
        ),
        EntityKind.DEALS: (
            "Opportunity ID,Opportunity Name,Account ID,Account Name,Amount,Stage,Close Date,"
            "Created Date,Opportunity Owner,Lead Source,Type\n"
            "0065g00000Q1,Acme renewal,0015g00000AbCdE,Acme Corp,12000,Closed Won,3/31/2024,"
            "1/15/2024,Ann Seller,Web,Renewal\n"
        ),
    },
    "pipedrive": {
        EntityKind.ACCOUNTS: (
            "Organization - ID,Organization - Name,Organization - Website,"
            "Organization - Number of employees,Organization - Annual revenue,"
            "Organization - Industry,Organization - Country,Organization - Owner,"
            "Organization - Label\n"
            "31,Acme Corp,acme.com,120,1500000,Software,Czechia,Ann Seller,Hot\n"
        ),
        EntityKind.CONTACTS: (
            "Person - ID,Person - Name,Person - Email - Work,Person - Phone - Work,"
            "Person - Job title,Organization - ID,Person - Label\n"
            "77,Jana Nováková,jana@acme.com,+420 601 000 000,CFO,31,Warm\n"
        ),
        EntityKind.DEALS: (
            "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Pipeline,"
            "Deal - Owner,Deal - Deal created,Deal - Expected close date,Organization - ID,"
            "Deal - Label\n"
            "12,Acme renewal,12000,EUR,Qualified,Pipeline,Ann Seller,2024-01-15 10:30:00,"
            "2024-03-31,31,Hot\n"
        ),
    },
}
UNMAPPED = {
    ("hubspot", EntityKind.ACCOUNTS): "Lifecycle Stage",
    ("hubspot", EntityKind.CONTACTS): "Lifecycle Stage",
    ("hubspot", EntityKind.DEALS): "Deal Type",
    ("salesforce", EntityKind.ACCOUNTS): "Type",
    ("salesforce", EntityKind.CONTACTS): "Mailing City",
    ("salesforce", EntityKind.DEALS): "Type",
    ("pipedrive", EntityKind.ACCOUNTS): "Organization - Label",
    ("pipedrive", EntityKind.CONTACTS): "Person - Label",
    ("pipedrive", EntityKind.DEALS): "Deal - Label",
}

# Salesforce exports dates without a time.
OPENED = {
    "hubspot": datetime(2024, 1, 15, 10, 30),
    "salesforce": datetime(2024, 1, 15),
    "pipedrive": datetime(2024, 1, 15, 10, 30),
}


def _import_all(session: Session, tmp_path: Path, crm: str) -> dict[EntityKind, list[str]]:
    """Accounts, contacts and deals of one CRM, in that order; their unmapped columns."""
    unmapped = {}
    for kind in (EntityKind.ACCOUNTS, EntityKind.CONTACTS, EntityKind.DEALS):
        path = tmp_path / f"{crm}-{kind.value}.csv"
        path.write_text(EXPORTS[crm][kind], encoding="utf-8")
        report = import_file(session, entity=kind, path=path)
        assert report.ok, report.errors
        assert report.preset == crm
        assert report.imported == 1
        unmapped[kind] = report.unmapped_columns
    return unmapped


@pytest.mark.parametrize("crm", ["hubspot", "salesforce", "pipedrive"])
def test_each_crm_export_is_detected_mapped_and_linked(
    session: Session, tmp_path: Path, crm: str
) -> None:
    unmapped = _import_all(session, tmp_path, crm)
    for kind, columns in unmapped.items():
        assert columns == [UNMAPPED[(crm, kind)]]
    account = session.scalars(select(Account)).one()
    assert (account.name, account.domain, account.employees) == ("Acme Corp", "acme.com", 120)
    assert account.annual_revenue == 1_500_000
    assert account.country == "Czechia"
    assert UNMAPPED[(crm, EntityKind.ACCOUNTS)] in account.extra
    contact = session.scalars(select(Contact)).one()
    assert (contact.first_name, contact.last_name) == ("Jana", "Nováková")
    assert (contact.email, contact.job_title) == ("jana@acme.com", "CFO")
    assert contact.phone == "+420 601 000 000"
    link = session.scalars(select(AccountContact)).one()
    assert (link.account_id, link.contact_id) == (account.id, contact.id)
    deal = session.scalars(select(Deal)).one()
    assert (deal.name, deal.amount, deal.account_id) == ("Acme renewal", 12000, account.id)
    assert deal.opened_at == OPENED[crm]
    assert deal.expected_close == date(2024, 3, 31)
    assert deal.owner_id is not None
    refs = session.scalars(select(ExternalRef.system).distinct()).all()
    assert refs == [crm]


def test_a_salesforce_opportunity_keeps_its_owner_and_won_stage(
    session: Session, tmp_path: Path
) -> None:
    _import_all(session, tmp_path, "salesforce")
    deal = session.scalars(select(Deal)).one()
    session.refresh(deal)
    assert deal.status == "won"
    owner = session.get(User, deal.owner_id)
    assert owner is not None
    assert owner.name == "Ann Seller"


def test_a_pipedrive_person_name_is_split_into_first_and_last(
    session: Session, tmp_path: Path
) -> None:
    _import_all(session, tmp_path, "pipedrive")
    deal = session.scalars(select(Deal)).one()
    assert deal.currency == "EUR"
    contact = session.scalars(select(Contact)).one()
    assert contact.extra == {"Person - Label": "Warm"}


@pytest.mark.parametrize("crm", ["hubspot", "salesforce", "pipedrive"])
def test_reimporting_a_crm_export_changes_nothing(
    session: Session, tmp_path: Path, crm: str
) -> None:
    _import_all(session, tmp_path, crm)
    for kind in (EntityKind.ACCOUNTS, EntityKind.CONTACTS, EntityKind.DEALS):
        again = import_file(session, entity=kind, path=tmp_path / f"{crm}-{kind.value}.csv")
        assert (again.imported, again.updated, again.skipped) == (0, 0, 1)
