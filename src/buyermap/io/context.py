"""What the entity planners share: the validated rows, their extras and the outcome per row."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, ExternalRef, User
from buyermap.io.bulk import Columns, Progress, chunks, insert_columns
from buyermap.io.validate import Validated
from buyermap.services.users import get_or_create_user

K = TypeVar("K", bound=Hashable)


@dataclass
class Ctx:
    session: Session
    entity: str  # external_refs word: account | contact | deal
    system: str
    on_duplicate: str
    n: int
    v: Validated
    extra: list[dict[str, str]]
    advance: Progress = lambda _n: None
    skipped: dict[int, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # field -> the file's column
    create_stages: bool = False
    # superseded row -> the later row of the file with the same key that won
    superseded: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def col(self, name: str) -> list[Any]:
        return self.v.columns.get(name) or [None] * self.n

    def pick(self, name: str, rows: list[int]) -> list[Any]:
        """The values of field ``name`` in ``rows`` (None when the file has no such column)."""
        values = self.v.columns.get(name)
        if values is None:
            return [None] * len(rows)
        return [values[i] for i in rows]

    def new_records(self, rows: list[int], fields: Sequence[str], now: Any) -> Columns:
        """Columns of new records for ``rows``: the ``fields``, custom, extra, timestamps."""
        columns = {f: self.pick(f, rows) for f in fields}
        columns["custom"] = [self.custom_for(i) for i in rows]
        columns["extra"] = [self.extra[i] for i in rows]
        columns["created_at"] = columns["updated_at"] = [now] * len(rows)
        return columns

    def has(self, name: str) -> bool:
        return name in self.v.columns

    def reject(self, i: int, field_name: str, reason: str) -> None:
        """Reject row ``i``; the error names the file's column that feeds ``field_name``."""
        column = self.headers.get(field_name, field_name)
        self.v.errors.setdefault(i, []).append((column, reason))

    def ok(self, i: int) -> bool:
        return i not in self.v.errors

    def valid_rows(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.v.errors]

    def custom_for(self, i: int) -> dict[str, Any]:
        if not self.v.custom:
            return {}
        return {k: vals[i] for k, vals in self.v.custom.items() if vals[i] is not None}

    def values(self, i: int, fields: Sequence[str]) -> dict[str, Any]:
        """Row ``i``'s non-blank values of ``fields``."""
        columns = self.v.columns
        return {f: columns[f][i] for f in fields if f in columns and columns[f][i] is not None}

    def json_changes(self, i: int, stored: Any) -> dict[str, Any]:
        """``stored``'s custom and extra merged with row ``i``'s, where that changes them."""
        changes: dict[str, Any] = {}
        for name, new in (("custom", self.custom_for(i)), ("extra", self.extra[i])):
            if new:
                before = getattr(stored, name)
                after = merged(before, new)
                if after != (before or {}):
                    changes[name] = after
        return changes


def load_by_id(session: Session, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    """The stored records of ``model`` with these ids, by id (queried in chunks)."""
    out: dict[int, Any] = {}
    for part in chunks(sorted(set(ids))):
        for obj in session.scalars(select(model).where(model.id.in_(part))):
            out[obj.id] = obj
    return out


def supersede(
    ctx: Ctx, rows: list[int], key_columns: Sequence[Sequence[Hashable | None]]
) -> list[int]:
    """Within the file the last row with a key wins; earlier ones are skipped. Returns winners.

    ``key_columns`` holds one column per kind of natural key (external id, email, ...): each
    row's key of that kind, or None. Files without repeated keys (the usual case) cost one
    set per kind."""
    if not any(_repeats(column, rows) for column in key_columns):
        return rows
    seen: dict[tuple[int, Hashable], int] = {}
    losers: set[int] = set()
    for i in rows:
        for kind, column in enumerate(key_columns):
            value = column[i]
            if not value:
                continue
            j = seen.get((kind, value))
            if j is not None and j not in losers:
                losers.add(j)
                ctx.skipped[j] = f"superseded by row {i + 1}"
                ctx.superseded[j] = i
            seen[(kind, value)] = i
    return [i for i in rows if i not in losers]


@dataclass
class NaturalKeys(Generic[K]):
    """How rows find stored records: external id, then one unique value (domain, email) that
    no other record may hold, then a name key used only when a row has neither."""

    ext: Sequence[str | None]
    refs: dict[str, int]
    unique_field: str
    unique: Sequence[str | None]
    by_unique: dict[str, int]
    name: Sequence[K | None]
    by_name: Mapping[K, int]

    def match(self, ctx: Ctx, rows: list[int]) -> tuple[list[int], dict[int, int]]:
        """The rows to insert and the matched rows (row -> stored id); later duplicates in the
        file supersede earlier ones, and a row whose unique value belongs to another record
        than its external id's is rejected."""
        inserts: list[int] = []
        matched: dict[int, int] = {}
        for i in supersede(ctx, rows, [self.ext, self.unique, self.name]):
            ext_id, value, name = self.ext[i], self.unique[i], self.name[i]
            found = self.refs.get(ext_id) if ext_id else None
            holder = self.by_unique.get(value) if value else None
            if found is None:
                found = holder
            if found is None and name:
                found = self.by_name.get(name)
            if holder is not None and found is not None and holder != found:
                ctx.reject(
                    i,
                    self.unique_field,
                    f"{self.unique_field} {value!r} belongs to {ctx.entity} id {holder}, but "
                    f"the row's external id {ext_id!r} is {ctx.entity} id {found}; "
                    "correct one of the two",
                )
            elif found is None:
                inserts.append(i)
            else:
                matched[i] = found
        return inserts, matched


def _repeats(column: Sequence[Hashable | None], rows: list[int]) -> bool:
    values = [v for v in map(column.__getitem__, rows) if v]
    return len(set(values)) != len(values)


def load_refs(
    session: Session, *, entity: str, system: str, any_system: bool = False
) -> dict[str, int]:
    """External id -> our id. ``any_system``: for references, ids of other systems count too
    (the file's own system wins)."""
    stmt = select(ExternalRef.value, ExternalRef.entity_id, ExternalRef.system).where(
        ExternalRef.entity == entity
    )
    if not any_system:
        stmt = stmt.where(ExternalRef.system == system)
    rows = sorted(session.execute(stmt), key=lambda r: r[2] == system)
    return {value: entity_id for value, entity_id, _system in rows}


def add_refs(
    ctx: Ctx, pairs: list[tuple[str, int]], known: dict[str, int], *, entity: str | None = None
) -> None:
    """Store the external ids (of the file's system) of new or matched records that do not
    have them yet; ``entity`` for ids of associated records (a contact's company)."""
    new: dict[str, int] = {}
    for value, entity_id in pairs:
        if value not in known:
            known[value] = new[value] = entity_id
    values = sorted(new)  # in index order: the unique index grows at its end
    n = len(values)
    columns: Columns = {
        "entity": [entity or ctx.entity] * n,
        "entity_id": [new[v] for v in values],
        "system": [ctx.system] * n,
        "value": values,
    }
    insert_columns(ctx.session, ExternalRef, columns)


@dataclass
class AccountIndex:
    """Accounts by external id, domain and lower-cased name, to resolve a row's company."""

    refs: dict[str, int]
    by_domain: dict[str, int]
    by_name: dict[str, int]

    @classmethod
    def load(cls, session: Session, *, system: str, any_system: bool) -> AccountIndex:
        refs = load_refs(session, entity="account", system=system, any_system=any_system)
        by_domain: dict[str, int] = {}
        by_name: dict[str, int] = {}
        stmt = select(Account.id, Account.name, Account.domain).order_by(Account.id)
        for account_id, account_name, account_domain in session.execute(stmt):
            if account_domain:
                by_domain[account_domain] = account_id
            by_name.setdefault(account_name.lower(), account_id)
        return cls(refs, by_domain, by_name)

    def find(self, ext: str | None, domain: str | None, name: str | None) -> int | None:
        """External id, then domain, then name; None when nothing matches."""
        found = self.refs.get(ext) if ext else None
        if found is None and domain:
            found = self.by_domain.get(domain)
        if found is None and name:
            found = self.by_name.get(name.lower())
        return found


class Users:
    """Owners by email or name; created only when writing."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for uid, name, email in session.execute(select(User.id, User.name, User.email)):
            self.by_name.setdefault(name, uid)
            if email:
                self.by_email[email.lower()] = uid

    def find(self, text: str | None) -> int | None:
        if text is None:
            return None
        t = text.strip()
        return self.by_email.get(t.lower()) if "@" in t else self.by_name.get(t)

    def ensure(self, text: str | None) -> int | None:
        if text is None:
            return None
        found = self.find(text)
        if found is not None:
            return found
        user = get_or_create_user(self.session, name=text)
        self.by_name.setdefault(user.name, user.id)
        if user.email:
            self.by_email[user.email.lower()] = user.id
        return user.id


def merged(stored: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    out = dict(stored or {})
    out.update(new)
    return out


def split_ids(value: str | None) -> list[str]:
    """``"123;456"`` (HubSpot's ``Associated Company IDs``) -> ``["123", "456"]``."""
    if not value:
        return []
    return [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]


def first_id(value: str | None) -> str | None:
    """The first of several ids (a contact's or deal's primary company)."""
    ids = split_ids(value)
    return ids[0] if ids else None
