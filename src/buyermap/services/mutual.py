"""Our seller profile, buyers' supplier criteria, and how well we fit each buyer.

Keyword-only use cases that take the session and never commit (the caller owns the
transaction). The judgement itself is :func:`buyermap.domain.mutual.mutual_fit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, SellerProfileEntry, SupplierCriterion
from buyermap.domain.criteria import check
from buyermap.domain.mutual import (
    Criterion,
    MutualFit,
    fold,
    mutual_fit,
    operator_of,
    split_values,
)
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.versions import check_version


def seller_profile(session: Session) -> dict[str, list[str]]:
    """Our profile: key -> values, keys in alphabetical order."""
    entries = session.scalars(select(SellerProfileEntry).order_by(SellerProfileEntry.key))
    return {e.key: list(e.values) for e in entries}


def _entry(session: Session, key: str) -> SellerProfileEntry | None:
    """The profile entry of ``key`` in any case. Compared in Python (the profile is small):
    SQLite's lower() folds only ASCII, so "Éire" and "éire" would not meet in SQL."""
    wanted = fold(key)
    return next(
        (e for e in session.scalars(select(SellerProfileEntry)) if fold(e.key) == wanted), None
    )


def _clean_key(key: str) -> str:
    text = " ".join(key.split())
    if not text:
        raise InvalidValueError("a profile key cannot be empty", details={"field": "key"})
    if len(text) > 120:
        raise InvalidValueError(
            f"profile key {text[:40]!r}... has {len(text)} characters; at most 120",
            details={"field": "key"},
        )
    return text


def set_profile_values(session: Session, *, key: str, values: Sequence[str]) -> SellerProfileEntry:
    """Set one key's values (several values: a list, or one text with ``;``); an empty list
    removes the key."""
    name = _clean_key(key)
    cleaned: list[str] = []
    for v in values:
        for part in split_values(v):
            if len(part) > 500:
                raise InvalidValueError(
                    f"a value of {name!r} has {len(part)} characters; at most 500",
                    details={"field": "values"},
                )
            if fold(part) not in {fold(c) for c in cleaned}:
                cleaned.append(part)
    if not cleaned:
        raise InvalidValueError(
            f"{name!r} needs at least one value (several: separated by ';')",
            details={"field": "values"},
        )
    entry = _entry(session, name)
    if entry is None:
        entry = SellerProfileEntry(key=name, values=cleaned)
        session.add(entry)
    elif entry.values != cleaned:
        entry.values = cleaned
    session.flush()
    return entry


def remove_profile_key(session: Session, *, key: str) -> None:
    entry = _entry(session, key)
    if entry is None:
        raise NotFoundError(f"our profile has no key {key!r}")
    session.delete(entry)
    session.flush()


@dataclass(frozen=True, slots=True)
class CriterionInput:
    criterion: str
    operator: str
    value: str
    weight: float = 1.0
    must_have: bool = False


def _checked(data: CriterionInput) -> CriterionInput:
    """The criterion checked and normalised by :func:`buyermap.domain.criteria.check`
    (the import's rows go through the same checker); the first problem is raised."""
    checked = check(data.operator, data.value, data.weight)
    problems = list(checked.problems)
    if not data.criterion.strip():
        problems.insert(0, ("criterion", "the criterion is empty; give a profile key"))
    if problems or checked.operator is None:
        name, message = problems[0]
        raise InvalidValueError(message, details={"field": name})
    return CriterionInput(
        criterion=" ".join(data.criterion.split())[:120],
        operator=checked.operator.value,
        value=checked.value,
        weight=checked.weight,
        must_have=data.must_have,
    )


def account_criteria(session: Session, *, account_id: int) -> list[SupplierCriterion]:
    if session.get(Account, account_id) is None:
        raise NotFoundError(f"no account with id {account_id}")
    return list(
        session.scalars(
            select(SupplierCriterion)
            .where(SupplierCriterion.account_id == account_id)
            .order_by(SupplierCriterion.id)
        )
    )


def add_criterion(
    session: Session, *, account_id: int, data: CriterionInput, source: str = "web"
) -> SupplierCriterion:
    clean = _checked(data)
    for c in account_criteria(session, account_id=account_id):
        if fold(c.criterion) == fold(clean.criterion) and c.operator == clean.operator:
            raise ConflictError(
                f"this account has a criterion {c.criterion!r} {c.operator} already "
                f"(id {c.id}); change that one",
                details={"field": "criterion", "id": c.id},
            )
    record = SupplierCriterion(
        account_id=account_id,
        criterion=clean.criterion,
        operator=clean.operator,
        value=clean.value,
        weight=clean.weight,
        must_have=clean.must_have,
        source=source,
    )
    session.add(record)
    session.flush()
    return record


def get_criterion(session: Session, *, criterion_id: int) -> SupplierCriterion:
    record = session.get(SupplierCriterion, criterion_id)
    if record is None:
        raise NotFoundError(f"no supplier criterion with id {criterion_id}")
    return record


def update_criterion(
    session: Session,
    *,
    criterion_id: int,
    changes: dict[str, Any],
    version: int | None = None,
) -> SupplierCriterion:
    """Change some of a criterion's fields (the others kept); ``version``, when given, must
    be the stored one (else 409 with each conflicting field, see services/versions.py)."""
    record = get_criterion(session, criterion_id=criterion_id)
    merged = CriterionInput(
        criterion=str(changes.get("criterion", record.criterion)),
        operator=str(changes.get("operator", record.operator)),
        value=str(changes.get("value", record.value)),
        weight=float(changes.get("weight", record.weight)),
        must_have=bool(changes.get("must_have", record.must_have)),
    )
    clean = _checked(merged)
    wanted = {k: getattr(clean, k) for k in changes}
    check_version(record, expected=version, changes=wanted, what="supplier criterion")
    for name, value in wanted.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
    session.flush()
    return record


def delete_criterion(session: Session, *, criterion_id: int) -> None:
    session.delete(get_criterion(session, criterion_id=criterion_id))
    session.flush()


def as_criterion(record: SupplierCriterion) -> Criterion:
    return Criterion(
        criterion=record.criterion,
        operator=operator_of(record.operator),
        value=record.value,
        weight=record.weight,
        must_have=record.must_have,
        id=record.id,
    )


def find_account(session: Session, *, domain: str) -> Account:
    account = session.scalar(select(Account).where(func.lower(Account.domain) == domain.lower()))
    if account is None:
        raise NotFoundError(f"no account with domain {domain!r}", details={"field": "account"})
    return account


def mutual_fits(
    session: Session, *, account_ids: Sequence[int] | None = None
) -> list[tuple[Account, MutualFit]]:
    """Each account with supplier criteria (or the accounts given), with how we fit it."""
    profile = seller_profile(session)
    stmt = select(SupplierCriterion).order_by(SupplierCriterion.account_id, SupplierCriterion.id)
    if account_ids is not None:
        stmt = stmt.where(SupplierCriterion.account_id.in_(list(account_ids)))
    by_account: dict[int, list[Criterion]] = {}
    for record in session.scalars(stmt):
        by_account.setdefault(record.account_id, []).append(as_criterion(record))
    ids = list(account_ids) if account_ids is not None else sorted(by_account)
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}
    return [(accounts[i], mutual_fit(by_account.get(i, []), profile)) for i in ids if i in accounts]
