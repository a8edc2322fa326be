"""Alembic environment: runs with the engine that buyermap passes in ``config.attributes``."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine

from buyermap.db import models  # noqa: F401  (registers the tables)
from buyermap.db.base import Base
from buyermap.db.search_index import include_name

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.driver_connection
        legacy = getattr(raw, "isolation_level", None)
        if sqlite:
            # Batch migrations rebuild tables (copy, drop, rename). With foreign keys on,
            # dropping the old table would cascade its deletes into the child tables. The
            # pragma has no effect inside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE: a
            # CREATE TABLE ran in autocommit, and a process killed between two statements
            # left tables the recorded revision does not know (the next open failed). The
            # driver stops opening transactions and the migrations run in one explicit
            # transaction: a kill rolls all of it back.
            raw.isolation_level = None
        try:
            _migrate(connection, sqlite)
        finally:
            if sqlite:
                raw.isolation_level = legacy
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _migrate(connection: Connection, sqlite: bool) -> None:
    with connection.begin():
        if sqlite:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=include_name,
        )
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")


run()
