"""Workspaces whose deals have known and unknown opening dates and snapshot changes.

Built through the services and the ORM the way the importer leaves them: a deal made by
:func:`deal` has ``opened_at`` as given (``None`` = the file did not say) and exactly the
stage changes listed, each ``(stage, when, is_snapshot)``.

``small_book`` (read as of 2025-06-30, hand-computed in test_dated_history.py):

* A: opened 01-10, Lead, Qualified 01-20, won 02-09 (full history): 30 days to win;
* B: opened 02-05, imported won: one change into Closed Won at its close date 03-07;
* C: opening unknown, imported lost at 04-01;  D: opening unknown, imported won at 04-15;
* E: opening unknown, open: a snapshot into Qualified at the import (06-01);
* F: opened 05-01, Lead, Qualified 05-11, still open;
* G: opened 03-01, Lead, then only seen lost at the import (06-01, a snapshot).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from buyermap.db.models import Deal, StageChange
from buyermap.schemas.entities import AccountCreate, DealCreate
from buyermap.services import accounts, deals
from buyermap.services.pipelines import default_pipeline, find_stage

Change = tuple[str, datetime, bool]
IMPORT = datetime(2025, 6, 1)


def deal(
    session: Session,
    *,
    name: str,
    opened_at: datetime | None,
    changes: Sequence[Change],
    amount: float = 1000.0,
    account_id: int | None = None,
) -> Deal:
    """A deal with exactly ``changes`` as its stage history and ``opened_at`` as given."""
    made = deals.create_deal(
        session,
        data=DealCreate(name=name, account_id=account_id, amount=amount, opened_at=changes[0][1]),
    )
    session.execute(delete(StageChange).where(StageChange.deal_id == made.id))
    pipeline = default_pipeline(session)
    for stage, when, snapshot in changes:
        session.add(
            StageChange(
                deal_id=made.id,
                to_stage_id=find_stage(session, pipeline=pipeline, name=stage).id,
                changed_at=when,
                amount=amount,
                is_snapshot=snapshot,
            )
        )
    made.opened_at = opened_at
    session.flush()
    deals.refresh_deal_state(session, deal_ids=[made.id])
    return made


def d(month: int, day: int) -> datetime:
    return datetime(2025, month, day)


SMALL_BOOK: dict[str, tuple[datetime | None, list[Change]]] = {
    "A": (
        d(1, 10),
        [("Lead", d(1, 10), False), ("Qualified", d(1, 20), False), ("Closed Won", d(2, 9), False)],
    ),
    "B": (d(2, 5), [("Closed Won", d(3, 7), False)]),
    "C": (None, [("Closed Lost", d(4, 1), False)]),
    "D": (None, [("Closed Won", d(4, 15), False)]),
    "E": (None, [("Qualified", IMPORT, True)]),
    "F": (d(5, 1), [("Lead", d(5, 1), False), ("Qualified", d(5, 11), False)]),
    "G": (d(3, 1), [("Lead", d(3, 1), False), ("Closed Lost", IMPORT, True)]),
}


def small_book(session: Session) -> dict[str, int]:
    """The deals of the module docstring; their ids by letter."""
    acme = accounts.create_account(session, data=AccountCreate(name="Acme", industry="software"))
    return {
        name: deal(session, name=name, opened_at=opened, changes=changes, account_id=acme.id).id
        for name, (opened, changes) in SMALL_BOOK.items()
    }


def forecast_book(session: Session) -> dict[str, int]:
    """Twelve dated closed deals, two dated open ones and four open snapshot deals.

    Read as of 2025-06-30 (cut 07-01): the dated open deals in Qualified have waited 21
    (F1) and 11 days (F2), median 16. S1 (snapshot 06-25, opening unknown), S2 (snapshot
    05-01), S3 (opened 06-28, snapshot 06-29) are in Qualified, S4 (snapshot 06-25) in
    Proposal, where no dated deal is open.
    """
    ids: dict[str, int] = {}
    for i in range(12):
        start = datetime(2025, 1, 1 + i)
        end = "Closed Won" if i % 2 == 0 else "Closed Lost"
        changes = [
            ("Lead", start, False),
            ("Qualified", start.replace(day=start.day + 5), False),
            (end, start.replace(month=2), False),
        ]
        ids[f"H{i}"] = deal(session, name=f"H{i}", opened_at=start, changes=changes).id
    plan: dict[str, tuple[datetime | None, list[Change]]] = {
        "F1": (d(6, 1), [("Lead", d(6, 1), False), ("Qualified", d(6, 10), False)]),
        "F2": (d(6, 1), [("Lead", d(6, 1), False), ("Qualified", d(6, 20), False)]),
        "S1": (None, [("Qualified", d(6, 25), True)]),
        "S2": (None, [("Qualified", d(5, 1), True)]),
        "S3": (d(6, 28), [("Qualified", d(6, 29), True)]),
        "S4": (None, [("Proposal", d(6, 25), True)]),
    }
    for name, (opened, changes) in plan.items():
        ids[name] = deal(session, name=name, opened_at=opened, changes=changes).id
    return ids
