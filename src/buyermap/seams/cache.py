"""The seams' result cache and the workspace's change stamp.

The cache is an object the edge owns (the web app keeps one on ``app.state``), never a
module global. Keys start with a *change stamp*: a cheap summary of the tables an analysis
reads, so any write gives a new key and a stale entry is never served:

* ``writes``: a counter bumped after every flush of the app's own sessions (exact for
  writes made through the app);
* per table, ``count(*)``, ``max(id)`` and ``max(updated_at)`` where the table has them
  (catches writes from other processes, e.g. a ``buyermap import`` while ``serve`` runs),
  all in one ``SELECT``;
* a *commit marker* for writes from other processes that change none of those (a stage
  renamed, a run activated by raw SQL or another tool): on SQLite ``PRAGMA data_version``
  read on a connection of the cache's own (:class:`CommitWatch`; SQLite changes it whenever
  another connection commits, at once and exactly), on PostgreSQL the tuples inserted,
  updated and deleted in the analysis's tables from ``pg_stat_user_tables`` (per database
  and table; PostgreSQL publishes another backend's counts when that backend goes idle, so
  such a write is seen within about a second).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, PoolProxiedConnection, column, func, select, table
from sqlalchemy.orm import Session

from buyermap.db.base import Base

T = TypeVar("T")
# PostgreSQL's per-table write counters of the current database (a view, not ours to map).
_PG_TABLE_STATS = table(
    "pg_stat_user_tables",
    column("relname"),
    column("n_tup_ins"),
    column("n_tup_upd"),
    column("n_tup_del"),
)
Stamp = tuple[Hashable, ...]


class CommitWatch:
    """Tells when another connection committed to a SQLite file: ``PRAGMA data_version`` on
    a connection kept for this alone (the value is per connection and ignores that
    connection's own commits, so it must never be used for anything else). For other
    backends and in-memory SQLite (one connection, all writes the app's own) it is None."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._raw: PoolProxiedConnection | None = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            raw = engine.raw_connection()
            raw.detach()  # ours for good: never handed to a session
            self._raw = raw

    def marker(self) -> int | None:
        if self._raw is None:
            return None
        with self._lock:
            cursor = self._raw.cursor()
            try:
                cursor.execute("PRAGMA data_version")
                row = cursor.fetchone()
            finally:
                cursor.close()
        assert row is not None  # a PRAGMA always answers one row
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._raw is not None:
                self._raw.close()
                self._raw = None


class ResultCache:
    """A small thread-safe LRU of computed results, with a write counter for the stamp."""

    def __init__(self, size: int = 64, *, watch: CommitWatch | None = None) -> None:
        self.size = size
        self.watch = watch
        self.writes = 0
        self.computed = 0  # how many times ``get`` had to compute (tests read it)
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def bump(self, *_: object) -> None:
        """Called after a flush that wrote something: every stamp changes."""
        with self._lock:
            self.writes += 1

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                found: T = self._data[key]
                return found
        value = compute()
        with self._lock:
            self.computed += 1
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def stamp(self, session: Session, models: Sequence[type[Base]]) -> Stamp:
        """The change stamp of ``models``' tables, with this cache's write counter and
        commit marker."""
        commits = None if self.watch is None else self.watch.marker()
        return (commits, *change_stamp(session, models, writes=self.writes))


def change_stamp(session: Session, models: Sequence[type[Base]], *, writes: int = 0) -> Stamp:
    """A value that changes whenever a row of ``models``' tables is added, removed or (for
    tables with ``updated_at``) updated; one query whatever the number of tables."""
    columns: list[Any] = []
    for model in models:
        table = model.__table__
        columns.append(select(func.count()).select_from(table).scalar_subquery())
        for name in ("id", "updated_at"):
            if name in table.c:
                columns.append(select(func.max(table.c[name])).scalar_subquery())
    if session.get_bind().dialect.name == "postgresql":
        c = _PG_TABLE_STATS.c
        names = [str(model.__tablename__) for model in models]
        columns.append(
            select(func.coalesce(func.sum(c.n_tup_ins + c.n_tup_upd + c.n_tup_del), 0))
            .where(c.relname.in_(names))
            .scalar_subquery()
        )
    row = session.execute(select(*columns)).one()
    return (writes, *row)
