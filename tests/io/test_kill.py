"""``kill -9`` of a real ``buyermap import`` process while it writes leaves the workspace as
it was before the file: the import is one transaction, and SQLite discards an uncommitted
one (whether its pages were still in memory or already spilled to the WAL)."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from buyermap.cli.app import app

# Runs the real CLI in a child process; after two chunks of rows are inserted it creates the
# marker file and sleeps, so the test kills it in the middle of the write phase. A small
# page cache (second argument) makes SQLite spill uncommitted pages to the WAL first.
CHILD = """
import sys, time
from pathlib import Path
from buyermap.io import bulk
from buyermap.cli.app import app

marker, cache_kib = Path(sys.argv[1]), int(sys.argv[2])
bulk.SQLITE_CHUNK = 2_000
bulk.IMPORT_CACHE_KIB = cache_kib
params = bulk._sqlite_params
calls = 0

def pausing_params(*args, **kwargs):
    global calls
    calls += 1
    if calls == 3:
        marker.write_text("writing")
        time.sleep(120)
    return params(*args, **kwargs)

bulk._sqlite_params = pausing_params
sys.argv = ["buyermap", *sys.argv[3:]]
app()
"""


runner = CliRunner()


def _contacts_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Record ID", "Email", "First Name", "Company Name"])
        for i in range(rows):
            writer.writerow([i, f"p{i}@c{i % 97}.com", f"P{i}", f"Company {i % 97}"])


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = ("contacts", "accounts", "account_contacts", "external_refs", "import_runs")
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("cache_kib", [512 * 1024, 64], ids=["pages-in-memory", "pages-in-wal"])
def test_kill_9_while_writing_leaves_the_workspace_unchanged(
    tmp_path: Path, cache_kib: int
) -> None:
    db = tmp_path / "w.db"
    before_file = tmp_path / "before.csv"
    _contacts_file(before_file, 50)
    big = tmp_path / "big.csv"
    _contacts_file(big, 30_000)
    first = runner.invoke(app, ["--db", str(db), "import", "contacts", str(before_file)])
    assert first.exit_code == 0, first.output
    before = _counts(db)
    assert before["contacts"] == 50

    marker = tmp_path / "writing"
    command = [sys.executable, "-c", CHILD, str(marker), str(cache_kib)]
    child = subprocess.Popen(
        [*command, "--db", str(db), "import", "contacts", str(big), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the import never reached its write phase"
            time.sleep(0.05)
        if cache_kib < 1024:  # uncommitted pages really are in the WAL
            assert (tmp_path / "w.db-wal").stat().st_size > 1_000_000
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        if child.stderr:
            child.stderr.close()

    assert _counts(db) == before
    again = runner.invoke(app, ["--db", str(db), "import", "contacts", str(big)])
    assert again.exit_code == 0, again.output
    after = _counts(db)
    assert after["contacts"] == 30_000  # its first 50 rows were there already
    assert after["import_runs"] == before["import_runs"] + 1
