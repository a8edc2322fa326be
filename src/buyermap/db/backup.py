"""Backups of a workspace and their restore, with a check that the counts match.

* **SQLite:** the online backup API (``sqlite3.Connection.backup``): a consistent copy while
  the workspace stays open for reading and writing (WAL content included), written as one
  self-contained database file (journal mode DELETE), checked with ``PRAGMA
  integrity_check``.
* **PostgreSQL:** ``pg_dump --format=custom`` under a snapshot exported from a REPEATABLE
  READ transaction, so the counts written beside the dump are those of the dump itself;
  restored with ``pg_restore --clean --if-exists --single-transaction`` (a failed restore
  leaves the target as it was).

Beside ``OUT`` a manifest ``OUT.manifest.json`` records the engine, the schema revision,
the rows per table, the file's size and SHA-256. A restore checks the file against the
manifest before touching the target, refuses a backup from a newer schema than this
buyermap knows, refuses to overwrite a workspace unless asked, then counts the restored
rows against the manifest and brings an older schema to the newest revision.

Hand-written rather than a library: the engines' own tools do the copying; what is ours
is only the manifest and the checks around them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from buyermap import __version__
from buyermap.db.base import Base
from buyermap.db.engine import alembic_config, migrate
from buyermap.errors import BuyermapError, ConflictError, InputFileError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PAGES_PER_STEP = 4096  # SQLite pages copied per backup step (progress granularity)

Progress = Callable[[int, int], None]  # (done, total) in the engine's own units


class BackupError(BuyermapError):
    """A backup or restore could not be made or did not check out (exit code 2)."""

    code = "backup_error"
    http_status = 422
    exit_code = 2


@dataclass(frozen=True)
class Manifest:
    engine: str  # "sqlite" or "postgresql"
    revision: str | None  # the schema's Alembic revision
    counts: dict[str, int]  # rows per table
    file_bytes: int
    sha256: str
    created_at: str
    buyermap_version: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputFileError(
                f"backup manifest {str(path)!r} cannot be read ({exc}); it is the JSON file "
                "`buyermap backup` writes beside the backup"
            ) from exc


@dataclass
class BackupReport:
    file: str
    manifest: str
    engine: str
    revision: str | None
    counts: dict[str, int]
    file_bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RestoreReport:
    file: str
    target: str
    engine: str
    revision: str | None  # the backup's revision
    migrated_to: str | None  # the newest revision, when the backup was older
    expected: dict[str, int]  # the manifest's counts (empty without a manifest)
    restored: dict[str, int]
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _tables() -> list[str]:
    return ["alembic_version", *(t.name for t in Base.metadata.sorted_tables)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    present = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    return {
        t: int(conn.execute(f'select count(*) from "{t}"').fetchone()[0])
        for t in _tables()
        if t in present
    }


def _revision_of_counts(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("select version_num from alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite workspace has nothing on disk to back up")
    return Path(database)


def _refuse_existing(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite:
        raise ConflictError(
            f"{str(out)!r} already exists; give another path or --force to overwrite it"
        )
    if not out.parent.is_dir():
        raise BackupError(f"folder {str(out.parent)!r} does not exist")


def backup(
    engine: Engine, out: Path, *, overwrite: bool = False, progress: Progress | None = None
) -> BackupReport:
    """Back the workspace on ``engine`` up to ``out`` (and its manifest); see the module
    docstring. The workspace may be in use meanwhile."""
    _refuse_existing(out, overwrite)
    started = time.perf_counter()
    backend = engine.url.get_backend_name()
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            revision, counts = _backup_sqlite(_sqlite_file(engine), partial, progress)
        elif backend == "postgresql":
            revision, counts = _backup_postgres(engine, partial)
        else:
            raise BackupError(f"cannot back up a {backend!r} database; sqlite or postgresql")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(
        engine=backend,
        revision=revision,
        counts=counts,
        file_bytes=out.stat().st_size,
        sha256=_sha256(out),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        buyermap_version=__version__,
    )
    manifest_file = manifest_path(out)
    manifest_file.write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", encoding="utf-8")
    return BackupReport(
        file=str(out),
        manifest=str(manifest_file),
        engine=backend,
        revision=revision,
        counts=counts,
        file_bytes=manifest.file_bytes,
        seconds=round(time.perf_counter() - started, 3),
    )


def _backup_sqlite(
    source: Path, out: Path, progress: Progress | None
) -> tuple[str | None, dict[str, int]]:
    if not source.is_file():
        raise BackupError(f"the workspace {str(source)!r} does not exist: nothing to back up")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(out)
    try:

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the backup copy failed its integrity check: {check}")
        return _revision_of_counts(dst), _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq URL (no driver suffix, no password) and the environment with the password."""
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
        url = url.set(password=None)
    return url.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; PostgreSQL workspaces are backed up with the server's "
            f"own tools (Debian: apt-get install postgresql-client)"
        )
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout}")


def _counts(conn: Any) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        t: int(conn.execute(text(f'select count(*) from "{t}"')).scalar_one())
        for t in _tables()
        if t in present
    }


def _pg_revision(conn: Any) -> str | None:
    if "alembic_version" not in set(inspect(conn).get_table_names()):
        return None
    value = conn.execute(text("select version_num from alembic_version")).scalar()
    return None if value is None else str(value)


def _backup_postgres(engine: Engine, out: Path) -> tuple[str | None, dict[str, int]]:
    pg_dump = _tool("pg_dump")
    url, env = _libpq(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("select pg_export_snapshot()")).scalar_one()
            counts = _counts(conn)
            revision = _pg_revision(conn)
            _run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={out}", f"--dbname={url}"],
                env,
            )  # fmt: skip
    return revision, counts


def _kind_of(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise InputFileError(
        f"{str(path)!r} is neither a SQLite backup nor a pg_dump archive (custom format); "
        "give a file written by `buyermap backup`"
    )


def _known_revisions(engine: Engine) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [s.revision for s in script.walk_revisions()]


def restore(engine: Engine, source: Path, *, replace: bool = False) -> RestoreReport:
    """Restore the backup ``source`` into the workspace on ``engine``; see the module
    docstring. Raises before touching the target when the file or its manifest is wrong."""
    started = time.perf_counter()
    if not source.is_file():
        raise InputFileError(f"backup file {str(source)!r} does not exist")
    kind = _kind_of(source)
    backend = engine.url.get_backend_name()
    if kind != backend:
        raise BackupError(
            f"{str(source)!r} is a {kind} backup and the workspace is {backend}: a backup "
            f"restores into the engine it came from (to move between engines, export and "
            f"import the records)"
        )
    warnings: list[str] = []
    manifest_file = manifest_path(source)
    manifest = Manifest.read(manifest_file) if manifest_file.is_file() else None
    if manifest is None:
        warnings.append(
            f"no manifest {manifest_file.name!r} beside the backup: the file's checksum and "
            "the counts it should hold are not checked"
        )
    else:
        size, digest = source.stat().st_size, _sha256(source)
        if (size, digest) != (manifest.file_bytes, manifest.sha256):
            raise BackupError(
                f"{str(source)!r} is not the file its manifest describes ({size:,} bytes, "
                f"SHA-256 {digest[:12]}... against {manifest.file_bytes:,} bytes, "
                f"{manifest.sha256[:12]}...): it was changed or cut short"
            )
    revision = manifest.revision if manifest else _file_revision(source, kind)
    known = _known_revisions(engine)
    if revision is not None and revision not in known:
        raise BackupError(
            f"the backup's schema revision {revision!r} is newer than this buyermap "
            f"{__version__} knows (up to {known[0]!r}); restore it with a newer buyermap"
        )
    _refuse_overwrite(engine, replace, manifest)
    engine.dispose()  # no pooled connection holds a lock the restore waits on
    if kind == "sqlite":
        _restore_sqlite(source, _sqlite_file(engine))
    else:
        pg_restore = _tool("pg_restore")
        url, env = _libpq(engine)
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", f"--dbname={url}", str(source)],
            env,
        )  # fmt: skip
    with engine.connect() as conn:
        restored = _counts(conn)
    expected = manifest.counts if manifest else {}
    mismatches = [
        {"table": t, "expected": n, "restored": restored.get(t)}
        for t, n in expected.items()
        if restored.get(t) != n
    ]
    migrated_to = None
    if not mismatches and revision != known[0]:
        migrate(engine)
        migrated_to = known[0]
    return RestoreReport(
        file=str(source),
        target=engine.url.render_as_string(hide_password=True),
        engine=backend,
        revision=revision,
        migrated_to=migrated_to,
        expected=expected,
        restored=restored,
        mismatches=mismatches,
        warnings=warnings,
        seconds=round(time.perf_counter() - started, 3),
    )


def _file_revision(source: Path, kind: str) -> str | None:
    if kind != "sqlite":
        return None
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        return _revision_of_counts(conn)
    finally:
        conn.close()


def _refuse_overwrite(engine: Engine, replace: bool, manifest: Manifest | None) -> None:
    sqlite = engine.url.get_backend_name() == "sqlite"
    if sqlite and not _sqlite_file(engine).exists():
        return
    with engine.connect() as conn:
        present = _counts(conn)
    if not sqlite and manifest is not None:
        # pg_restore --clean replaces the tables the dump holds and leaves the others: a
        # table only a newer schema has would stay and break the migration that follows.
        extra = sorted(set(present) - set(manifest.counts))
        if extra:
            raise BackupError(
                f"the workspace has tables the backup lacks ({', '.join(extra[:5])}): it is "
                "from a newer schema; restore into an empty database"
            )
    held = {t: n for t, n in present.items() if n and t != "alembic_version"}
    if held and not replace:
        listed = ", ".join(f"{n:,} {t}" for t, n in sorted(held.items())[:5])
        raise ConflictError(
            f"the workspace {engine.url.render_as_string(hide_password=True)} already holds "
            f"records ({listed}); restore into an empty workspace, or give --replace to "
            "overwrite it"
        )


def _restore_sqlite(source: Path, target: Path) -> None:
    if not target.parent.is_dir():
        raise BackupError(f"folder {str(target.parent)!r} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=PAGES_PER_STEP)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
