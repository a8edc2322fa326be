"""The relationship map seam: the people of an account's (or a deal's) buying committee and
the ties between them, laid out, as one document for ``buyermap committee map --json``,
``/api/v1`` and the pages; the SVG and PNG are drawn from it (charts/relationship_map.py).

Who is in the map: the account's standing group and the committee members of its deals
(with a deal: that deal's committee only), plus people at the account who have a tie with
one of them. A person on several committees shows their strongest say (highest influence).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    AccountContact,
    CommitteeMember,
    Contact,
    Deal,
    PersonaAssignment,
    PersonaRow,
)
from buyermap.domain.committee import ATTITUDE_LABELS, DEFAULT_LABELS, influence_shares
from buyermap.domain.enums import Attitude
from buyermap.domain.relationships import (
    BUILT_IN,
    OWN_COLOUR,
    OWN_DASH,
    attitude_colour,
    layout,
    radius,
    type_label,
    type_style,
)
from buyermap.errors import InvalidValueError
from buyermap.schemas.relationships import LegendEntry, MapDocument, MapEdge, MapNode
from buyermap.services import committee as committee_svc
from buyermap.services import relationships as svc
from buyermap.services.filters import active_persona_run_id


def _pick(members: list[CommitteeMember]) -> dict[int, CommitteeMember]:
    """Each person's strongest membership (standing group first on a tie)."""
    best: dict[int, CommitteeMember] = {}
    for m in members:
        have = best.get(m.contact_id)
        if have is None or (m.influence or 0) > (have.influence or 0):
            best[m.contact_id] = m
    return best


def _members(session: Session, account_id: int, deal_id: int | None) -> list[CommitteeMember]:
    stmt = select(CommitteeMember).order_by(
        CommitteeMember.deal_id.nulls_first(), CommitteeMember.id
    )
    if deal_id is not None:
        stmt = stmt.where(CommitteeMember.deal_id == deal_id)
    else:
        deals = select(Deal.id).where(Deal.account_id == account_id)
        stmt = stmt.where(
            (CommitteeMember.account_id == account_id) & CommitteeMember.deal_id.is_(None)
            | CommitteeMember.deal_id.in_(deals)
        )
    return list(session.scalars(stmt))


def _personas(session: Session, ids: list[int]) -> dict[int, str]:
    run_id = active_persona_run_id(session)
    if run_id is None or not ids:
        return {}
    rows = session.execute(
        select(PersonaAssignment.contact_id, PersonaRow.name)
        .join(
            PersonaRow,
            (PersonaRow.run_id == PersonaAssignment.run_id)
            & (PersonaRow.key == PersonaAssignment.persona_key),
        )
        .where(PersonaAssignment.run_id == run_id, PersonaAssignment.contact_id.in_(ids))
    ).all()
    return {int(c): str(n) for c, n in rows}


def _titles(session: Session, account_id: int, ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(AccountContact.contact_id, AccountContact.title)
        .where(AccountContact.account_id == account_id, AccountContact.contact_id.in_(ids))
        .order_by(AccountContact.start_date.nulls_first())
    ).all()
    return {c: t for c, t in rows if t}


def _legend(types: list[str]) -> list[LegendEntry]:
    out = [
        LegendEntry(kind="tie", key=t.key, label=t.label, colour=t.colour, dash=t.dash)
        for t in BUILT_IN
    ]
    out += [
        LegendEntry(kind="tie", key=k, label=type_label(k), colour=OWN_COLOUR, dash=OWN_DASH)
        for k in sorted(set(types) - {t.key for t in BUILT_IN})
    ]
    out += [
        LegendEntry(
            kind="attitude",
            key=a.value,
            label=ATTITUDE_LABELS[a.value],
            colour=attitude_colour(a.value),
            dash="",
        )
        for a in Attitude
    ]
    return out


def relationship_map(
    session: Session,
    *,
    domain: str | None = None,
    account_id: int | None = None,
    deal_id: int | None = None,
) -> MapDocument:
    """The map of an account (by domain or id), or of one of its deals' committee."""
    account = (
        committee_svc.find_account(session, domain=domain)
        if domain is not None
        else committee_svc.get_account(session, account_id=account_id or 0)
    )
    deal_name = None
    if deal_id is not None:
        row = committee_svc.deal_row(session, deal_id=deal_id)
        if row.account_id != account.id:
            raise InvalidValueError(
                f"deal {deal_id} ({row.name}) is not a deal of {account.name}; give its own "
                "account, or leave --deal out",
                details={"field": "deal"},
            )
        deal_name = row.name
    chosen = _pick(_members(session, account.id, deal_id))
    extra = svc.tied_at_account(session, account_id=account.id, people=set(chosen))
    ids = sorted(set(chosen) | extra)
    contacts = (
        {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))}
        if ids
        else {}
    )
    ties = svc.ties_among(session, set(ids))
    places = layout(ids, [(t.from_contact_id, t.to_contact_id) for t in ties])
    labels = {r.key: r.label for r in committee_svc.role_entries(session, hidden=True)}
    shares = dict(
        zip(
            ids,
            influence_shares([chosen[i].influence if i in chosen else None for i in ids]),
            strict=True,
        )
    )
    personas = _personas(session, ids)
    titles = _titles(session, account.id, ids)
    nodes = []
    for i in ids:
        c, m = contacts[i], chosen.get(i)
        attitude = m.attitude if m is not None else Attitude.UNKNOWN.value
        nodes.append(
            MapNode(
                contact_id=i,
                name=c.full_name,
                email=c.email,
                title=(m.formal_position if m is not None else None)
                or titles.get(i)
                or c.job_title,
                role=m.role if m is not None else None,
                role_label=labels.get(m.role, DEFAULT_LABELS.get(m.role, m.role)) if m else None,
                influence=m.influence if m is not None else None,
                share=shares[i],
                attitude=attitude,
                attitude_label=ATTITUDE_LABELS.get(attitude, attitude),
                persona=personas.get(i),
                member=m is not None,
                x=places[i][0],
                y=places[i][1],
                radius=radius(shares[i]),
                colour=attitude_colour(attitude),
            )
        )
    edges = []
    for t in ties:
        colour, dash = type_style(t.kind)
        edges.append(
            MapEdge(
                id=t.id,
                from_=t.from_contact_id,
                to=t.to_contact_id,
                type=t.kind,
                type_label=type_label(t.kind),
                evidence=t.evidence,
                source=t.source,
                strength=t.strength,
                version=t.version,
                colour=colour,
                dash=dash,
            )
        )
    message = None
    if not nodes:
        where = f"the deal {deal_name}" if deal_name else account.name
        anchor = f"--deal {deal_id}" if deal_id else f"--account {account.domain or account.id}"
        message = (
            f"Nobody is on a buying committee of {where} yet: add people with "
            f"'buyermap committee set {anchor} "
            "--contact EMAIL --role ROLE' or 'buyermap import committee FILE', then tie them "
            "with 'buyermap committee tie add'."
        )
    return MapDocument(
        account_id=account.id,
        account=account.name,
        deal_id=deal_id,
        deal=deal_name,
        nodes=nodes,
        edges=edges,
        legend=_legend([t.kind for t in ties]),
        message=message,
    )
