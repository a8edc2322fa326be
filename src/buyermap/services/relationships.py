"""Ties between people (the relationship map): add, change, remove, and the ties among a set
of people. Keyword-only use cases that never commit; the rules are
:mod:`buyermap.domain.relationships`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from buyermap.db.models import AccountContact, Contact, ContactRelationship
from buyermap.domain.relationships import resolve_type, type_choices, type_label
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.versions import check_delete_version, check_version

EVIDENCE_MAX = 2000
SOURCE_MAX = 120


@dataclass(frozen=True, slots=True)
class TieInput:
    type: str
    evidence: str | None = None
    source: str | None = None
    strength: int | None = None


def own_types(session: Session) -> list[str]:
    """The types in use that are not built in (the workspace's own)."""
    from buyermap.domain.relationships import BUILT_IN_BY_KEY

    used = session.scalars(select(ContactRelationship.kind).distinct())
    return sorted(k for k in used if k not in BUILT_IN_BY_KEY)


def check_type(session: Session, text: str) -> str:
    key = resolve_type(text, own_types(session))
    if key is None:
        raise InvalidValueError(
            f"tie type {text!r} is not a type: use one of {type_choices()}, or your own type "
            "in 2 to 30 letters, digits, spaces, - or _ starting with a letter "
            "(e.g. 'golf partner')",
            details={"field": "type"},
        )
    return key


def clean_tie(session: Session, data: TieInput) -> TieInput:
    """The input with its type resolved and its texts trimmed, or InvalidValueError."""
    evidence = (data.evidence or "").strip() or None
    source = (data.source or "").strip() or None
    if evidence is not None and len(evidence) > EVIDENCE_MAX:
        raise InvalidValueError(
            f"evidence has {len(evidence):,} characters; at most {EVIDENCE_MAX:,}",
            details={"field": "evidence"},
        )
    if source is not None and len(source) > SOURCE_MAX:
        raise InvalidValueError(
            f"source has {len(source):,} characters; at most {SOURCE_MAX}",
            details={"field": "source"},
        )
    if data.strength is not None and not 1 <= data.strength <= 5:
        raise InvalidValueError(
            f"strength {data.strength!r} is not a whole number from 1 (weak) to 5 (strong)",
            details={"field": "strength"},
        )
    return TieInput(check_type(session, data.type), evidence, source, data.strength)


def get_contact(session: Session, *, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(f"no contact with id {contact_id}", details={"field": "contact"})
    return contact


def get_tie(session: Session, *, tie_id: int) -> ContactRelationship:
    tie = session.get(ContactRelationship, tie_id)
    if tie is None:
        raise NotFoundError(f"no tie with id {tie_id}")
    return tie


def find_tie(
    session: Session, *, from_id: int, to_id: int, kind: str
) -> ContactRelationship | None:
    return session.scalar(
        select(ContactRelationship).where(
            ContactRelationship.from_contact_id == from_id,
            ContactRelationship.to_contact_id == to_id,
            ContactRelationship.kind == kind,
        )
    )


def _not_self(session: Session, from_id: int, to_id: int) -> None:
    if from_id == to_id:
        name = get_contact(session, contact_id=from_id).full_name
        raise InvalidValueError(
            f"a tie from {name} to {name}: a tie joins two different people",
            details={"field": "to"},
        )


def add_tie(session: Session, *, from_id: int, to_id: int, data: TieInput) -> ContactRelationship:
    """A new tie; a tie of that type between the two exists already: ConflictError."""
    get_contact(session, contact_id=from_id)
    get_contact(session, contact_id=to_id)
    _not_self(session, from_id, to_id)
    clean = clean_tie(session, data)
    if find_tie(session, from_id=from_id, to_id=to_id, kind=clean.type) is not None:
        raise ConflictError(
            f"there is a {type_label(clean.type)!r} tie from contact {from_id} to contact "
            f"{to_id} already; change that one instead",
            details={"field": "type"},
        )
    tie = ContactRelationship(
        from_contact_id=from_id,
        to_contact_id=to_id,
        kind=clean.type,
        strength=clean.strength,
        evidence=clean.evidence,
        source=clean.source,
    )
    session.add(tie)
    session.flush()
    return tie


def update_tie(
    session: Session,
    *,
    tie_id: int,
    changes: dict[str, object],
    version: int | None = None,
) -> ContactRelationship:
    """Change a tie's type, evidence, source or strength (refused from a stale version)."""
    tie = get_tie(session, tie_id=tie_id)
    merged = TieInput(
        type=str(changes.get("type", tie.kind)),
        evidence=_text(changes.get("evidence", tie.evidence)),
        source=_text(changes.get("source", tie.source)),
        strength=_whole(changes.get("strength", tie.strength)),
    )
    clean = clean_tie(session, merged)
    values = {
        "kind": clean.type,
        "evidence": clean.evidence,
        "source": clean.source,
        "strength": clean.strength,
    }
    check_version(tie, expected=version, changes=values, what="tie")
    if clean.type != tie.kind:
        clash = find_tie(
            session, from_id=tie.from_contact_id, to_id=tie.to_contact_id, kind=clean.type
        )
        if clash is not None:
            raise ConflictError(
                f"there is a {type_label(clean.type)!r} tie between these two already (tie "
                f"{clash.id})",
                details={"field": "type"},
            )
    for field, value in values.items():
        setattr(tie, field, value)
    session.flush()
    return tie


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _whole(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidValueError(
            f"strength {value!r} is not a whole number from 1 (weak) to 5 (strong)",
            details={"field": "strength"},
        )
    return int(value)


def remove_tie(session: Session, *, tie_id: int, version: int | None = None) -> None:
    tie = get_tie(session, tie_id=tie_id)
    check_delete_version(tie, expected=version, what="tie")
    session.delete(tie)
    session.flush()


def ties_among(session: Session, people: Collection[int]) -> list[ContactRelationship]:
    """The ties whose two ends are both among ``people``, in id order."""
    if not people:
        return []
    ids = sorted(people)
    return list(
        session.scalars(
            select(ContactRelationship)
            .where(
                ContactRelationship.from_contact_id.in_(ids),
                ContactRelationship.to_contact_id.in_(ids),
            )
            .order_by(ContactRelationship.id)
        )
    )


def tied_at_account(session: Session, *, account_id: int, people: Collection[int]) -> set[int]:
    """People at the account (by a position there) who have a tie with one of ``people``."""
    if not people:
        return set()
    ids = sorted(people)
    rows = session.execute(
        select(ContactRelationship.from_contact_id, ContactRelationship.to_contact_id).where(
            or_(
                ContactRelationship.from_contact_id.in_(ids),
                ContactRelationship.to_contact_id.in_(ids),
            )
        )
    ).all()
    others = {b if a in people else a for a, b in rows} - set(people)
    if not others:
        return set()
    at = session.scalars(
        select(AccountContact.contact_id).where(
            and_(
                AccountContact.account_id == account_id,
                AccountContact.contact_id.in_(sorted(others)),
            )
        )
    )
    return set(at)


def all_ties(session: Session) -> list[ContactRelationship]:
    return list(session.scalars(select(ContactRelationship).order_by(ContactRelationship.id)))
