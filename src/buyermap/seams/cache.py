"""The seams' result cache and the workspace's change stamp.

The cache is an object the edge owns (the web app keeps one on ``app.state``), never a
module global. Keys start with a *change stamp*: a cheap summary of the tables an analysis
reads, so any write gives a new key and a stale entry is never served:

* ``writes``: a counter bumped after every flush of the app's own sessions (exact for
  writes made through the app);
* per table, ``count(*)``, ``max(id)`` and ``max(updated_at)`` where the table has them
  (catches writes from other processes, e.g. a ``buyermap import`` while ``serve`` runs),
  all in one ``SELECT``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.base import Base

T = TypeVar("T")
Stamp = tuple[Hashable, ...]


class ResultCache:
    """A small thread-safe LRU of computed results, with a write counter for the stamp."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
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
    row = session.execute(select(*columns)).one()
    return (writes, *row)
