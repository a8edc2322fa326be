"""``buyermap backup`` / ``restore``: a copy that restores with the same rows, checked
against its manifest, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.backup import BackupError, backup, manifest_path, restore
from buyermap.db.engine import alembic_config, make_engine
from buyermap.errors import ConflictError
from tests.conftest import BACKENDS, backend_database
from tests.factories import demo_workspace


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases on one backend: the workspace and the restore's target."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        backend_database(request, tmp_path / "a") as source,
        backend_database(request, tmp_path / "b") as target,
    ):
        yield source, target


def _cli(url: str, *args: str) -> tuple[int, Any]:
    done = CliRunner().invoke(app, ["--db", url, *args, "--json"])
    return done.exit_code, json.loads(done.stdout) if done.stdout.strip() else None


def _out(tmp_path: Path, source: str) -> Path:
    return tmp_path / ("backup.db" if source.startswith("sqlite") else "backup.dump")


def test_a_backup_restores_into_an_empty_workspace_with_the_same_rows(
    pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pair
    with demo_workspace(source, scale=0.05):
        pass
    out = _out(tmp_path, source)
    code, made = _cli(source, "backup", str(out))
    assert code == 0, made
    assert made["counts"]["accounts"] > 0
    assert made["counts"]["committee_members"] > 0
    manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    assert manifest["counts"] == made["counts"]
    assert manifest["revision"] == made["revision"]

    code, restored = _cli(target, "restore", str(out))
    assert code == 0, restored
    assert restored["ok"] is True
    assert restored["mismatches"] == []
    assert not restored["warnings"]
    assert restored["restored"] == made["counts"]
    # the restored workspace works, its search index included
    code, found = _cli(target, "accounts", "list", "--q", "a")
    assert code == 0
    assert found["total"] > 0


def test_it_refuses_to_overwrite_a_workspace_holding_records_unless_asked(
    pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pair
    with demo_workspace(source, scale=0.05), demo_workspace(target, scale=0.05, seed=9):
        pass
    out = _out(tmp_path, source)
    engine, into = make_engine(source), make_engine(target)
    try:
        made = backup(engine, out)
        with pytest.raises(ConflictError, match=r"already holds records.*--replace"):
            restore(into, out)
        report = restore(into, out, replace=True)
        assert report.ok
        assert report.restored == made.counts
    finally:
        engine.dispose()
        into.dispose()


def test_a_backup_never_overwrites_a_file_unless_forced(sqlite_url: str, tmp_path: Path) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    out = tmp_path / "copy.db"
    out.write_bytes(b"keep me")
    engine = make_engine(sqlite_url)
    try:
        with pytest.raises(ConflictError, match=r"already exists.*--force"):
            backup(engine, out)
        assert out.read_bytes() == b"keep me"
        backup(engine, out, overwrite=True)
        assert out.read_bytes().startswith(b"SQLite format 3")
    finally:
        engine.dispose()


def test_a_changed_backup_is_refused_before_the_target_is_touched(
    sqlite_url: str, tmp_path: Path
) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    out = tmp_path / "copy.db"
    engine = make_engine(sqlite_url)
    backup(engine, out)
    engine.dispose()
    with out.open("ab") as fh:
        fh.write(b"\0")
    target = tmp_path / "target.db"
    code, doc = _cli(f"sqlite:///{target}", "restore", str(out))
    assert code == 2
    assert "not the file its manifest describes" in doc["error"]["message"]
    assert not target.exists()


def test_counts_that_differ_from_the_manifest_fail_the_restore(
    sqlite_url: str, tmp_path: Path
) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    out = tmp_path / "copy.db"
    engine = make_engine(sqlite_url)
    backup(engine, out)
    engine.dispose()
    manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    manifest["counts"]["accounts"] += 1  # what a lost row would look like
    manifest_path(out).write_text(json.dumps(manifest), encoding="utf-8")
    code, doc = _cli(f"sqlite:///{tmp_path / 'target.db'}", "restore", str(out))
    assert code == 2
    assert doc["ok"] is False
    assert doc["mismatches"] == [
        {
            "table": "accounts",
            "expected": manifest["counts"]["accounts"],
            "restored": manifest["counts"]["accounts"] - 1,
        }
    ]


def test_a_backup_from_a_newer_schema_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    out = tmp_path / "copy.db"
    engine = make_engine(sqlite_url)
    backup(engine, out)
    manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    manifest["revision"] = "9999"
    manifest_path(out).write_text(json.dumps(manifest), encoding="utf-8")
    into = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    with pytest.raises(BackupError, match="'9999' is newer than this buyermap"):
        restore(into, out)
    engine.dispose()
    into.dispose()


def test_a_backup_of_an_older_schema_is_migrated_after_its_rows_are_checked(
    pair: tuple[str, str], tmp_path: Path
) -> None:
    source, target = pair
    engine = make_engine(source)
    command.upgrade(alembic_config(engine), "0008")  # a workspace of the release before
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into pipelines (name, is_default, created_at, updated_at) "
                "values ('Sprzedaż', true, '2026-12-01', '2026-12-01')"
            )
        )
    out = _out(tmp_path, source)
    made = backup(engine, out)
    engine.dispose()
    assert made.revision == "0008"
    into = make_engine(target)
    try:
        report = restore(into, out)
        assert report.ok
        assert report.migrated_to not in (None, "0008")
        with into.connect() as conn:
            assert conn.execute(text("select version_num from alembic_version")).scalar() == (
                report.migrated_to
            )
            assert conn.execute(text("select name from pipelines")).scalar() == "Sprzedaż"
            conn.execute(text("select count(*) from seller_profile"))  # 0009's table is there
    finally:
        into.dispose()


def test_a_sqlite_backup_holds_committed_rows_still_in_the_write_ahead_log(
    sqlite_url: str, tmp_path: Path
) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    database = sqlite_url.removeprefix("sqlite:///")
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("insert into pipelines (name, is_default, created_at, updated_at) "
                   "values ('Þjónusta', 0, '2026-12-01', '2026-12-01')")  # fmt: skip
    writer.commit()
    writer.execute("begin immediate")  # a writer busy meanwhile does not block the backup
    out = tmp_path / "copy.db"
    engine = make_engine(sqlite_url)
    try:
        made = backup(engine, out)
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
    copy = create_engine(f"sqlite:///{out}")
    with copy.connect() as conn:
        names = set(conn.execute(text("select name from pipelines")).scalars())
        mode = conn.execute(text("PRAGMA journal_mode")).scalar()
    copy.dispose()
    assert "Þjónusta" in names
    assert mode == "delete"  # one self-contained file, no -wal beside it
    assert made.counts["pipelines"] == len(names)


def test_a_file_that_is_not_a_backup_is_refused_naming_it(tmp_path: Path) -> None:
    bogus = tmp_path / "export.csv"
    bogus.write_text("name,domain\nKovács Kft.,kovacs.hu\n", encoding="utf-8")
    code, doc = _cli(f"sqlite:///{tmp_path / 'target.db'}", "restore", str(bogus))
    assert code == 2
    assert "neither a SQLite backup nor a pg_dump archive" in doc["error"]["message"]


def test_a_sqlite_backup_does_not_restore_into_postgresql(
    sqlite_url: str, pg_admin_url: str, tmp_path: Path
) -> None:
    with demo_workspace(sqlite_url, scale=0.05):
        pass
    out = tmp_path / "copy.db"
    engine = make_engine(sqlite_url)
    backup(engine, out)
    engine.dispose()
    into = make_engine(pg_admin_url)
    with pytest.raises(BackupError, match="sqlite backup and the workspace is postgresql"):
        restore(into, out)
    into.dispose()
