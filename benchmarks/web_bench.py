"""Accounts page latency at 100,000 accounts, against baselines measured in the same run.

Fills a SQLite workspace with 100k accounts (Core bulk insert), serves the app with uvicorn
in a thread (``buyermap.web.server.serve_in_background``) and requests the accounts page:
the first page, a later page, a search and a sort. Prints p50/p95 per scenario and the
ratio to two baselines from the same process: a static file through the same server (HTTP
+ framework overhead) and the raw service call (``list_accounts``, database only).
Target: p95 <= 150 ms for every accounts-page scenario.

Run: ``uv run python benchmarks/web_bench.py [--accounts 100000] [--requests 200]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import insert

from buyermap.db.models import Account
from buyermap.services.accounts import list_accounts
from buyermap.services.listing import ListQuery
from buyermap.services.workspace import Workspace, open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from buyermap.web.server import serve_in_background

TARGET_P95_MS = 150.0
WORDS = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "hooli",
    "vandelay",
    "massive",
    "dynamic",
    "aperture",
    "black",
    "mesa",
    "oscorp",
    "nakatomi",
    "gringotts",
    "monarch",
    "pied",
    "piper",
    "northwind",
    "contoso",
    "fabrikam",
    "tailspin",
    "litware",
    "adventure",
    "works",
    "blue",
    "yonder",
]
SUFFIXES = ("Inc", "GmbH", "Ltd", "SA", "Group", "Labs", "Systems", "Holdings", "AB", "Oy")
INDUSTRIES = ("Software", "Manufacturing", "Retail", "Healthcare", "Financial Services")
COUNTRIES = ("United States", "Germany", "France", "United Kingdom", "Italy", "Spain", "Canada")


def fill(workspace: Workspace, n: int, *, seed: int = 7) -> float:
    """Insert ``n`` accounts in batches of 10k; returns the seconds it took."""
    rng = random.Random(seed)
    start = time.perf_counter()
    with workspace.sessions() as session, session.begin():
        for first in range(0, n, 10_000):
            rows = []
            for i in range(first, min(first + 10_000, n)):
                a, b = rng.choice(WORDS), rng.choice(WORDS)
                rows.append(
                    {
                        "name": f"{a.title()} {b.title()} {rng.choice(SUFFIXES)}",
                        "domain": f"{a}-{b}-{i}.example",
                        "industry": rng.choice(INDUSTRIES),
                        "employees": int(rng.lognormvariate(4.5, 1.5)),
                        "annual_revenue": round(rng.lognormvariate(15, 1.5), -3),
                        "country": rng.choice(COUNTRIES),
                        "custom": {},
                        "extra": {},
                    }
                )
            session.execute(insert(Account), rows)
    return time.perf_counter() - start


def timed(call: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of ``n`` calls, after 5 warm-up calls."""
    for _ in range(5):
        call()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        workspace = open_workspace(settings)
        seconds = fill(workspace, args.accounts)
        print(f"filled {args.accounts:,} accounts in {seconds:.1f} s")

        pages = args.accounts // settings.page_size
        scenarios = {
            "first page": "/accounts",
            f"page {pages // 2:,}": f"/accounts?page={pages // 2}",
            "search 'stark'": "/accounts?q=stark",
            "sort -employees": "/accounts?sort=-employees",
            "search+sort (htmx)": "/accounts?q=labs&sort=-annual_revenue",
        }
        results: dict[str, list[float]] = {}
        app = create_app(settings, workspace=workspace)
        try:
            with (
                serve_in_background(app) as base_url,
                httpx.Client(base_url=base_url, timeout=30) as client,
            ):

                def get(path: str, htmx: bool = False) -> Callable[[], object]:
                    headers = {"HX-Request": "true"} if htmx else {}

                    def call() -> object:
                        response = client.get(path, headers=headers)
                        response.raise_for_status()
                        return response

                    return call

                results["baseline: static file"] = timed(get("/static/app.css"), args.requests)

                def service() -> object:
                    with workspace.sessions() as session:
                        return list_accounts(session, query=ListQuery(page_size=50))

                results["baseline: list_accounts()"] = timed(service, args.requests)
                for label, path in scenarios.items():
                    results[label] = timed(get(path, htmx="htmx" in label), args.requests)
        finally:
            workspace.engine.dispose()

    base = statistics.median(results["baseline: static file"])
    print(f"\n{'scenario':<28}{'p50 ms':>9}{'p95 ms':>9}{'x static':>10}")
    failed = []
    for label, values in results.items():
        p50, p95 = statistics.median(values), pct(values, 95)
        print(f"{label:<28}{p50:>9.1f}{p95:>9.1f}{p50 / base:>10.1f}")
        if not label.startswith("baseline") and p95 > TARGET_P95_MS:
            failed.append(label)
    verdict = "FAIL: " + ", ".join(failed) if failed else "ok"
    print(f"\ntarget p95 <= {TARGET_P95_MS:.0f} ms for the accounts page: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
