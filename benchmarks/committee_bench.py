"""Committee risks over many open deals (SQLite), against the plain query in the same run.

Run:  uv run python benchmarks/committee_bench.py                  (100,000 deals x 6)
      uv run python benchmarks/committee_bench.py --deals 10000    (quick)

Data: one workspace in a temp folder: the default pipeline, ``--deals`` open deals spread
over its five open stages, ``--members`` members each (roles, influence and attitudes drawn
at random, 70% with a verification date, one contact in 20 having left the account), from
a pool of contacts per account. Timed, in one process:

* baseline: the plain query that reads every open deal's members (the columns the rules
  need, joined to contacts and deals), rows fetched and nothing else;
* risks: ``seams.committee.risk_list`` (the CLI's and REST's document): both queries, the
  rules over all deals at once, the pydantic document, sorted by amount at risk.

The target is risks <= 5 s for 100,000 deals with 6 members each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    Contact,
    Deal,
    Stage,
)
from buyermap.domain.committee import DEFAULT_ROLES
from buyermap.seams.committee import risk_list
from buyermap.services.pipelines import default_pipeline
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings

ATTITUDES = ("supporter", "neutral", "skeptic", "opponent", "unknown")
TARGET_SECONDS = 5.0


def build(url: str, deals: int, members: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    workspace = open_workspace(Settings(database_url=url))
    now = datetime(2026, 12, 1)
    n_accounts = max(deals // 10, 1)
    per_account = members + 4
    with workspace.sessions() as s, s.begin():
        pipeline = default_pipeline(s)
        stages = [st.id for st in pipeline.stages if st.kind == "open"]
        s.execute(
            insert(Account),
            [
                {"id": i + 1, "name": f"Firma {i}", "custom": {}, "extra": {}}
                for i in range(n_accounts)
            ],
        )
        contacts = [
            {
                "id": i + 1,
                "first_name": "Zoë",
                "last_name": f"Kowalczyk-{i}",
                "custom": {},
                "extra": {},
            }
            for i in range(n_accounts * per_account)
        ]
        s.execute(insert(Contact), contacts)
        left = rng.random(len(contacts)) < 0.05
        s.execute(
            insert(AccountContact),
            [
                {
                    "account_id": i // per_account + 1,
                    "contact_id": i + 1,
                    "start_date": date(2020, 1, 1),
                    "end_date": date(2026, 6, 30) if left[i] else None,
                    "is_primary": True,
                }
                for i in range(len(contacts))
            ],
        )
        stage_of = rng.choice(stages, deals)
        amounts = np.round(rng.lognormal(10, 1, deals), -2)
        s.execute(
            insert(Deal),
            [
                {
                    "id": d + 1,
                    "name": f"Deal {d}",
                    "account_id": d % n_accounts + 1,
                    "pipeline_id": pipeline.id,
                    "stage_id": int(stage_of[d]),
                    "amount": float(amounts[d]),
                    "currency": "EUR",
                    "status": "open",
                    "custom": {},
                    "extra": {},
                }
                for d in range(deals)
            ],
        )
        roles = [k for k, _ in DEFAULT_ROLES]
        rows = []
        for d in range(deals):
            account = d % n_accounts
            picks = rng.permutation(per_account)[:members]
            for k in picks:
                verified = now - timedelta(days=int(rng.integers(0, 400)))
                rows.append(
                    {
                        "account_id": account + 1,
                        "deal_id": d + 1,
                        "contact_id": account * per_account + int(k) + 1,
                        "role": roles[int(rng.integers(len(roles)))],
                        "influence": int(rng.integers(1, 6)),
                        "attitude": ATTITUDES[int(rng.integers(len(ATTITUDES)))],
                        "verified_at": verified if rng.random() < 0.7 else None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            if len(rows) >= 60_000:
                s.execute(insert(CommitteeMember), rows)
                rows = []
        if rows:
            s.execute(insert(CommitteeMember), rows)
    workspace.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'committee.db'}"
        started = time.perf_counter()
        build(url, args.deals, args.members, args.seed)
        print(
            f"built {args.deals:,} open deals x {args.members} members in "
            f"{time.perf_counter() - started:.1f} s"
        )
        workspace = open_workspace(Settings(database_url=url))
        with workspace.sessions() as s:
            started = time.perf_counter()
            rows = s.execute(
                select(
                    CommitteeMember.deal_id,
                    CommitteeMember.contact_id,
                    Contact.first_name,
                    Contact.last_name,
                    CommitteeMember.role,
                    CommitteeMember.influence,
                    CommitteeMember.attitude,
                    CommitteeMember.verified_at,
                    Deal.account_id,
                    Stage.name,
                )
                .join(Deal, Deal.id == CommitteeMember.deal_id)
                .join(Contact, Contact.id == CommitteeMember.contact_id)
                .outerjoin(Stage, Stage.id == Deal.stage_id)
                .where(Deal.status == "open")
            ).all()
            baseline = time.perf_counter() - started
            fetched = len(rows)
            del rows  # not kept alive (and in the way) while the risks are timed
        with workspace.sessions() as s:
            started = time.perf_counter()
            doc = risk_list(s, sort="amount", now=datetime(2026, 12, 1))
            seconds = time.perf_counter() - started
        workspace.engine.dispose()
    flags = sum(len(d.flags) for d in doc.deals)
    print(f"baseline: the plain query, {fetched:,} member rows fetched: {baseline:.2f} s")
    print(
        f"risks: {len(doc.deals):,} deals, {doc.flagged:,} flagged, {flags:,} flags: "
        f"{seconds:.2f} s ({seconds / baseline:.1f}x the plain query)"
    )
    verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
    print(f"target <= {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
