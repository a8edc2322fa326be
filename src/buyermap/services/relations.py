"""Records read in both directions: a contact's deals and committee roles, an account's
committee, and the currency a workspace counts its amounts in. Functions take the session
and never write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import Account, CommitteeMember, Deal, DealContact

DEFAULT_CURRENCY = "USD"  # a deal's currency when none was given (models.Deal.currency)


@dataclass(frozen=True, slots=True)
class ContactDeal:
    """A deal a contact takes part in: through the CRM's deal-contact association, the
    buying committee, or both."""

    deal: Deal
    crm_role: str | None  # the association's role ("Decision Maker" in Salesforce), if any
    primary: bool
    committee_role: str | None  # the committee role on this deal, if a member


@dataclass(frozen=True, slots=True)
class CommitteeRole:
    """A contact's part in one committee: a deal's, or an account's (``deal`` None)."""

    member: CommitteeMember
    deal: Deal | None
    account: Account | None


def workspace_currency(session: Session) -> str:
    """The currency most of the workspace's deals are in (the unit of pipeline and
    forecast figures); the default currency of a deal when there are none."""
    row = session.execute(
        select(Deal.currency, func.count())
        .group_by(Deal.currency)
        .order_by(func.count().desc(), Deal.currency)
        .limit(1)
    ).first()
    return str(row[0]) if row is not None else DEFAULT_CURRENCY


def contact_deals(session: Session, *, contact_id: int) -> list[ContactDeal]:
    """The deals a contact is associated with or sits on the committee of, newest first."""
    links = {
        d.deal_id: d
        for d in session.scalars(select(DealContact).where(DealContact.contact_id == contact_id))
    }
    roles = {
        int(m.deal_id): m.role
        for m in session.scalars(
            select(CommitteeMember).where(
                CommitteeMember.contact_id == contact_id, CommitteeMember.deal_id.is_not(None)
            )
        )
        if m.deal_id is not None
    }
    ids = set(links) | set(roles)
    if not ids:
        return []
    deals = session.scalars(
        select(Deal)
        .options(selectinload(Deal.stage), selectinload(Deal.account))
        .where(Deal.id.in_(ids))
        .order_by(Deal.opened_at.desc().nulls_last(), Deal.id.desc())
    )
    return [
        ContactDeal(
            deal=d,
            crm_role=links[d.id].role if d.id in links else None,
            primary=bool(links[d.id].is_primary) if d.id in links else False,
            committee_role=roles.get(d.id),
        )
        for d in deals
    ]


def contact_committees(session: Session, *, contact_id: int) -> list[CommitteeRole]:
    """Every committee the contact sits on, the deal's (with its account) or the
    account's, most influential first."""
    members = list(
        session.scalars(
            select(CommitteeMember)
            .where(CommitteeMember.contact_id == contact_id)
            .order_by(CommitteeMember.influence.desc().nulls_last(), CommitteeMember.id)
        )
    )
    deal_ids = {m.deal_id for m in members if m.deal_id is not None}
    account_ids = {m.account_id for m in members if m.account_id is not None}
    deals = {
        d.id: d
        for d in session.scalars(
            select(Deal).options(selectinload(Deal.account)).where(Deal.id.in_(deal_ids))
        )
    }
    accounts = {
        a.id: a for a in session.scalars(select(Account).where(Account.id.in_(account_ids)))
    }
    out = []
    for m in members:
        deal = deals.get(m.deal_id) if m.deal_id is not None else None
        account = accounts.get(m.account_id) if m.account_id is not None else None
        out.append(
            CommitteeRole(
                member=m, deal=deal, account=account or (deal.account if deal is not None else None)
            )
        )
    return out


def account_committee(
    session: Session, *, account_id: int
) -> list[tuple[CommitteeMember, Deal | None]]:
    """The account's buying committees: its own members (deal None) and those of its
    deals, each with the deal; the account's own first, then by deal, most influential
    first."""
    members = list(
        session.scalars(
            select(CommitteeMember)
            .options(selectinload(CommitteeMember.contact))
            .outerjoin(Deal, Deal.id == CommitteeMember.deal_id)
            .where((CommitteeMember.account_id == account_id) | (Deal.account_id == account_id))
            .order_by(
                CommitteeMember.deal_id.is_not(None),
                CommitteeMember.deal_id,
                CommitteeMember.influence.desc().nulls_last(),
                CommitteeMember.id,
            )
        ).unique()
    )
    ids = {m.deal_id for m in members if m.deal_id is not None}
    deals = {d.id: d for d in session.scalars(select(Deal).where(Deal.id.in_(ids)))}
    return [(m, deals.get(m.deal_id) if m.deal_id is not None else None) for m in members]


def deal_committee(session: Session, *, deal_id: int) -> list[CommitteeMember]:
    """A deal's buying committee, most influential first."""
    return list(
        session.scalars(
            select(CommitteeMember)
            .options(selectinload(CommitteeMember.contact))
            .where(CommitteeMember.deal_id == deal_id)
            .order_by(CommitteeMember.influence.desc().nulls_last(), CommitteeMember.id)
        )
    )
