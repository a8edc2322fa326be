"""Bulk writes for imports: chunked inserts that bypass per-row ORM and statement overhead.

On SQLite rows go through the driver's ``executemany`` with a plain ``INSERT``; values are
converted column by column the way SQLAlchemy's SQLite types store them (ISO timestamps,
JSON text), which is several times faster than letting SQLAlchemy bind each row. Other
databases use Core ``insert`` (with ``RETURNING`` where ids are needed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Date, DateTime, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

T = TypeVar("T")
CHUNK = 5000
SQLITE_CHUNK = 20_000
# Page cache for the import connection (KiB when negative): large enough that the unique
# indexes (contacts.email, external_refs) stay in memory during a million-row transaction;
# with SQLite's 2 MB default every insert into them reads and spills pages, and the rate
# falls as the indexes grow.
IMPORT_CACHE_KIB = 512 * 1024
Progress = Callable[[int], None]
Row = dict[str, Any]
Columns = dict[str, list[Any]]  # column name -> values, all of the same length


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ids_by_lowered(session: Session, column: Any, values: Sequence[Any]) -> dict[str, int]:
    """Lowered value -> row id of the rows whose ``column`` matches one of ``values`` without
    regard to case (emails, domains), chunked for long lists."""
    wanted = sorted({str(v).lower() for v in values if v})
    out: dict[str, int] = {}
    for part in chunks(wanted):
        for rid, key in session.execute(
            select(column.class_.id, func.lower(column)).where(func.lower(column).in_(part))
        ):
            out[key] = rid
    return out


def table_of(model: Any) -> Table:
    """The Core table of a mapped class (typed as a ``Table``, which ours always are)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not mapped to a single table")
    return table


@contextmanager
def import_tuning(session: Session) -> Iterator[None]:
    """Give the import connection a large SQLite page cache; restore it afterwards."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def bulk_insert(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (dicts with the same keys) in chunks; no ids returned."""
    if rows:
        _insert(session, table_of(model), to_columns(rows), lambda _n: None, returning=False)


def insert_columns(session: Session, model: Any, columns: Columns) -> None:
    """Bulk insert of rows given column by column (equal lengths); no ids returned."""
    if _height(columns):
        _insert(session, table_of(model), columns, lambda _n: None, returning=False)


def insert_returning_ids(
    session: Session, model: Any, rows: Sequence[Row], advance: Progress
) -> list[int]:
    """Bulk insert of ``rows`` (dicts with the same keys); the new ids in their order."""
    if not rows:
        return []
    return _insert(session, table_of(model), to_columns(rows), advance, returning=True)


def insert_columns_returning_ids(
    session: Session, model: Any, columns: Columns, advance: Progress
) -> list[int]:
    """Bulk insert of rows given column by column (equal lengths); the new ids in order."""
    if not _height(columns):
        return []
    return _insert(session, table_of(model), columns, advance, returning=True)


def bulk_update(session: Session, model: Any, rows: Sequence[Row]) -> None:
    """UPDATE by primary key (each row holds ``id`` and the columns it changes), in chunks of
    rows with the same key set; a versioned record's ``version`` goes up by one with each
    update (see :class:`buyermap.db.models.Versioned`), so a form opened before the import
    gets a conflict instead of overwriting what the import brought.

    Core ``executemany`` rather than the ORM's bulk UPDATE: that one would need each row's
    current version and refuse rows whose version moved, where an import simply wins.
    """
    table = table_of(model)
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for keys, grouped in groups.items():
        if not keys:
            continue
        values: dict[str, Any] = {key: bindparam(f"v_{key}") for key in keys}
        if "version" in table.c and "version" not in keys:
            values["version"] = table.c.version + 1
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
        for part in chunks(grouped, 1000):
            params = [{"b_id": r["id"], **{f"v_{k}": r[k] for k in keys}} for r in part]
            session.execute(stmt, params)


def _height(columns: Columns) -> int:
    for values in columns.values():
        return len(values)
    return 0


def to_columns(rows: Sequence[Row]) -> Columns:
    return {name: [r[name] for r in rows] for name in rows[0]}


def _insert(
    session: Session, table: Table, columns: Columns, advance: Progress, *, returning: bool
) -> list[int]:
    """Insert in chunks. On SQLite the transaction holds the only write lock, so new rows get
    the ids after the current maximum in order (checked afterwards); elsewhere RETURNING."""
    conn = session.connection()
    names = list(columns)
    total = _height(columns)
    if conn.dialect.name == "sqlite":
        start = 0
        if returning:
            start = conn.execute(select(func.max(table.c.id))).scalar() or 0
        sql = _sqlite_sql(table, names)
        for lo in range(0, total, SQLITE_CHUNK):
            params = _sqlite_params(table, columns, lo, lo + SQLITE_CHUNK)
            conn.exec_driver_sql(sql, params)
            advance(len(params))
        if not returning:
            return []
        top, count = conn.execute(
            select(func.max(table.c.id), func.count()).where(table.c.id > start)
        ).one()
        if count == total and top == start + total:
            return list(range(start + 1, start + 1 + total))
        raise RuntimeError(f"{table.name}: new ids are not contiguous after {start}")
    ids: list[int] = []
    for lo in range(0, total, CHUNK):
        part = [
            dict(zip(names, values, strict=True))
            for values in zip(*(columns[n][lo : lo + CHUNK] for n in names), strict=True)
        ]
        if returning:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(conn.execute(stmt, part).scalars().all())
        else:
            conn.execute(insert(table), part)
        advance(len(part))
    return ids


def _datetime_text(v: datetime) -> str:
    if v.tzinfo is not None:  # as UTCDateTime stores it: naive UTC
        v = v.astimezone(UTC).replace(tzinfo=None)
    return v.isoformat(sep=" ", timespec="microseconds")


def _date_text(v: date) -> str:
    return v.isoformat()


def _memoised(values: list[Any], conv: Callable[[Any], str]) -> list[Any]:
    """``conv`` applied once per distinct value (timestamps repeat: ``now``, import dates)."""
    memo: dict[Any, str | None] = {None: None}
    for v in values:
        if v not in memo:
            memo[v] = conv(v)
    return [memo[v] for v in values]


def _json_texts(values: list[Any]) -> list[str]:
    """JSON text of each dict; equal small dicts (extras of low-cardinality columns) are
    serialised once."""
    memo: dict[tuple[tuple[str, Any], ...], str] = {}
    out: list[str] = []
    append = out.append
    dumps = json.dumps
    for v in values:
        if not v:
            append("{}")
            continue
        try:
            key = tuple(v.items())
            text = memo.get(key)
        except TypeError:  # a list value (multi-choice custom field): not hashable
            append(dumps(v))
            continue
        if text is None:
            text = memo[key] = dumps(v)
        append(text)
    return out


def _sqlite_sql(table: Table, names: list[str]) -> str:
    cols = ", ".join(f'"{n}"' for n in names)
    return f'INSERT INTO "{table.name}" ({cols}) VALUES ({", ".join("?" for _ in names)})'


def _sqlite_params(table: Table, columns: Columns, lo: int, hi: int) -> list[tuple[Any, ...]]:
    """Rows ``lo:hi`` as parameter tuples, converted column by column as SQLAlchemy's SQLite
    types store them."""
    converted: list[list[Any]] = []
    for name, all_values in columns.items():
        values = all_values[lo:hi]
        kind = table.c[name].type
        impl = getattr(kind, "impl", kind)
        if isinstance(kind, JSON):
            values = _json_texts(values)
        elif isinstance(impl, DateTime):
            values = _memoised(values, _datetime_text)
        elif isinstance(impl, Date):
            values = _memoised(values, _date_text)
        converted.append(values)
    return list(zip(*converted, strict=True))
