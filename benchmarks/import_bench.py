"""Import benchmark: N contact rows (default 1M) into a fresh SQLite workspace.

Prints validated rows per second for ``buyermap import`` next to a plain pandas
``read_csv`` + ``to_sql`` baseline measured in the same run, and their ratio.

    uv run python benchmarks/import_bench.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import pandas as pd

from buyermap.domain.enums import EntityKind
from buyermap.io.importer import ImportOptions, import_file
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings

FIRST = ["Ann", "Bob", "Cyril", "Dana", "Eva", "Filip", "Greta", "Hugo", "Iva", "Jan"]
LAST = ["Novak", "Smith", "Garcia", "Muller", "Rossi", "Dvorak", "Lee", "Kim", "Ivanova"]
TITLES = ["CEO", "CTO", "VP Sales", "Head of IT", "Buyer", "Engineer", "CFO", "Analyst"]
SENIORITY = ["entry", "specialist", "manager", "director", "vp", "c_level", "owner"]


def generate(path: Path, rows: int, seed: int = 42) -> None:
    """A deterministic HubSpot-like contacts export (seeded)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "Record ID",
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Job Title",
                "Seniority",
                "Lifecycle Stage",
            ]
        )
        for i in range(rows):
            writer.writerow(
                [
                    i + 1,
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    f"person{i}@company{i % 5000}.com",
                    f"+420 {rng.randrange(100000000, 999999999)}",
                    rng.choice(TITLES),
                    rng.choice(SENIORITY),
                    rng.choice(["lead", "customer", ""]),
                ]
            )


def baseline(path: Path, folder: Path) -> float:
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with sqlite3.connect(folder / "baseline.db") as conn:
        frame.to_sql("contacts", conn, index=False, chunksize=50_000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "contacts.csv"
        generate(path, args.rows)
        base = baseline(path, folder)
        ws = open_workspace(Settings(database_url=f"sqlite:///{folder / 'workspace.db'}"))
        started = time.perf_counter()
        with ws.sessions() as session, session.begin():
            report = import_file(
                session, entity=EntityKind.CONTACTS, path=path, options=ImportOptions()
            )
        ours = time.perf_counter() - started
        ws.engine.dispose()
    rate, base_rate = args.rows / ours, args.rows / base
    print(f"rows: {args.rows:,}  imported: {report.imported:,}  rejected: {report.rejected:,}")
    print(f"buyermap import : {ours:7.2f} s  {rate:10,.0f} validated rows/s")
    print(f"pandas baseline : {base:7.2f} s  {base_rate:10,.0f} rows/s (read_csv + to_sql)")
    print(
        f"ratio buyermap/pandas: {rate / base_rate:.2f}  (target >= 30,000 rows/s: "
        f"{'met' if rate >= 30_000 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
