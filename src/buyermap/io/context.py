"""What the entity planners share: the validated rows, their extras and the outcome per row."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import JSON, Date, DateTime, func, insert, select
from sqlalchemy.orm import Session

from buyermap.db.models import ExternalRef, User
from buyermap.io.validate import Validated
from buyermap.services.users import get_or_create_user

T = TypeVar("T")
CHUNK = 5000
Progress = Callable[[int], None]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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

    def col(self, name: str) -> list[Any]:
        return self.v.columns.get(name) or [None] * self.n

    def has(self, name: str) -> bool:
        return name in self.v.columns

    def reject(self, i: int, column: str | None, reason: str) -> None:
        self.v.errors.setdefault(i, []).append((column or "", reason))

    def ok(self, i: int) -> bool:
        return i not in self.v.errors

    def valid_rows(self) -> list[int]:
        return [i for i in range(self.n) if i not in self.v.errors]

    def custom_for(self, i: int) -> dict[str, Any]:
        return {k: vals[i] for k, vals in self.v.custom.items() if vals[i] is not None}


def supersede(ctx: Ctx, rows: Iterable[int], keys: Callable[[int], list[Hashable]]) -> list[int]:
    """Within the file the last row with a key wins; earlier ones are skipped. Returns winners."""
    seen: dict[Hashable, int] = {}
    winners: dict[int, None] = {}
    for i in rows:
        for key in keys(i):
            j = seen.get(key)
            if j is not None and j in winners:
                del winners[j]
                ctx.skipped[j] = f"superseded by row {i + 1}"
            seen[key] = i
        winners[i] = None
    return list(winners)


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


def add_refs(ctx: Ctx, pairs: list[tuple[str, int]], known: dict[str, int]) -> None:
    rows = []
    for value, entity_id in pairs:
        if value not in known:
            known[value] = entity_id
            rows.append(
                {"entity": ctx.entity, "entity_id": entity_id, "system": ctx.system, "value": value}
            )
    for part in chunks(rows):
        ctx.session.connection().execute(insert(ExternalRef.__table__), list(part))


def insert_returning_ids(
    session: Session, model: Any, rows: list[dict[str, Any]], advance: Progress
) -> list[int]:
    """Bulk insert (Core executemany in chunks); the new ids in the order of ``rows``.

    On SQLite the transaction holds the only write lock, so new rows get the ids after the
    current maximum in order (checked afterwards); PostgreSQL uses RETURNING.
    """
    if not rows:
        return []
    table = model.__table__
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        start = conn.execute(select(func.max(table.c.id))).scalar() or 0
        sql, convert = _sqlite_insert(table, list(rows[0]))
        for part in chunks(rows, 20_000):
            conn.exec_driver_sql(sql, [convert(r) for r in part])
            advance(len(part))
        top, count = conn.execute(
            select(func.max(table.c.id), func.count()).where(table.c.id > start)
        ).one()
        if count == len(rows) and top == start + len(rows):
            return list(range(start + 1, start + 1 + len(rows)))
        raise RuntimeError(f"{table.name}: new ids are not contiguous after {start}")
    ids: list[int] = []
    for part in chunks(rows):
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(conn.execute(stmt, list(part)).scalars().all())
        advance(len(part))
    return ids


def _sqlite_insert(
    table: Any, names: list[str]
) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
    """A plain INSERT and a row converter storing values as SQLAlchemy's SQLite types do."""

    def dt(v: Any) -> Any:
        return None if v is None else v.isoformat(sep=" ", timespec="microseconds")

    def d(v: Any) -> Any:
        return None if v is None else v.isoformat()

    def js(v: Any) -> Any:
        return "{}" if v == {} else json.dumps(v)

    def same(v: Any) -> Any:
        return v

    convs: list[Callable[[Any], Any]] = []
    for name in names:
        kind = table.c[name].type
        impl = getattr(kind, "impl", kind)
        if isinstance(kind, JSON):
            convs.append(js)
        elif isinstance(impl, DateTime):
            convs.append(dt)
        elif isinstance(impl, Date):
            convs.append(d)
        else:
            convs.append(same)
    pairs = list(zip(names, convs, strict=True))
    cols = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" for _ in names)})'
    return sql, lambda row: tuple(conv(row[n]) for n, conv in pairs)


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

    def names(self) -> dict[int, str]:
        stmt = select(User.id, func.coalesce(User.email, User.name))
        return {uid: label for uid, label in self.session.execute(stmt)}


def merged(stored: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    out = dict(stored or {})
    out.update(new)
    return out
