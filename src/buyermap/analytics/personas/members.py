"""Contacts and deals carrying their persona: assignments of a run, a persona's members,
assigning contacts again with the run's stored model, and a deal's persona (the persona
of its lead buyer). Functions take the session and never commit (see
:mod:`buyermap.analytics.personas.stored` for the runs themselves).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from buyermap.analytics.personas.loading import CONTACT_ID, contacts_table
from buyermap.analytics.personas.runs import assign
from buyermap.analytics.personas.stored import (
    WORKSPACE,
    active_run,
    persona_dict,
    run_doc,
    store_assignments,
)
from buyermap.db.models import CommitteeMember, Contact, PersonaAssignment, PersonaRun
from buyermap.domain.enums import CommitteeRole
from buyermap.errors import NotFoundError
from buyermap.services.listing import Listed, ListQuery, ListSpec, run_list

# A deal's lead buyer: the first of these roles present, else the most influential member.
LEAD_ROLES = (CommitteeRole.DECISION_MAKER, CommitteeRole.ECONOMIC_BUYER, CommitteeRole.CHAMPION)


@dataclass(frozen=True, slots=True)
class ContactPersona:
    """A contact's persona in a run and the probability of belonging to it."""

    contact_id: int
    run_id: int
    run_key: str
    persona_key: str
    name: str
    title: str
    probability: float


@dataclass(frozen=True, slots=True)
class Assigned:
    """What :func:`assign_contacts` did, in contacts."""

    run_key: str
    assigned: int  # given a persona now (= new + changed + unchanged)
    new: int  # of them, without a persona in the run before
    changed: int  # with another persona before
    unchanged: int  # with the same persona before
    kept: int  # not scored: they had a persona already (only_missing)
    dropped: int  # had a persona before and the model gives them none now
    personas: dict[str, int]  # assigned now, per persona key


def persona_of_contact(
    session: Session, *, contact_id: int, run: PersonaRun | None = None
) -> ContactPersona | None:
    """The contact's persona in ``run`` (default: the active run), or None."""
    run = run or active_run(session)
    if run is None:
        return None
    found = personas_of_contacts(session, contact_ids=[contact_id], run=run)
    return found.get(contact_id)


def personas_of_contacts(
    session: Session, *, contact_ids: list[int], run: PersonaRun | None = None
) -> dict[int, ContactPersona]:
    """Persona and probability per contact id (those without an assignment are left out)."""
    run = run or active_run(session)
    if run is None or not contact_ids:
        return {}
    names = {p.key: p for p in run.personas}
    rows = session.execute(
        select(PersonaAssignment).where(
            PersonaAssignment.run_id == run.id, PersonaAssignment.contact_id.in_(contact_ids)
        )
    ).scalars()
    out: dict[int, ContactPersona] = {}
    for a in rows:
        p = names.get(a.persona_key)
        out[a.contact_id] = ContactPersona(
            contact_id=a.contact_id,
            run_id=run.id,
            run_key=run.run_key,
            persona_key=a.persona_key,
            name=p.name if p else a.persona_key,
            title=p.title if p else "",
            probability=a.probability,
        )
    return out


PERSONA_CONTACT_SORTS = {
    "probability": PersonaAssignment.probability,
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
    "job_title": Contact.job_title,
    "seniority": Contact.seniority,
    "id": Contact.id,
}
PERSONA_CONTACT_LIST = ListSpec(
    sortable=PERSONA_CONTACT_SORTS,
    searchable=[Contact.first_name, Contact.last_name, Contact.email, Contact.job_title],
    default_sort="-probability",
    tiebreak=Contact.id,
)


def contacts_of_persona(
    session: Session, *, run: PersonaRun, key: str, query: ListQuery
) -> Listed[tuple[Contact, float]]:
    """The persona's contacts with their membership probability, most certain first."""
    persona_dict(run, key)
    stmt = (
        select(Contact)
        .join(PersonaAssignment, PersonaAssignment.contact_id == Contact.id)
        .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
    )
    listed = run_list(session, stmt, spec=PERSONA_CONTACT_LIST, query=query)
    found = personas_of_contacts(session, contact_ids=[c.id for c in listed.items], run=run)
    return Listed(
        items=[(c, found[c.id].probability) for c in listed.items],
        total=listed.total,
        page=listed.page,
        page_size=listed.page_size,
    )


def all_contacts_of_persona(
    session: Session, *, run: PersonaRun, key: str
) -> list[tuple[Contact, float]]:
    """Every contact of the persona with its membership probability, most certain first
    (the export of its contacts)."""
    persona_dict(run, key)
    rows = session.execute(
        select(Contact, PersonaAssignment.probability)
        .join(PersonaAssignment, PersonaAssignment.contact_id == Contact.id)
        .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
        .order_by(PersonaAssignment.probability.desc(), Contact.id)
    ).all()
    return [(contact, float(probability)) for contact, probability in rows]


def top_members(session: Session, *, run: PersonaRun, key: str, limit: int) -> list[int]:
    """Ids of the persona's contacts with the highest membership probability."""
    return list(
        session.scalars(
            select(PersonaAssignment.contact_id)
            .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
            .order_by(PersonaAssignment.probability.desc(), PersonaAssignment.contact_id)
            .limit(limit)
        )
    )


def assign_contacts(session: Session, *, run: PersonaRun, only_missing: bool = True) -> Assigned:
    """Assign contacts to the run's personas with its stored model, storing the persona and
    probability; by default only those the run has not assigned yet (e.g. new ones), with
    ``only_missing=False`` every contact again (their previous assignments are replaced)."""
    if run.source != WORKSPACE:
        raise NotFoundError(f"run {run.run_key} was not discovered on the workspace contacts")
    before: dict[int, str] = {
        int(c): str(k)
        for c, k in session.execute(
            select(PersonaAssignment.contact_id, PersonaAssignment.persona_key).where(
                PersonaAssignment.run_id == run.id
            )
        )
    }
    table = contacts_table(session)
    if only_missing:
        table = table.filter(~pl.col(CONTACT_ID).is_in(list(before)))
    else:
        session.execute(delete(PersonaAssignment).where(PersonaAssignment.run_id == run.id))
    now: dict[int, str] = {}
    if table.height > 0:
        for v in run.result["variables"]["bases"]:
            if v["name"] not in table.columns:
                dtype = pl.Float64 if v["kind"] in ("count", "continuous") else pl.Utf8
                table = table.with_columns(pl.lit(None, dtype=dtype).alias(v["name"]))
        result = assign(run_doc(run), table, id_column=CONTACT_ID)
        ids, keys = result.ids.to_list(), result.persona.tolist()
        store_assignments(
            session, run_id=run.id, ids=ids, keys=keys, probs=result.probability.tolist()
        )
        session.flush()
        pairs = zip(ids, keys, strict=True)
        now = {int(i): str(k) for i, k in pairs if i is not None and k is not None}
    same = sum(1 for c, k in now.items() if before.get(c) == k)
    seen = sum(1 for c in now if c in before)
    return Assigned(
        run_key=run.run_key,
        assigned=len(now),
        new=len(now) - seen,
        changed=seen - same,
        unchanged=same,
        kept=len(before) if only_missing else 0,
        dropped=0 if only_missing else len(before) - seen,
        personas=dict(sorted(Counter(now.values()).items())),
    )


def lead_buyer(members: Iterable[tuple[int, str, int | None]]) -> int | None:
    """The contact id of a deal's lead buyer among its ``(contact_id, role, influence)``:
    the decision maker, else the economic buyer, else the champion, else the member with the
    highest influence (unknown influence counts lowest); ties go to the higher influence,
    then the lowest contact id. None without members."""
    rank = {role.value: i for i, role in enumerate(LEAD_ROLES)}
    best = min(members, key=lambda m: (rank.get(m[1], len(rank)), -(m[2] or 0), m[0]), default=None)
    return None if best is None else best[0]


def deal_personas(session: Session, *, run: PersonaRun | None = None) -> dict[int, str] | None:
    """Each deal's persona: the persona name (in ``run``, default the active run) of the
    deal's :func:`lead_buyer` among its committee members that have a persona in the run.
    Deals without such a member are left out; None when the workspace has no persona run."""
    run = run or active_run(session)
    if run is None:
        return None
    names = {p.key: p.name for p in run.personas}
    rows = session.execute(
        select(
            CommitteeMember.deal_id,
            CommitteeMember.contact_id,
            CommitteeMember.role,
            CommitteeMember.influence,
            PersonaAssignment.persona_key,
        )
        .join(
            PersonaAssignment,
            and_(
                PersonaAssignment.contact_id == CommitteeMember.contact_id,
                PersonaAssignment.run_id == run.id,
            ),
        )
        .where(CommitteeMember.deal_id.is_not(None))
    ).all()
    members: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
    persona_of: dict[int, str] = {}
    for deal_id, contact_id, role, influence, key in rows:
        members[int(deal_id or 0)].append((int(contact_id), str(role), influence))
        persona_of[int(contact_id)] = names.get(key, key)
    out: dict[int, str] = {}
    for deal_id, found in members.items():
        lead = lead_buyer(found)
        if lead is not None:
            out[deal_id] = persona_of[lead]
    return out
