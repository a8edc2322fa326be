"""A hand-made workspace whose deals fall in known avatar tiers (known answers for the
pipeline and forecast by tier: tests/seams/test_pipeline_tiers.py, the browser checks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from buyermap.schemas.entities import AccountCreate
from buyermap.services import accounts
from buyermap.services import avatars as avatar_svc
from tests.analytics.pipeline.dated import deal

START = datetime(2025, 1, 6)
AS_OF = "2025-06-30"

# Per tier: (won deals' days from opening to winning, lost deals, open deals' amounts).
BOOK: dict[str, tuple[list[int], int, list[float]]] = {
    "A": ([30, 40, 50], 1, [1000.0]),
    "B": ([20], 3, [2000.0]),
    "D": ([], 2, []),
    "not scored": ([10], 1, [500.0]),
}
# Names that must survive: Polish, Romanian, Icelandic, Hungarian, Czech, Finnish.
ACCOUNTS = {
    "A": "Zakład Łódź Sp. z o.o.",
    "B": "Ștefan Brașov SRL",
    "D": "Þórður ehf.",
    "not scored": "Kovács és Társa Kft.",
}


@dataclass(frozen=True)
class Book:
    open_deals: dict[str, list[str]]  # tier -> open deal ids


def fill(session: Session, *, scored: bool = True) -> Book:
    """Deals by tier as BOOK says; the A, B and D accounts scored by the avatar 'icp'
    (tiers as named), the last one not (and one of its deals has no account at all)."""
    ids: dict[str, int] = {}
    for tier, name in ACCOUNTS.items():
        ids[tier] = accounts.create_account(session, data=AccountCreate(name=name)).id
    open_deals: dict[str, list[str]] = {}
    n = 0
    for tier, (won_days, lost, open_amounts) in BOOK.items():
        account: int | None = ids[tier]
        for days in won_days:
            opened = START + timedelta(days=n)
            changes = [
                ("Lead", opened, False),
                ("Qualified", opened + timedelta(3), False),
                ("Closed Won", opened + timedelta(days), False),
            ]
            deal(session, name=f"won {n}", opened_at=opened, changes=changes, account_id=account)
            n += 1
        for _ in range(lost):
            opened = START + timedelta(days=n)
            changes = [("Lead", opened, False), ("Closed Lost", opened + timedelta(9), False)]
            deal(session, name=f"lost {n}", opened_at=opened, changes=changes, account_id=account)
            n += 1
            if tier == "not scored":
                account = None  # the next deal has no account: "not scored" too
        for amount in open_amounts:
            opened = START + timedelta(days=100 + n)
            made = deal(
                session,
                name=f"open {n}",
                opened_at=opened,
                changes=[("Lead", opened, False), ("Qualified", opened + timedelta(5), False)],
                amount=amount,
                account_id=account,
            )
            open_deals.setdefault(tier, []).append(str(made.id))
            n += 1
    if scored:
        avatar = avatar_svc.save_avatar(
            session,
            name="icp",
            kind="learned",
            source="workspace",
            source_hash="0" * 64,
            settings={},
            model={},
            metrics={},
        )
        rows = [
            {"account_id": ids[t], "fit": f, "probability": 0.5, "tier": t, "reasons": []}
            for t, f in (("A", 90.0), ("B", 60.0), ("D", 10.0))
        ]
        avatar_svc.save_scores(session, avatar=avatar, rows=rows)
    return Book(open_deals=open_deals)
