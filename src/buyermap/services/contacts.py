"""Contacts: the people at accounts, and their positions over time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact, Note
from buyermap.errors import ConflictError, NotFoundError
from buyermap.schemas.entities import ContactCreate, ContactUpdate
from buyermap.services.custom_fields import validate_custom
from buyermap.services.external_refs import drop_external_refs
from buyermap.services.filters import ContactFilter, apply_contact_filter, contact_company_search
from buyermap.services.listing import Listed, ListQuery, ListSpec, all_rows, run_list
from buyermap.services.references import require_ref
from buyermap.services.versions import check_delete_version, check_version, take_version

CONTACT_SORTS = {
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
    "email": Contact.email,
    "job_title": Contact.job_title,
    "seniority": Contact.seniority,
    "created_at": Contact.created_at,
    "id": Contact.id,
}


def _check_unique_email(session: Session, email: str | None, own_id: int | None) -> None:
    if email is None:
        return
    other = session.scalar(select(Contact).where(Contact.email == email))
    if other is not None and other.id != own_id:
        raise ConflictError(f"email {email!r} belongs to contact {other.id} already")


def create_contact(session: Session, *, data: ContactCreate) -> Contact:
    _check_unique_email(session, data.email, None)
    fields = data.model_dump(exclude={"account_id"})
    fields["custom"] = validate_custom(session, entity="contact", values=data.custom)
    contact = Contact(**fields)
    session.add(contact)
    session.flush()
    if data.account_id is not None:
        link_contact(
            session, contact_id=contact.id, account_id=data.account_id, title=data.job_title
        )
    return contact


def get_contact(session: Session, *, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(f"no contact with id {contact_id}")
    return contact


def update_contact(session: Session, *, contact_id: int, data: ContactUpdate) -> Contact:
    contact = get_contact(session, contact_id=contact_id)
    changes = data.model_dump(exclude_unset=True)
    check_version(contact, expected=take_version(changes), changes=changes, what="contact")
    if "email" in changes:
        _check_unique_email(session, changes["email"], contact.id)
    if "custom" in changes:
        changes["custom"] = validate_custom(
            session, entity="contact", values={**contact.custom, **changes["custom"]}
        )
    for key, value in changes.items():
        setattr(contact, key, value)
    session.flush()
    return contact


def delete_contact(
    session: Session, *, contact_id: int, expected_version: int | None = None
) -> None:
    """Delete a person with their positions and own notes; notes also about an account or
    deal stay, unlinked from the person.

    ``expected_version``: the version the user saw; a stale one is refused (409).
    """
    contact = get_contact(session, contact_id=contact_id)
    check_delete_version(contact, expected=expected_version, what="contact")
    session.execute(
        update(Note)
        .where(
            Note.contact_id == contact_id,
            or_(Note.account_id.is_not(None), Note.deal_id.is_not(None)),
        )
        .values(contact_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.delete(contact)
    drop_external_refs(session, entity="contact", entity_id=contact_id)
    session.flush()


def link_contact(
    session: Session,
    *,
    contact_id: int,
    account_id: int,
    title: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> AccountContact:
    """Record that a person holds (or held) a position at an account."""
    require_ref(session, Account, account_id, field="account_id")
    get_contact(session, contact_id=contact_id)
    existing = session.scalar(
        select(AccountContact).where(
            AccountContact.account_id == account_id,
            AccountContact.contact_id == contact_id,
            AccountContact.end_date.is_(None),
        )
    )
    if existing is not None and end_date is None:
        if title is not None:
            existing.title = title
        return existing
    link = AccountContact(
        account_id=account_id,
        contact_id=contact_id,
        title=title,
        start_date=start_date,
        end_date=end_date,
        is_primary=end_date is None,
    )
    session.add(link)
    session.flush()
    return link


# search also finds the name of the company a contact works at now
CONTACT_LIST = ListSpec(
    sortable=CONTACT_SORTS,
    searchable=[Contact.first_name, Contact.last_name, Contact.email, Contact.job_title],
    default_sort="last_name",
    tiebreak=Contact.id,
    search=contact_company_search,
)


def list_contacts(
    session: Session,
    *,
    query: ListQuery,
    account_id: int | None = None,
    filters: ContactFilter | None = None,
    clamp: bool = False,
) -> Listed[Contact]:
    """A page of contacts; search also finds the name of the company they work at now."""
    stmt = select(Contact)
    if account_id is not None:
        stmt = stmt.where(
            Contact.id.in_(
                select(AccountContact.contact_id).where(AccountContact.account_id == account_id)
            )
        )
    if filters is not None:
        stmt = apply_contact_filter(session, stmt, filters)
    return run_list(session, stmt, spec=CONTACT_LIST, query=query, clamp=clamp)


def all_contacts(session: Session, *, query: ListQuery, filters: ContactFilter) -> list[Contact]:
    """Every contact of the list with these filters, search and sort (for exports)."""
    return all_rows(
        session,
        apply_contact_filter(session, select(Contact), filters),
        spec=CONTACT_LIST,
        query=query,
    )


def contact_positions(session: Session, *, contact_id: int) -> list[tuple[AccountContact, Account]]:
    rows = session.execute(
        select(AccountContact, Account)
        .join(Account, Account.id == AccountContact.account_id)
        .where(AccountContact.contact_id == contact_id)
        .order_by(AccountContact.start_date.desc().nulls_last(), AccountContact.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
