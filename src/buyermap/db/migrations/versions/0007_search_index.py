"""search index: list searches answered from trigram indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:50:00

SQLite: an FTS5 table with the trigram tokenizer per list (``accounts_fts``,
``contacts_fts``, ``deals_fts``), external content over the list's table, filled from the
rows there are and kept in step by triggers after insert, update (of the searched columns)
and delete. PostgreSQL: the ``pg_trgm`` extension and per table one GIN trigram index on
its searched columns joined by spaces, which ``ILIKE '%x%'`` on the same expression uses
(``buyermap.db.search_index.search_expression``). The columns are those of
``buyermap.db.search_index.SEARCH_COLUMNS`` at this revision (written out here, as a
migration must not change when the code does).

Also ``ix_deals_currency`` (both backends): the workspace's currency, the most common of
its deals', is counted on every accounts and pipeline page (100k deals, SQLite: 36 ms ->
8 ms of CPU).

A later migration that rebuilds one of these tables on SQLite (``batch_alter_table`` copies,
drops and renames it) drops its triggers with it: it must create them again
(``tests/db/test_search_index.py`` checks they exist at head).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("name", "domain", "industry", "country"),
    "contacts": ("first_name", "last_name", "email", "job_title"),
    "deals": ("name", "source"),
}


def _sqlite_statements(table: str, columns: tuple[str, ...]) -> list[str]:
    fts = f"{table}_fts"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert_new = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, "
        f"content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    op.create_index("ix_deals_currency", "deals", ["currency"])
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in COLUMNS.items():
            for statement in _sqlite_statements(table, columns):
                op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in COLUMNS.items():
        joined = " || ' ' || ".join(f"coalesce({table}.{c}, '')" for c in columns)
        op.execute(
            f"CREATE INDEX ix_{table}_search_trgm ON {table} USING gin (({joined}) gin_trgm_ops)"
        )


def downgrade() -> None:
    op.drop_index("ix_deals_currency", table_name="deals")
    if op.get_bind().dialect.name == "sqlite":
        for table in COLUMNS:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        return
    # the pg_trgm extension stays: other databases objects may use it
    for table in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
