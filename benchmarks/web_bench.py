"""List pages and saves at 100,000 accounts, against baselines measured in the same run.

Also fills 100k deals (5 owners, one pipeline of 6 stages) and 100k contacts with a position
each, then times the filtered lists (deals by stage + owner, accounts by industry + country,
contacts by seniority + search), the searches of each list (accounts, contacts: by name and
by company, deals: by name, stage and owner) against the same list unfiltered, and the saves
(PATCH of an account and of a deal via REST against a GET of the same record; the web edit
form's POST of an account and of a deal, with its CSRF token and every field as a browser
sends them, against the GET of the same form). Every scenario is also given as a ratio to
the 150 ms target.

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
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from buyermap.db.models import (
    Account,
    AccountContact,
    Avatar,
    AvatarScore,
    Contact,
    Deal,
    Pipeline,
    Stage,
    User,
)
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


FIRST = ("Zofia", "Łukasz", "Jiří", "Kateřina", "Gergő", "Zsófia", "Þórunn", "Guðmundur")
LAST = ("Wójcik", "Kowalski", "Dvořák", "Novotná", "Szőke", "Kovács", "Jónsdóttir", "Ólafsson")
SENIORITIES = ("entry", "specialist", "manager", "director", "vp", "c_level", "owner")
STAGES = ("Discovery", "Qualified", "Proposal", "Negotiation", "Won", "Lost")


def fill_people_and_deals(workspace: Workspace, n: int, *, seed: int = 11) -> float:
    """``n`` contacts (one position each) and ``n`` deals over the first ``n`` accounts."""
    rng = random.Random(seed)
    start = time.perf_counter()
    with workspace.sessions() as session, session.begin():
        session.execute(
            insert(User), [{"name": f"{f} {la}"} for f, la in zip(FIRST, LAST, strict=True)][:5]
        )
        pipeline = Pipeline(name="Sales bench", is_default=True)
        session.add(pipeline)
        session.flush()
        kinds = ("open",) * 4 + ("won", "lost")
        stages = [
            Stage(pipeline_id=pipeline.id, name=name, position=i, kind=kind)
            for i, (name, kind) in enumerate(zip(STAGES, kinds, strict=True))
        ]
        session.add_all(stages)
        session.flush()
        users = list(session.scalars(select(User.id)))
        account_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
        for first in range(0, n, 10_000):
            block = range(first, min(first + 10_000, n))
            session.execute(
                insert(Contact),
                [
                    {
                        "first_name": rng.choice(FIRST),
                        "last_name": rng.choice(LAST),
                        "email": f"p{i}@bench.example",
                        "seniority": rng.choice(SENIORITIES),
                        "job_title": "Buyer",
                        "custom": {},
                        "extra": {},
                    }
                    for i in block
                ],
            )
            deals = []
            for i in block:
                stage = rng.choice(stages)
                deals.append(
                    {
                        "name": f"Deal {i}",
                        "account_id": account_ids[i % len(account_ids)],
                        "pipeline_id": pipeline.id,
                        "stage_id": stage.id,
                        "status": stage.kind,
                        "owner_id": rng.choice(users),
                        "amount": round(rng.lognormvariate(10, 1), 2),
                        "currency": "EUR",
                        "opened_at": datetime(2025, 1, 1, tzinfo=UTC)
                        + timedelta(days=rng.randrange(365)),
                        "custom": {},
                        "extra": {},
                    }
                )
            session.execute(insert(Deal), deals)
        contact_ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
        for first in range(0, n, 10_000):
            session.execute(
                insert(AccountContact),
                [
                    {"account_id": account_ids[i % len(account_ids)], "contact_id": contact_ids[i]}
                    for i in range(first, min(first + 10_000, n))
                ],
            )
    return time.perf_counter() - start


def fill_scores(workspace: Workspace, *, seed: int = 13) -> float:
    """A saved avatar that has scored every account (fit, tier A-D, one reason each), as
    ``avatar score`` stores them; returns the seconds it took."""
    rng = random.Random(seed)
    start = time.perf_counter()
    with workspace.sessions() as session, session.begin():
        avatar = Avatar(
            name="bench",
            version=1,
            kind="learned",
            source="workspace",
            source_hash="0" * 64,
            settings={},
            model={},
            metrics={},
        )
        session.add(avatar)
        session.flush()
        ids = list(session.scalars(select(Account.id).order_by(Account.id)))
        now = datetime.now(UTC)
        for first in range(0, len(ids), 10_000):
            rows = []
            for account_id in ids[first : first + 10_000]:
                fit = round(rng.uniform(0, 100), 2)
                tier = "A" if fit >= 80 else "B" if fit >= 50 else "C" if fit >= 20 else "D"
                reason = {"feature": "industry", "value": "Software", "effect": 0.5, "ratio": 1.65}
                rows.append(
                    {
                        "avatar_id": avatar.id,
                        "account_id": account_id,
                        "fit": fit,
                        "probability": fit / 100,
                        "tier": tier,
                        "reasons": [reason],
                        "scored_at": now,
                    }
                )
            session.execute(insert(AvatarScore), rows)
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


def timed_with(
    prepare: Callable[[], object], call: Callable[[object], object], n: int
) -> list[float]:
    """Milliseconds of ``n`` calls of ``call(prepare())``, timing only ``call`` (5 warm-ups)."""
    for _ in range(5):
        call(prepare())
    out = []
    for _ in range(n):
        given = prepare()
        start = time.perf_counter()
        call(given)
        out.append((time.perf_counter() - start) * 1000)
    return out


class FormFields(HTMLParser):
    """What a browser submits from the page's ``#record-form``: every named input (checked
    boxes only), each select's chosen option and each textarea's text."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("id") == "record-form"
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first_option = a["name"], None
            self.fields.setdefault(a["name"], "")
        elif tag == "option" and self._select is not None:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.fields[self._select] = self._first_option
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


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
        seconds = fill_people_and_deals(workspace, args.accounts)
        print(f"filled {args.accounts:,} contacts (with positions) and deals in {seconds:.1f} s")
        with workspace.sessions() as session:
            owner = session.scalars(select(User.id).order_by(User.id)).first()
            account_id = session.scalars(select(Account.id).order_by(Account.id)).first()
            deal_id = session.scalars(select(Deal.id).order_by(Deal.id)).first()

        pages = args.accounts // settings.page_size
        scenarios = {
            "first page": "/accounts",
            f"page {pages // 2:,}": f"/accounts?page={pages // 2}",
            "search 'stark'": "/accounts?q=stark",
            "sort -employees": "/accounts?sort=-employees",
            "search+sort (htmx)": "/accounts?q=labs&sort=-annual_revenue",
            "baseline: deals": "/deals",
            "deals stage+owner": f"/deals?stage=Proposal&owner={owner}",
            "deals stage+owner (htmx)": f"/deals?stage=Proposal&owner={owner}",
            "accounts industry+country": "/accounts?industry=Software&country=Germany",
            "baseline: contacts": "/contacts",
            "contacts seniority+search": "/contacts?seniority=manager&q=kowal",
            "search accounts 'gmbh'": "/accounts?q=gmbh",
            "search accounts 'st' (2 chars)": "/accounts?q=st",
            "search contacts 'dvořák'": "/contacts?q=dvořák",
            "search contacts 'p4242@'": "/contacts?q=p4242@",
            "search contacts company": "/contacts?q=nakatomi",
            "search deals 'deal 4242'": "/deals?q=deal 4242",
            "search deals stage 'negot'": "/deals?q=negot",
            "search deals owner 'kovács'": "/deals?q=kovács",
            "accounts sort -fit (avatar)": "/accounts?sort=-fit",
            "accounts tier A (avatar)": "/accounts?tier=A",
            "accounts tier A, sort -fit": "/accounts?tier=A&sort=-fit",
            "accounts page 1,000, sort fit": f"/accounts?page={pages // 2}&sort=fit",
        }
        # what each scenario is compared with (same list unfiltered, or a GET of the record)
        against = {
            "first page": "baseline: list_accounts()",
            f"page {pages // 2:,}": "first page",
            "search 'stark'": "first page",
            "sort -employees": "first page",
            "search+sort (htmx)": "first page",
            "search accounts 'gmbh'": "first page",
            "search accounts 'st' (2 chars)": "first page",
            "search contacts 'dvořák'": "baseline: contacts",
            "search contacts 'p4242@'": "baseline: contacts",
            "search contacts company": "baseline: contacts",
            "search deals 'deal 4242'": "baseline: deals",
            "search deals stage 'negot'": "baseline: deals",
            "search deals owner 'kovács'": "baseline: deals",
            "first page, before any avatar": "baseline: list_accounts()",
            "accounts sort -fit (avatar)": "first page",
            "accounts tier A (avatar)": "first page",
            "accounts tier A, sort -fit": "first page",
            "accounts page 1,000, sort fit": "first page",
            "save account (form POST)": "baseline: account edit form",
            "save deal (form POST)": "baseline: deal edit form",
            "deals stage+owner": "baseline: deals",
            "deals stage+owner (htmx)": "baseline: deals",
            "accounts industry+country": "first page",
            "contacts seniority+search": "baseline: contacts",
            "PATCH account (REST)": "baseline: GET account",
            "PATCH deal (REST)": "baseline: GET deal",
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
                results["first page, before any avatar"] = timed(get("/accounts"), args.requests)
                seconds = fill_scores(workspace)
                print(f"stored an avatar's scores of every account in {seconds:.1f} s")
                for label, path in scenarios.items():
                    results[label] = timed(get(path, htmx="htmx" in label), args.requests)

                def patch(
                    path: str, body: Callable[[int], dict[str, object]]
                ) -> Callable[[], object]:
                    counter = iter(range(10**9))

                    def call() -> object:
                        response = client.patch(path, json=body(next(counter)))
                        response.raise_for_status()
                        return response

                    return call

                account_path = f"/api/v1/accounts/{account_id}"
                deal_path = f"/api/v1/deals/{deal_id}"
                results["baseline: GET account"] = timed(get(account_path), args.requests)
                results["PATCH account (REST)"] = timed(
                    patch(account_path, lambda i: {"employees": 100 + i}), args.requests
                )
                results["baseline: GET deal"] = timed(get(deal_path), args.requests)
                results["PATCH deal (REST)"] = timed(
                    patch(deal_path, lambda i: {"amount": 1000.0 + i}), args.requests
                )

                def edit_form(
                    path: str, field: str, value: Callable[[int], str]
                ) -> Callable[[], object]:
                    """The edit form as the browser has it before a save: its fields (the
                    CSRF token and the record's version among them), one field changed."""
                    counter = iter(range(10**9))

                    def prepare() -> object:
                        response = client.get(path)
                        response.raise_for_status()
                        return form_fields(response.text) | {field: value(next(counter))}

                    return prepare

                def save(path: str) -> Callable[[object], object]:
                    def call(data: object) -> object:
                        assert isinstance(data, dict)
                        response = client.post(path, data=data, follow_redirects=False)
                        if response.status_code != 303:
                            raise SystemExit(
                                f"{path}: {response.status_code} {response.text[:300]}"
                            )
                        return response

                    return call

                for kind, record, field, value in (
                    ("account", account_id, "employees", lambda i: str(100 + i)),
                    ("deal", deal_id, "amount", lambda i: f"{1000 + i}.00"),
                ):
                    path = f"/{kind}s/{record}/edit"
                    results[f"baseline: {kind} edit form"] = timed(get(path), args.requests)
                    results[f"save {kind} (form POST)"] = timed_with(
                        edit_form(path, field, value), save(path), args.requests
                    )
        finally:
            workspace.engine.dispose()

    base = statistics.median(results["baseline: static file"])
    head = f"{'scenario':<32}{'p50 ms':>9}{'p95 ms':>9}{'x static':>10}{'x target':>10}"
    print(f"\n{head}{'x baseline (p95)':>18}  baseline")
    failed = []
    for label, values in results.items():
        p50, p95 = statistics.median(values), pct(values, 95)
        line = f"{label:<32}{p50:>9.1f}{p95:>9.1f}{p50 / base:>10.1f}{p95 / TARGET_P95_MS:>10.2f}"
        if label in against:
            ref = pct(results[against[label]], 95)
            line += f"{p95 / ref:>18.2f}  {against[label]}"
        print(line)
        if not label.startswith("baseline") and p95 > TARGET_P95_MS:
            failed.append(label)
    verdict = "FAIL: " + ", ".join(failed) if failed else "ok"
    print(f"\ntarget p95 <= {TARGET_P95_MS:.0f} ms for every list page and save: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
