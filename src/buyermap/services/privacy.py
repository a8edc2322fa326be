"""Subject access and erasure (docs/privacy.md): everything the workspace holds about one
person, found by email; and the person removed with every trace, their name and email
redacted where other records' free text names them. Keyword-only; never commits (the
caller owns the transaction); :func:`reclaim_space` runs after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from buyermap.db.base import Base
from buyermap.db.models import (
    Account,
    AccountContact,
    AuditEntry,
    CommitteeMember,
    Contact,
    ContactRelationship,
    ContentAsset,
    CustomFieldDef,
    Deal,
    DealContact,
    ExternalRef,
    FormAnswer,
    KnowledgeValue,
    Note,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
    SurveyAnswer,
    Touchpoint,
)
from buyermap.db.search_index import SEARCH_COLUMNS, fts_table
from buyermap.db.types import utcnow
from buyermap.errors import NotFoundError
from buyermap.services.redaction import MARKER, Person, cast_table, redact_person

FORMAT = "buyermap.subject_access/1"

NOT_STORED = {
    "audit": "the audit log lists who created, changed or deleted the person's records "
    "(never the values of personal fields); who read them is not logged yet.",
    "avatar_scores": "scores of contacts (an avatar over people) are not stored in the "
    "workspace, only written to the scoring's CSV; stored scores are of accounts.",
}


def find_person(session: Session, *, email: str) -> Contact:
    """The contact with this email (case-insensitively), or NotFoundError naming it."""
    wanted = email.strip().lower()
    contact = session.scalar(select(Contact).where(func.lower(Contact.email) == wanted))
    if contact is None:
        raise NotFoundError(
            f"no contact with email {email!r}: nothing is held about this address",
            details={"field": "contact", "email": email},
        )
    return contact


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _row(obj: Base, **extra: Any) -> dict[str, Any]:
    out = {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns}
    return out | extra


def _form_answers_of(contact: Contact) -> ColumnElement[bool]:
    own = FormAnswer.contact_id == contact.id
    if not contact.email:
        return own
    return or_(own, func.lower(FormAnswer.respondent) == contact.email.lower())


@dataclass(frozen=True, slots=True)
class SubjectExport:
    """Everything held about one person: the contact, one list of records per kind, and
    what is not stored (said, not invented)."""

    email: str
    generated_at: datetime
    contact: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]]
    audit: list[dict[str, Any]] = field(default_factory=list)
    not_stored: dict[str, str] = field(default_factory=lambda: dict(NOT_STORED))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "email": self.email,
            "contact": self.contact,
            "sections": self.sections,
            "audit": self.audit,
            "not_stored": self.not_stored,
        }


def export_person(session: Session, *, email: str) -> SubjectExport:
    """Everything the workspace holds about the person with ``email``."""
    c = find_person(session, email=email)
    labels = {
        d.key: d.label
        for d in session.scalars(select(CustomFieldDef).where(CustomFieldDef.entity == "contact"))
    }
    contact = _row(c, full_name=c.full_name)
    contact["custom_fields"] = [
        {"key": k, "label": labels.get(k, k), "value": v} for k, v in (c.custom or {}).items()
    ]
    s: dict[str, list[dict[str, Any]]] = {}
    s["positions"] = [
        _row(p, account=a.name, account_domain=a.domain)
        for p, a in session.execute(
            select(AccountContact, Account)
            .join(Account, Account.id == AccountContact.account_id)
            .where(AccountContact.contact_id == c.id)
            .order_by(AccountContact.id)
        )
    ]
    s["external_refs"] = [
        _row(r)
        for r in session.scalars(
            select(ExternalRef)
            .where(ExternalRef.entity == "contact", ExternalRef.entity_id == c.id)
            .order_by(ExternalRef.id)
        )
    ]
    s["notes"] = [
        _row(n, about_them=True)
        for n in session.scalars(select(Note).where(Note.contact_id == c.id).order_by(Note.id))
    ]
    person = _person(c)
    patterns = person.patterns()
    s["notes"] += [
        _row(n, about_them=False, names_them=True)
        for n in session.scalars(
            select(Note)
            .where(or_(Note.contact_id.is_(None), Note.contact_id != c.id))
            .order_by(Note.id)
        )
        if any(p.search(f"{n.title or ''}\n{n.body}") for p in patterns)
    ]
    s["survey_answers"] = _all(session, SurveyAnswer, SurveyAnswer.contact_id == c.id)
    s["form_answers"] = _all(session, FormAnswer, _form_answers_of(c))
    s["touchpoints"] = [
        _row(t, asset_url=a.url, asset_title=a.title)
        for t, a in session.execute(
            select(Touchpoint, ContentAsset)
            .join(ContentAsset, ContentAsset.id == Touchpoint.asset_id)
            .where(Touchpoint.contact_id == c.id)
            .order_by(Touchpoint.at, Touchpoint.id)
        )
    ]
    s["deals"] = [
        _row(dc, deal=d.name)
        for dc, d in session.execute(
            select(DealContact, Deal)
            .join(Deal, Deal.id == DealContact.deal_id)
            .where(DealContact.contact_id == c.id)
            .order_by(DealContact.id)
        )
    ]
    s["committee_memberships"] = [
        _row(m, deal=deal, account=account)
        for m, deal, account in session.execute(
            select(CommitteeMember, Deal.name, Account.name)
            .outerjoin(Deal, Deal.id == CommitteeMember.deal_id)
            .outerjoin(Account, Account.id == CommitteeMember.account_id)
            .where(CommitteeMember.contact_id == c.id)
            .order_by(CommitteeMember.id)
        )
    ]
    s["relationships"] = _ties(session, c.id)
    s["knowledge_values"] = _all(session, KnowledgeValue, KnowledgeValue.contact_id == c.id)
    s["persona_assignments"] = [
        _row(a, run_key=run.run_key, persona=_persona_name(session, run.id, a.persona_key))
        for a, run in session.execute(
            select(PersonaAssignment, PersonaRun)
            .join(PersonaRun, PersonaRun.id == PersonaAssignment.run_id)
            .where(PersonaAssignment.contact_id == c.id)
            .order_by(PersonaAssignment.id)
        )
    ]
    own = _own_rows(session, c)
    s["records_naming_them"] = [
        {"table": t, "rows": n} for t, n in sorted(_mentions(session, person, own).items())
    ]
    audit = [
        _row(e)
        for e in session.scalars(select(AuditEntry).where(_audit_of(own)).order_by(AuditEntry.id))
    ]
    return SubjectExport(
        email=c.email or email, generated_at=utcnow(), contact=contact, sections=s, audit=audit
    )


def _audit_of(own: dict[str, tuple[str, set[int]]]) -> ColumnElement[bool]:
    """The audit log's entries about the person's own rows (their contact, notes, ...)."""
    about = [
        and_(AuditEntry.entity == table, AuditEntry.entity_id.in_(sorted(ids)))
        for table, ids in own.values()
        if ids
    ]
    return or_(*about) if about else false()


def _all(session: Session, model: type[Base], where: ColumnElement[bool]) -> list[dict[str, Any]]:
    pk = model.__table__.c.id
    return [_row(r) for r in session.scalars(select(model).where(where).order_by(pk))]


def _persona_name(session: Session, run_id: int, key: str) -> str:
    name = session.scalar(
        select(PersonaRow.name).where(PersonaRow.run_id == run_id, PersonaRow.key == key)
    )
    return name or key


def _ties(session: Session, contact_id: int) -> list[dict[str, Any]]:
    out = []
    ties = session.scalars(
        select(ContactRelationship)
        .where(
            or_(
                ContactRelationship.from_contact_id == contact_id,
                ContactRelationship.to_contact_id == contact_id,
            )
        )
        .order_by(ContactRelationship.id)
    )
    for t in ties:
        outgoing = t.from_contact_id == contact_id
        other = session.get(Contact, t.to_contact_id if outgoing else t.from_contact_id)
        out.append(
            _row(
                t,
                direction="from them" if outgoing else "to them",
                other=other.full_name if other else None,
                other_email=other.email if other else None,
            )
        )
    return out


def _person(c: Contact) -> Person:
    return Person(contact_id=c.id, first_name=c.first_name, last_name=c.last_name, email=c.email)


def _mentions(
    session: Session, person: Person, own: dict[str, tuple[str, set[int]]]
) -> dict[str, int]:
    """Other records whose free text names the person (the notes are listed in full);
    ``own``: the person's own rows (:func:`_own_rows`), left out."""
    found = redact_person(session, person=person, write=False, skip=_skip(own))
    found.pop("notes", None)
    return found


# -- erasure -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure removed (rows per kind) and redacted (rows per table whose text
    named the person); ``erased`` False for the count of what it would do."""

    contact: str
    removed: dict[str, int]
    redacted: dict[str, int]
    erased: bool
    marker: str = MARKER

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact": self.contact,
            "erased": self.erased,
            "removed": self.removed,
            "redacted": self.redacted,
            "marker": self.marker,
        }


Kind = tuple[str, type[Base], Callable[[Contact], ColumnElement[bool]]]

# What goes, kind by kind, before the contact itself (in this order).
REMOVED: Sequence[Kind] = (
    ("notes", Note, lambda c: Note.contact_id == c.id),
    ("survey_answers", SurveyAnswer, lambda c: SurveyAnswer.contact_id == c.id),
    ("form_answers", FormAnswer, _form_answers_of),
    ("touchpoints", Touchpoint, lambda c: Touchpoint.contact_id == c.id),
    ("deal_links", DealContact, lambda c: DealContact.contact_id == c.id),
    ("committee_memberships", CommitteeMember, lambda c: CommitteeMember.contact_id == c.id),
    (
        "relationships",
        ContactRelationship,
        lambda c: or_(
            ContactRelationship.from_contact_id == c.id, ContactRelationship.to_contact_id == c.id
        ),
    ),
    ("knowledge_values", KnowledgeValue, lambda c: KnowledgeValue.contact_id == c.id),
    ("persona_assignments", PersonaAssignment, lambda c: PersonaAssignment.contact_id == c.id),
    (
        "external_refs",
        ExternalRef,
        lambda c: (ExternalRef.entity == "contact") & (ExternalRef.entity_id == c.id),
    ),
    ("account_links", AccountContact, lambda c: AccountContact.contact_id == c.id),
    ("contact", Contact, lambda c: Contact.id == c.id),
)


def _own_rows(session: Session, c: Contact) -> dict[str, tuple[str, set[int]]]:
    """Per kind of :data:`REMOVED`: its table and the ids of the person's rows."""
    out: dict[str, tuple[str, set[int]]] = {}
    for kind, model, where in REMOVED:
        table = cast_table(model.__table__)
        out[kind] = (table.name, set(session.scalars(select(table.c.id).where(where(c)))))
    return out


def _skip(own: dict[str, tuple[str, set[int]]]) -> dict[str, set[int]]:
    skip: dict[str, set[int]] = {}
    for table, ids in own.values():
        skip.setdefault(table, set()).update(ids)
    return skip


def erase_person(session: Session, *, email: str, dry_run: bool = False) -> ErasureReport:
    """Remove the person with ``email`` and every row about them; redact their name and
    email in other records (deals and aggregates stay); the search index drops them.
    ``dry_run``: count only, change nothing."""
    c = find_person(session, email=email)
    person = _person(c)
    label = c.email or email
    own = _own_rows(session, c)
    removed = {kind: len(ids) for kind, (_, ids) in own.items()}
    audit = select(func.count()).select_from(AuditEntry).where(_audit_of(own))
    removed["audit_entries"] = int(session.scalar(audit) or 0)
    if not dry_run:
        session.execute(
            delete(AuditEntry).where(_audit_of(own)).execution_options(synchronize_session=False)
        )
        for kind, model, where in REMOVED:
            if removed[kind]:
                session.execute(
                    delete(model).where(where(c)).execution_options(synchronize_session=False)
                )
        session.expunge_all()
    redacted = redact_person(session, person=person, write=not dry_run, skip=_skip(own))
    if not dry_run:
        _rebuild_search_index(session)
    return ErasureReport(contact=label, removed=removed, redacted=redacted, erased=not dry_run)


def _rebuild_search_index(session: Session) -> None:
    """SQLite: the FTS5 tables rebuilt from their tables, so no segment keeps an erased
    row's words. PostgreSQL's trigram indexes follow the rows (VACUUM clears the dead)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCH_COLUMNS:
        fts = fts_table(table)
        session.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))


def reclaim_space(engine: Engine) -> None:
    """After the erasure's commit: the freed pages overwritten. SQLite: the WAL
    checkpointed into the file and truncated, the file rebuilt (VACUUM), the WAL truncated
    again; PostgreSQL: VACUUM (dead rows' space reclaimed)."""
    with engine.connect() as conn:
        auto = conn.execution_options(isolation_level="AUTOCOMMIT")
        if engine.dialect.name == "sqlite":
            auto.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            auto.exec_driver_sql("VACUUM")
            auto.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            auto.exec_driver_sql("VACUUM")
