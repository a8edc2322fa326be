"""Accounts: the companies we sell to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import (
    Account,
    AccountContact,
    AvatarScore,
    CommitteeMember,
    Contact,
    Deal,
    Note,
    User,
)
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.entities import AccountCreate, AccountDeleted, AccountUpdate
from buyermap.services.avatars import latest_scored_subquery
from buyermap.services.custom_fields import validate_custom
from buyermap.services.external_refs import drop_external_refs
from buyermap.services.filters import AccountFilter, apply_account_filter
from buyermap.services.listing import Listed, ListQuery, ListSpec, all_rows, run_list
from buyermap.services.references import require_ref
from buyermap.services.versions import check_delete_version, check_version, take_version

ACCOUNT_SORTS = {
    "name": Account.name,
    "industry": Account.industry,
    "employees": Account.employees,
    "annual_revenue": Account.annual_revenue,
    "country": Account.country,
    "created_at": Account.created_at,
    "id": Account.id,
    "fit": AvatarScore.fit,  # of the avatar that scored last: joined when sorted by it
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
            raise InvalidValueError(
                f"parent_id: no account with id {current}",
                details={"field": "parent_id", "value": current},
            )
        current = parent.parent_id


def create_account(session: Session, *, data: AccountCreate) -> Account:
    _check_unique_domain(session, data.domain, None)
    _check_parent(session, data.parent_id, None)
    require_ref(session, User, data.owner_id, field="owner_id")
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
    check_version(account, expected=take_version(changes), changes=changes, what="account")
    if "domain" in changes:
        _check_unique_domain(session, changes["domain"], account.id)
    if "parent_id" in changes:
        _check_parent(session, changes["parent_id"], account.id)
    if "owner_id" in changes:
        require_ref(session, User, changes["owner_id"], field="owner_id")
    if "custom" in changes:
        changes["custom"] = validate_custom(
            session, entity="account", values={**account.custom, **changes["custom"]}
        )
    for key, value in changes.items():
        setattr(account, key, value)
    session.flush()
    return account


def delete_account(
    session: Session, *, account_id: int, expected_version: int | None = None
) -> AccountDeleted:
    """Delete an account; say what went with it and keep what belongs to other records.

    Its positions, its own notes and its account-level committee go with it; notes also
    linked to a contact or deal stay (without the account), its deals stay without an
    account, and so do their committees (a deal's member keeps the deal, loses the account).
    ``expected_version``: the version the user saw; a stale one is refused (409).
    """
    account = get_account(session, account_id=account_id)
    check_delete_version(account, expected=expected_version, what="account")

    def count(stmt: Any) -> int:
        return int(session.scalar(stmt) or 0)

    shared = or_(Note.contact_id.is_not(None), Note.deal_id.is_not(None))
    own_members = (CommitteeMember.account_id == account_id, CommitteeMember.deal_id.is_(None))
    deal_members = (CommitteeMember.account_id == account_id, CommitteeMember.deal_id.is_not(None))
    summary = AccountDeleted(
        id=account_id,
        positions=count(select(func.count()).where(AccountContact.account_id == account_id)),
        notes_deleted=count(select(func.count()).where(Note.account_id == account_id, ~shared)),
        notes_kept=count(select(func.count()).where(Note.account_id == account_id, shared)),
        committee_members=count(select(func.count()).where(*own_members)),
        committee_members_kept=count(select(func.count()).where(*deal_members)),
        deals_unlinked=count(select(func.count()).where(Deal.account_id == account_id)),
    )
    session.execute(
        update(Note)
        .where(Note.account_id == account_id, shared)
        .values(account_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(CommitteeMember)
        .where(*deal_members)
        .values(account_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        delete(CommitteeMember).where(*own_members).execution_options(synchronize_session="fetch")
    )
    session.delete(account)
    drop_external_refs(session, entity="account", entity_id=account_id)
    session.flush()
    return summary


ACCOUNT_LIST = ListSpec(
    sortable=ACCOUNT_SORTS,
    searchable=[Account.name, Account.domain, Account.industry, Account.country],
    default_sort="name",
    tiebreak=Account.id,
)


def _with_fit(session: Session, stmt: Select[Any], query: ListQuery) -> Select[Any]:
    """Sorted by fit: the scores of the avatar that scored last, joined (one outer join;
    accounts it has not scored sort last either way). Other sorts join nothing."""
    if (query.sort or "").lstrip("-") != "fit":
        return stmt
    return stmt.outerjoin(
        AvatarScore,
        and_(
            AvatarScore.account_id == Account.id, AvatarScore.avatar_id == latest_scored_subquery()
        ),
    )


def list_accounts(
    session: Session,
    *,
    query: ListQuery,
    filters: AccountFilter | None = None,
    clamp: bool = False,
) -> Listed[Account]:
    stmt = _with_fit(session, select(Account), query)
    if filters is not None:
        stmt = apply_account_filter(session, stmt, filters)
    return run_list(session, stmt, spec=ACCOUNT_LIST, query=query, clamp=clamp)


def all_accounts(session: Session, *, query: ListQuery, filters: AccountFilter) -> list[Account]:
    """Every account of the list with these filters, search and sort (for exports)."""
    return all_rows(
        session,
        apply_account_filter(
            session,
            _with_fit(session, select(Account).options(selectinload(Account.owner)), query),
            filters,
        ),
        spec=ACCOUNT_LIST,
        query=query,
    )


def account_contacts(session: Session, *, account_id: int) -> list[tuple[AccountContact, Contact]]:
    rows = session.execute(
        select(AccountContact, Contact)
        .join(Contact, Contact.id == AccountContact.contact_id)
        .where(AccountContact.account_id == account_id)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
