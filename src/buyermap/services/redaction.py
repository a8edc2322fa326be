"""A person's name and email taken out of the free text of every other record (the
erasure of :mod:`buyermap.services.privacy`): replaced by :data:`MARKER`, case-insensitively,
in every text and JSON column of every table but the seller's own users. Cached results
(persona runs, avatars, import runs) lose, besides, every object that names the person's
contact id, and an import's quarantine CSV the lines that name them. Keyword-only; never
commits.

SQL only narrows the rows read (on the last name, else the first, and on the email,
case-insensitively: ``ILIKE`` on PostgreSQL; on SQLite ``LIKE`` over a registered function
that decodes JSON's escapes and folds case); Python decides and replaces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, String, Table, Text, cast, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from buyermap.db.base import Base
from buyermap.db.models import Versioned

MARKER = "[erased]"
"""What stands where an erased person's name or email stood."""

SKIPPED_TABLES = frozenset({"users", "alembic_version"})
"""Not searched: the seller's own people (a different kind of person) and the schema's
revision."""

CACHE_TABLES = frozenset({"persona_runs", "avatars", "import_runs", "journey_versions"})
"""Stored results: read in full, as they may hold the person's contact id, not their name."""

QUARANTINE = ("import_runs", "quarantine_csv")


@dataclass(frozen=True, slots=True)
class Person:
    """Who is being erased: the contact's id, name parts and email."""

    contact_id: int
    first_name: str | None
    last_name: str | None
    email: str | None

    def patterns(self) -> list[re.Pattern[str]]:
        """The full name (either order, any spacing) and the email, case-insensitively,
        as whole words: "Ann Lee" is not redacted out of "Joann Leeds", nor
        ann@example.com out of joann@example.com."""
        first, last = (self.first_name or "").split(), (self.last_name or "").split()
        forms: list[str] = []
        if first or last:
            forms.append(_words([*first, *last]))
        if first and last:
            forms.append(rf"{_words(last)}\s*,\s*{_words(first)}")
        if self.email:
            forms.append(re.escape(self.email))
        return [re.compile(rf"(?<![\w.+-]){f}(?![\w-]|\.\w)", re.IGNORECASE) for f in forms]

    def probes(self) -> list[str]:
        """Substrings a row must hold (in SQL, case-insensitively) to be read: the last
        name, else the first, and the email."""
        name = (self.last_name or self.first_name or "").strip()
        return [b for b in (name, (self.email or "").strip()) if b]


def _words(words: list[str]) -> str:
    return r"\s+".join(re.escape(w) for w in words)


@dataclass
class Scrub:
    """One pass over a value: the patterns to replace and the contact id to drop."""

    patterns: list[re.Pattern[str]]
    contact_id: int
    drop_ids: bool

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value = pattern.sub(MARKER, value)
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value if not self._names_contact(v)]
        if isinstance(value, dict):
            return {
                self.text(k) if isinstance(k, str) else k: self.json(v)
                for k, v in value.items()
                if not self._names_contact(v)
            }
        return value

    def _names_contact(self, value: Any) -> bool:
        return (
            self.drop_ids and isinstance(value, dict) and value.get("contact_id") == self.contact_id
        )

    def csv(self, value: str) -> str:
        lines = value.splitlines(keepends=True)
        kept = lines[:1] + [ln for ln in lines[1:] if not any(p.search(ln) for p in self.patterns)]
        return "".join(kept)


def _text_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, String | JSON) and not c.primary_key]


def _is_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON)


def cast_table(clause: Any) -> Table:
    """A mapped class's table (typed as a FromClause by SQLAlchemy)."""
    assert isinstance(clause, Table)
    return clause


def _versioned_tables() -> set[str]:
    return {
        cast_table(m.local_table).name
        for m in Base.registry.mappers
        if issubclass(m.class_, Versioned)
    }


FOLD = "buyermap_fold"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _fold(value: object) -> str | None:
    """SQLite's ``buyermap_fold``: the text with JSON's ``\\uXXXX`` escapes decoded, in lower
    case (SQLite's own ``lower`` and ``LIKE`` fold ASCII only)."""
    if value is None:
        return None
    text = str(value)
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.lower()


def _matches(session: Session, column: Column[Any], probes: Iterable[str]) -> ColumnElement[bool]:
    text_of: ColumnElement[Any] = cast(column, Text) if _is_json(column) else column
    if session.get_bind().dialect.name == "postgresql":
        return or_(*(text_of.ilike(f"%{p}%") for p in probes))
    folded = func.buyermap_fold(text_of)
    return or_(*(folded.like(f"%{p.lower()}%") for p in probes))


def _register_fold(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        driver: Any = session.connection().connection.driver_connection
        driver.create_function(FOLD, 1, _fold, deterministic=True)


def redact_person(
    session: Session,
    *,
    person: Person,
    write: bool = True,
    skip: Mapping[str, Collection[int]] | None = None,
) -> dict[str, int]:
    """Replace the person's name and email in every other record; per table, how many
    rows changed (or would change, ``write=False``). ``skip``: per table, the ids of the
    person's own rows (removed, not redacted)."""
    skip = skip or {}
    patterns = person.patterns()
    probes = person.probes()
    if not patterns:
        return {}
    _register_fold(session)
    versioned = _versioned_tables()
    counts: Counter[str] = Counter()
    for table in Base.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        columns = _text_columns(table)
        if not columns:
            continue
        cache = table.name in CACHE_TABLES
        scrub = Scrub(patterns=patterns, contact_id=person.contact_id, drop_ids=cache)
        pk = next(iter(table.primary_key.columns))
        stmt = select(pk, *columns)
        if not cache:
            stmt = stmt.where(or_(*(_matches(session, c, probes) for c in columns)))
        own = skip.get(table.name, ())
        for row in session.execute(stmt).all():
            if row[0] in own:
                continue
            changes: dict[str, Any] = {}
            for column, value in zip(columns, row[1:], strict=True):
                if value is None:
                    continue
                if (table.name, column.name) == QUARANTINE:
                    new: Any = scrub.csv(value)
                elif _is_json(column):
                    new = scrub.json(value)
                else:
                    new = scrub.text(value)
                if new != value:
                    changes[column.name] = new
            if not changes:
                continue
            counts[table.name] += 1
            if write:
                if table.name in versioned:
                    changes["version"] = table.c.version + 1
                session.execute(update(table).where(pk == row[0]).values(**changes))
    return dict(counts)
