"""The search index of the lists: which columns each list's search reads, per table.

SQLite: one FTS5 table per list, ``<table>_fts`` with ``tokenize='trigram'``, an external
content table over the list's table (``content='<table>'``, ``content_rowid='id'``), kept
in step by three triggers (after insert, update and delete: every write, ORM or Core,
``executemany`` of a bulk import included). PostgreSQL: one ``pg_trgm`` GIN index
(``gin_trgm_ops``) per table, ``ix_<table>_search_trgm``, on the searched columns joined
by spaces (:func:`search_expression`), which ``ILIKE '%x%'`` on that expression uses. One
index rather than one per column: the planner costs a bitmap OR of four GIN scans above a
sequential scan of 100k rows and never uses them (measured), while ILIKE over every row
costs 400-600 ms. Both are created by migration 0007 (the schema is only ever built by the
migrations).

The index only narrows the rows a search reads (a row whose column holds the text holds it
in the index too); the search's own condition (``LIKE`` on SQLite, ``ILIKE`` on
PostgreSQL, column by column) still decides, so what a search finds is what it found
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


def trigram_index(table: str) -> str:
    return f"ix_{table}_search_trgm"


def search_expression(table: str) -> str:
    """The text the PostgreSQL index holds: the searched columns joined by spaces. The
    migration writes the same expression; a query must use it as written for the planner
    to match it with the index."""
    return " || ' ' || ".join(f"coalesce({table}.{c}, '')" for c in SEARCH_COLUMNS[table])


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether a schema object belongs to the search index, which the models do not declare."""
    if name is None:
        return False
    if type_ == "table":
        return any(
            name == fts_table(t) or name.startswith(f"{fts_table(t)}_") for t in SEARCH_COLUMNS
        )
    if type_ == "index":
        return any(name == trigram_index(t) for t in SEARCH_COLUMNS)
    return False


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """Alembic's ``include_name``: compare everything but the search index with the models."""
    return not is_search_index(name, type_)
