"""The search index of the lists: which columns each list's search reads, per table.

SQLite: one FTS5 table per list, ``<table>_fts`` with ``tokenize='trigram'``, an external
content table over the list's table (``content='<table>'``, ``content_rowid='id'``), kept
in step by three triggers (after insert, update and delete: every write, ORM or Core,
``executemany`` of a bulk import included). PostgreSQL: ``pg_trgm`` GIN indexes
(``gin_trgm_ops``) named ``ix_<table>_<column>_trgm`` on each column. Both are created by
migration 0007 (the schema is only ever built by the migrations).

The index only narrows the rows a search reads; the search's own condition (``LIKE`` on
SQLite, ``ILIKE`` on PostgreSQL) still decides, so what a search finds is what it found
without the index (see :func:`buyermap.services.listing.search_clause`).
"""

from __future__ import annotations

from typing import Any

SEARCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("name", "domain", "industry", "country"),
    "contacts": ("first_name", "last_name", "email", "job_title"),
    "deals": ("name", "source"),
}
"""The columns each table's index covers (the columns its list searches)."""

MIN_TRIGRAM_CHARS = 3
"""Trigram indexes find substrings of at least three characters; shorter ones scan."""


def fts_table(table: str) -> str:
    return f"{table}_fts"


def trigram_index(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether a schema object belongs to the search index, which the models do not declare."""
    if name is None:
        return False
    if type_ == "table":
        return any(
            name == fts_table(t) or name.startswith(f"{fts_table(t)}_") for t in SEARCH_COLUMNS
        )
    if type_ == "index":
        return any(name == trigram_index(t, c) for t, cols in SEARCH_COLUMNS.items() for c in cols)
    return False


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's ``include_name``: compare everything but the search index with the models."""
    return not is_search_index(name, type_)
