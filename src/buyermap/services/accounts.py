"""Accounts: the companies we sell to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import AccountCreate, AccountUpdate
from buyermap.services.custom_fields import validate_custom
from buyermap.services.external_refs import drop_external_refs
from buyermap.services.listing import Listed, ListQuery, run_list

ACCOUNT_SORTS = {
    "name": Account.name,
    "industry": Account.industry,
    "employees": Account.employees,
    "annual_revenue": Account.annual_revenue,
    "country": Account.country,
    "created_at": Account.created_at,
    "id": Account.id,
}


def _check_unique_domain(session: Session, domain: str | None, own_id: int | None) -> None:
    if domain is None:
        return
    other = session.scalar(select(Account).where(Account.domain == domain))
    if other is not None and other.id != own_id:
        raise ConflictError(
            f"domain {domain!r} belongs to account {other.id} ({other.name}) already"
        )


def _check_parent(session: Session, parent_id: int | None, own_id: int | None) -> None:
    if parent_id is None:
        return
    seen: set[int] = set() if own_id is None else {own_id}
    current: int | None = parent_id
    while current is not None:
        if current in seen:
            raise InvalidValueError(
                f"parent {parent_id} would make a cycle in the account hierarchy"
            )
        seen.add(current)
        parent = session.get(Account, current)
        if parent is None:
            raise NotFoundError(f"no parent account with id {current}")
        current = parent.parent_id


def create_account(session: Session, *, data: AccountCreate) -> Account:
    _check_unique_domain(session, data.domain, None)
    _check_parent(session, data.parent_id, None)
    values = data.model_dump()
    values["custom"] = validate_custom(session, entity="account", values=data.custom)
    account = Account(**values)
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, *, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"no account with id {account_id}")
    return account


def update_account(session: Session, *, account_id: int, data: AccountUpdate) -> Account:
    account = get_account(session, account_id=account_id)
    changes = data.model_dump(exclude_unset=True)
    if "domain" in changes:
        _check_unique_domain(session, changes["domain"], account.id)
    if "parent_id" in changes:
        _check_parent(session, changes["parent_id"], account.id)
    if "custom" in changes:
        changes["custom"] = validate_custom(
            session, entity="account", values={**account.custom, **changes["custom"]}
        )
    for key, value in changes.items():
        setattr(account, key, value)
    session.flush()
    return account


def delete_account(session: Session, *, account_id: int) -> None:
    session.delete(get_account(session, account_id=account_id))
    drop_external_refs(session, entity="account", entity_id=account_id)
    session.flush()


def list_accounts(session: Session, *, query: ListQuery) -> Listed[Account]:
    return run_list(
        session,
        select(Account),
        query=query,
        sortable=ACCOUNT_SORTS,
        searchable=[Account.name, Account.domain, Account.industry, Account.country],
        default_sort="name",
        tiebreak=Account.id,
    )


def account_contacts(session: Session, *, account_id: int) -> list[tuple[AccountContact, Contact]]:
    rows = session.execute(
        select(AccountContact, Contact)
        .join(Contact, Contact.id == AccountContact.contact_id)
        .where(AccountContact.account_id == account_id)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
