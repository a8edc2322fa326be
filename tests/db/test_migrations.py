"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from buyermap.db.base import Base
from buyermap.db.engine import alembic_config, make_engine, migrate
from buyermap.db.search_index import include_name
from buyermap.services.workspace import Workspace


def test_migrations_match_the_models(workspace: Workspace) -> None:
    with workspace.engine.connect() as conn:
        # the search index (FTS5 tables, trigram indexes) is the migrations' alone
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _schema(engine: Engine) -> dict[str, object]:
    """Every table's columns (name, type, nullability), indexes, unique and foreign keys."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"] or "", tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
        }
        for table in sorted(found.get_table_names())
    }


def test_downgrading_to_base_and_migrating_again_rebuilds_the_same_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    built = _schema(engine)
    assert "stage_changes" in built
    command.downgrade(alembic_config(engine), "base")
    assert set(_schema(engine)) <= {"alembic_version"}
    migrate(engine)
    assert _schema(engine) == built
    migrate(engine)  # at head: nothing to do, nothing changed
    assert _schema(engine) == built
    engine.dispose()


def test_migrating_from_an_older_revision_brings_back_what_it_lacks(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    built = _schema(engine)
    command.downgrade(alembic_config(engine), "0003")
    older = _schema(engine)
    assert "deal_contacts" not in older
    migrate(engine)
    assert _schema(engine) == built
    engine.dispose()


def test_sqlite_workspaces_use_write_ahead_logging(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, fks) == ("wal", 1)
    engine.dispose()
