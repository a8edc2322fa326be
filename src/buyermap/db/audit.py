"""The audit log's writer: every flush that creates, changes or deletes a record people
edit (a :class:`~buyermap.db.models.Versioned` one) adds its :class:`AuditEntry` rows in
the same transaction, so a change and its record commit or roll back together.

Who acted comes from the session's ``info["actor"]`` (the pages and the API put the
signed-in user there), else from :func:`acting_as`, else it is ``local user``. A personal
field (a column whose ``info`` has a ``data_class``) is logged by name and class only:
its values are never copied into the log.

Bulk loads that bypass the ORM (``import``'s set-wise inserts) do not pass here; each file
is recorded as an :class:`~buyermap.db.models.ImportRun` instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from buyermap.db.base import Base
from buyermap.db.models import AuditEntry, Versioned
from buyermap.db.types import utcnow

LOCAL_USER = "local user"
SKIPPED = frozenset({"version", "created_at", "updated_at"})
MAX_VALUE = 2000  # characters of a logged value; longer ones are cut with an ellipsis

_actor: ContextVar[str] = ContextVar("buyermap_audit_actor", default=LOCAL_USER)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Changes made inside are logged as ``actor``'s (an email or a user's name)."""
    token = _actor.set(actor or LOCAL_USER)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> str:
    return _actor.get()


@cache
def audited_tables() -> tuple[str, ...]:
    """The tables whose edits are logged: those of the records people edit."""
    return tuple(
        sorted(
            str(mapper.local_table.name)  # type: ignore[attr-defined]
            for mapper in Base.registry.mappers
            if issubclass(mapper.class_, Versioned)
        )
    )


def install(factory: sessionmaker[Session]) -> None:
    """Log the changes of every session ``factory`` makes."""
    if not event.contains(factory, "after_flush", _record):
        event.listen(factory, "after_flush", _record)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):  # a picture: its size, not its bytes
        return f"({len(value):,} bytes)"
    if isinstance(value, str):
        out = value
    elif isinstance(value, datetime | date):
        out = value.isoformat()
    else:
        out = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return out if len(out) <= MAX_VALUE else out[: MAX_VALUE - 1] + "…"


def _rows(session: Session) -> list[dict[str, Any]]:
    actor, at = str(session.info.get("actor") or current_actor()), utcnow()
    rows: list[dict[str, Any]] = []

    def add(obj: Any, action: str, **extra: Any) -> None:
        key = inspect(obj).mapper.primary_key_from_instance(obj)  # set by the INSERT already
        entity_id = key[0] if len(key) == 1 and isinstance(key[0], int) else None
        base = {"at": at, "actor": actor, "action": action, "entity": obj.__tablename__}
        rows.append({**base, "entity_id": entity_id, "field": None, "data_class": None,
                     "before": None, "after": None, **extra})  # fmt: skip

    for obj in session.new:
        if isinstance(obj, Versioned):
            add(obj, "create")
    for obj in session.deleted:
        if isinstance(obj, Versioned):
            add(obj, "delete")
    for obj in session.dirty:
        if not isinstance(obj, Versioned) or obj in session.deleted:
            continue
        state = inspect(obj)
        for column in state.mapper.column_attrs:
            if column.key in SKIPPED:
                continue
            history = state.attrs[column.key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
            data_class = column.columns[0].info.get("data_class")
            personal = data_class is not None
            add(
                obj,
                "update",
                field=column.key,
                data_class=data_class,
                before=None if personal else _text(before),
                after=None if personal else _text(after),
            )
    return rows


def _record(session: Session, _flush_context: Any) -> None:
    rows = _rows(session)
    if rows:
        session.connection().execute(insert(AuditEntry), rows)
