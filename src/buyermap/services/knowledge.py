"""Account knowledge: the workspace's template, the values we know, the decision makers
they are about and what accounts are worth. Keyword-only; the caller owns the transaction.

Rules: :mod:`buyermap.domain.knowledge`; documents: :mod:`buyermap.seams.knowledge`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    CommitteeMember,
    Contact,
    Deal,
    KnowledgeField,
    KnowledgeValue,
    StageChange,
)
from buyermap.db.types import utcnow
from buyermap.domain.enums import DataClass
from buyermap.domain.knowledge import (
    DEFAULTS,
    KNOWLEDGE_CLASSES,
    AccountValue,
    Block,
    FieldDef,
    FieldType,
    check_cost,
    check_key,
    check_tier,
    enum_value,
    merge_template,
    parse_value,
)
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.common import to_naive_utc
from buyermap.services.avatars import latest_fits
from buyermap.services.versions import check_version

MANY = 500
"""Above this many accounts, read every row and pick in Python (no huge IN lists)."""
DECISION_ROLES = ("decision_maker", "economic_buyer")
"""Committee roles whose people the decision-maker block is about."""

_COLUMNS = (
    "label",
    "block",
    "type",
    "data_class",
    "enabled",
    "from_tier",
    "cost",
    "worth",
    "choices",
    "custom",
    "legal_basis",
    "legal_basis_by",
    "legal_basis_at",
)


def _stored(row: KnowledgeField) -> dict[str, Any]:
    return {
        "label": row.label,
        "block": Block(row.block),
        "type": FieldType(row.type),
        "data_class": DataClass(row.data_class),
        "enabled": row.enabled,
        "from_tier": row.from_tier,
        "cost": row.cost,
        "worth": row.worth,
        "choices": tuple(row.choices or ()),
        "legal_basis": row.legal_basis,
        "legal_basis_by": row.legal_basis_by,
        "legal_basis_at": row.legal_basis_at,
    }


def template(session: Session) -> list[FieldDef]:
    """The defaults as this workspace changed them, then its custom fields (by key)."""
    rows = session.scalars(select(KnowledgeField).order_by(KnowledgeField.key))
    return merge_template({r.key: _stored(r) for r in rows})


def field_of(session: Session, *, key: str) -> FieldDef:
    fields = {f.key: f for f in template(session)}
    found = fields.get(key.strip())
    if found is None:
        raise NotFoundError(
            f"no knowledge field {key!r}; the template has: {', '.join(fields)}",
            details={"field": "key"},
        )
    return found


def _save(session: Session, field: FieldDef) -> FieldDef:
    row = session.scalar(select(KnowledgeField).where(KnowledgeField.key == field.key))
    if row is None:
        row = KnowledgeField(key=field.key)
        session.add(row)
    values = {
        "label": field.label,
        "block": field.block.value,
        "type": field.type.value,
        "data_class": field.data_class.value,
        "enabled": field.enabled,
        "from_tier": field.from_tier,
        "cost": field.cost,
        "worth": field.worth,
        "choices": list(field.choices),
        "custom": field.custom,
        "legal_basis": field.legal_basis,
        "legal_basis_by": field.legal_basis_by,
        "legal_basis_at": field.legal_basis_at,
    }
    for name in _COLUMNS:
        setattr(row, name, values[name])
    session.flush()
    return field


def enable_field(
    session: Session,
    *,
    key: str,
    legal_basis: str | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> FieldDef:
    """Turn a field on. A special category needs a legal basis (recorded with who and when)."""
    field = field_of(session, key=key)
    basis = " ".join((legal_basis or "").split()) or None
    if field.data_class is DataClass.SPECIAL_CATEGORY and basis is None:
        raise InvalidValueError(
            f"field {field.key!r} ({field.label}) is a special category of personal data "
            "(GDPR art. 9): enabling it needs the legal basis you collect it on, e.g. "
            '--legal-basis "explicit consent of the person, form 2026/14"',
            details={"field": "legal_basis"},
        )
    changes: dict[str, Any] = {"enabled": True}
    if basis is not None:
        changes |= {
            "legal_basis": basis,
            "legal_basis_by": by or "unknown",
            "legal_basis_at": now or utcnow(),
        }
    return _save(session, replace(field, **changes))


def disable_field(session: Session, *, key: str) -> FieldDef:
    """Turn a field off: values already kept stay, new ones are refused."""
    field = field_of(session, key=key)
    return _save(session, replace(field, enabled=False))


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str | None = None
    block: str | None = None
    type: str | None = None
    data_class: str | None = None
    from_tier: str | None = None
    cost: int | None = None
    worth: int | None = None
    choices: list[str] | None = None


def change_field(session: Session, *, key: str, data: FieldChange) -> FieldDef:
    """Change a field's from_tier, cost, worth or label; a key the template lacks becomes a
    custom field (then label, block and type are needed). A field cannot become a special
    category this way, and a default's block, type and class stay."""
    fields = {f.key: f for f in template(session)}
    current = fields.get(key.strip())
    changes: dict[str, Any] = {}
    if data.from_tier is not None:
        changes["from_tier"] = check_tier(data.from_tier)
    if data.cost is not None:
        changes["cost"] = check_cost(data.cost)
    if data.worth is not None:
        changes["worth"] = check_cost(data.worth, field="worth")
    if data.label is not None:
        label = " ".join(data.label.split())
        if not label or len(label) > 200:
            raise InvalidValueError(
                f"label {data.label!r} must be 1-200 characters", details={"field": "label"}
            )
        changes["label"] = label
    if data.choices is not None:
        changes["choices"] = tuple(" ".join(c.split()) for c in data.choices if c.strip())
    custom = current is None or current.custom
    if custom:
        if data.block is not None:
            changes["block"] = enum_value(Block, data.block, "block")
        if data.type is not None:
            changes["type"] = enum_value(FieldType, data.type, "type")
        if data.data_class is not None:
            klass = enum_value(DataClass, data.data_class, "data_class")
            if klass not in KNOWLEDGE_CLASSES or klass is DataClass.SPECIAL_CATEGORY:
                raise InvalidValueError(
                    f"data_class {data.data_class!r}: a custom field is identity, "
                    "professional or personal_profile (special categories are not added)",
                    details={"field": "data_class"},
                )
            changes["data_class"] = klass
    elif any(v is not None for v in (data.block, data.type, data.data_class)):
        raise InvalidValueError(
            f"field {key!r} is a default: its block, type and data class stay; "
            "change from_tier, cost, worth or label, or add a custom field under a new key",
            details={"field": "key"},
        )
    if current is None:
        missing = [n for n in ("label", "block", "type") if n not in changes]
        if missing:
            raise InvalidValueError(
                f"a new custom field {key!r} needs {', '.join(missing)} "
                f"(block: company, decision_group or decision_maker; type: "
                f"{', '.join(t.value for t in FieldType)})",
                details={"field": missing[0]},
            )
        current = FieldDef(
            key=check_key(key),
            label=changes.pop("label"),
            block=changes.pop("block"),
            type=changes.pop("type"),
            data_class=changes.pop("data_class", DataClass.PROFESSIONAL),
            from_tier="C",
            cost=2,
            worth=3,
            custom=True,
        )
    return _save(session, replace(current, **changes))


def reset_field(session: Session, *, key: str) -> None:
    """Forget the workspace's changes to a default (custom fields: remove it)."""
    row = session.scalar(select(KnowledgeField).where(KnowledgeField.key == key))
    if row is None:
        field_of(session, key=key)
        return
    session.delete(row)
    session.flush()


# -- decision makers and values ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    contact_id: int
    name: str
    email: str | None
    role: str


def decision_makers(session: Session, *, account_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Each account's people on any of its committees (deals or standing group) with the
    decision maker or economic buyer role, once per person."""
    ids = sorted(set(account_ids))
    out: dict[int, dict[int, Person]] = defaultdict(dict)
    if not ids:
        return {}
    rows = session.execute(
        select(
            CommitteeMember.account_id,
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            CommitteeMember.role,
        )
        .join(Contact, Contact.id == CommitteeMember.contact_id)
        .where(
            CommitteeMember.account_id.in_(ids)
            if len(ids) <= MANY
            else CommitteeMember.account_id.is_not(None),
            CommitteeMember.role.in_(DECISION_ROLES),
        )
        .order_by(CommitteeMember.role.desc(), Contact.id)
    )
    wanted = set(ids)
    for aid, cid, first, last, email, role in rows:
        if aid not in wanted:
            continue
        name = " ".join(p for p in (first, last) if p) or email or f"contact {cid}"
        out[int(aid or 0)].setdefault(int(cid), Person(int(cid), name, email, str(role)))
    return {aid: list(people.values()) for aid, people in out.items()}


def values_of(session: Session, *, account_ids: Iterable[int]) -> list[KnowledgeValue]:
    ids = sorted(set(account_ids))
    if not ids:
        return []
    if len(ids) > MANY:
        wanted = set(ids)
        return [v for v in all_values(session) if v.account_id in wanted]
    return list(
        session.scalars(
            select(KnowledgeValue)
            .where(KnowledgeValue.account_id.in_(ids))
            .order_by(KnowledgeValue.account_id, KnowledgeValue.id)
        )
    )


def all_values(session: Session) -> list[KnowledgeValue]:
    return list(session.scalars(select(KnowledgeValue).order_by(KnowledgeValue.id)))


def find_value(
    session: Session, *, account_id: int, key: str, contact_id: int | None
) -> KnowledgeValue | None:
    stmt = select(KnowledgeValue).where(
        KnowledgeValue.account_id == account_id, KnowledgeValue.field_key == key
    )
    stmt = stmt.where(
        KnowledgeValue.contact_id.is_(None)
        if contact_id is None
        else KnowledgeValue.contact_id == contact_id
    )
    return session.scalar(stmt)


def check_subject(
    field: FieldDef, *, contact_id: int | None, makers: list[Person], account: str
) -> None:
    """A decision-maker field is about one of the account's decision makers; the others
    are about the account and take no contact."""
    if field.block is Block.DECISION_MAKER:
        if contact_id is None:
            raise InvalidValueError(
                f"{field.label} ({field.key}) is about a person: give the decision maker's "
                "email (--contact EMAIL)",
                details={"field": "contact"},
            )
        if contact_id not in {p.contact_id for p in makers}:
            names = ", ".join(p.email or p.name for p in makers) or "none yet"
            raise InvalidValueError(
                f"that contact is not a decision maker of {account}: put them on a committee "
                f"as decision maker or economic buyer first (decision makers: {names})",
                details={"field": "contact"},
            )
    elif contact_id is not None:
        raise InvalidValueError(
            f"{field.label} ({field.key}) is about the account, not a person: leave the "
            "contact out",
            details={"field": "contact"},
        )


def set_value(
    session: Session,
    *,
    account: Account,
    key: str,
    raw: Any,
    contact_id: int | None = None,
    verified_at: datetime | None = None,
    source: str | None = None,
    version: int | None = None,
) -> KnowledgeValue:
    """Keep what we know of ``account`` for field ``key`` (refused for a disabled field or
    a value the field's type does not take); verified now unless told otherwise."""
    field = field_of(session, key=key)
    value = parse_value(field, raw)
    makers = decision_makers(session, account_ids=[account.id]).get(account.id, [])
    check_subject(
        field, contact_id=contact_id, makers=makers, account=account.domain or account.name
    )
    record = find_value(session, account_id=account.id, key=field.key, contact_id=contact_id)
    try:
        when = to_naive_utc(verified_at) if verified_at is not None else utcnow()
    except ValueError as exc:
        raise InvalidValueError(
            f"verified_at: {exc}; give a date such as 2026-11-30",
            details={"field": "verified_at"},
        ) from None
    if record is None:
        if version is not None:
            raise ConflictError(
                f"{field.label} of {account.name} was removed since you opened it",
                details={"field": "version"},
            )
        record = KnowledgeValue(
            account_id=account.id,
            contact_id=contact_id,
            field_key=field.key,
            value=value,
            verified_at=when,
            source=source,
        )
        session.add(record)
    else:
        check_version(
            record, expected=version, changes={"value": value}, what=f"{field.label} value"
        )
        record.value = value
        record.verified_at = when
        record.source = source or record.source
        record.updated_at = utcnow()
    session.flush()
    return record


def remove_value(
    session: Session, *, account_id: int, key: str, contact_id: int | None = None
) -> None:
    record = find_value(session, account_id=account_id, key=key, contact_id=contact_id)
    if record is None:
        raise NotFoundError(f"no value of {key!r} is kept for that account")
    session.delete(record)
    session.flush()


# -- what accounts are worth ------------------------------------------------------------------


def stage_win_probabilities(session: Session) -> dict[int, float]:
    """Per stage: of the closed deals that were ever in it, the share won, with one won
    and one lost deal added (Laplace), so a stage without closed history counts 1/2."""
    rows = session.execute(
        select(StageChange.to_stage_id, Deal.status, func.count(func.distinct(Deal.id)))
        .join(Deal, Deal.id == StageChange.deal_id)
        .where(Deal.status.in_(("won", "lost")))
        .group_by(StageChange.to_stage_id, Deal.status)
    )
    won: dict[int, int] = defaultdict(int)
    closed: dict[int, int] = defaultdict(int)
    for stage_id, status, n in rows:
        closed[int(stage_id)] += int(n)
        if status == "won":
            won[int(stage_id)] += int(n)
    return {sid: (won[sid] + 1) / (closed[sid] + 2) for sid in closed}


def account_values(session: Session) -> tuple[dict[int, AccountValue], float]:
    """Every account's value parts and the typical (median) won revenue of accounts with
    any; amounts are summed as recorded (currencies are not converted)."""
    won: dict[int, float] = defaultdict(float)
    expected: dict[int, float] = defaultdict(float)
    probs = stage_win_probabilities(session)
    rows = session.execute(
        select(Deal.account_id, Deal.status, Deal.stage_id, Deal.amount).where(
            Deal.account_id.is_not(None), Deal.status != "lost"
        )
    )
    for aid, status, stage_id, amount in rows:
        if status == "won":
            won[int(aid or 0)] += float(amount or 0.0)
        else:
            p = probs.get(int(stage_id), 0.5) if stage_id is not None else 0.5
            expected[int(aid or 0)] += float(amount or 0.0) * p
    ids = [int(i) for i in session.scalars(select(Account.id))]
    _, fits = latest_fits(session, account_ids=ids)
    out = {
        aid: AccountValue(
            won=round(won.get(aid, 0.0), 2),
            expected=round(expected.get(aid, 0.0), 2),
            fit=fits[aid][0] / 100.0 if aid in fits else None,
        )
        for aid in ids
    }
    positive = [v for v in won.values() if v > 0]
    return out, float(median(positive)) if positive else 0.0


def default_keys() -> list[str]:
    return list(DEFAULTS)
