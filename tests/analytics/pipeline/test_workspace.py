"""Stage history read from the workspace (SQLite and PostgreSQL) equals the file reading."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from buyermap.analytics.pipeline.history import read_history_file
from buyermap.analytics.pipeline.stats import StatsQuery, run_stats
from buyermap.analytics.pipeline.workspace import load_workspace_history
from buyermap.schemas.entities import AccountCreate, DealCreate, StageChangeCreate
from buyermap.services import accounts, deals
from buyermap.services.users import get_or_create_user

MOVES = {
    "won": [("Qualified", 5), ("Proposal", 12), ("Closed Won", 30)],
    "lost": [("Qualified", 3), ("Closed Lost", 20)],
    "open": [("Qualified", 8)],
}


def _fill(session: Session) -> dict[str, int]:
    acme = accounts.create_account(session, data=AccountCreate(name="Acme", industry="software"))
    ana = get_or_create_user(session, name="Ana")
    ids = {}
    for i, (name, moves) in enumerate(MOVES.items()):
        deal = deals.create_deal(
            session,
            data=DealCreate(
                name=name,
                account_id=acme.id,
                owner_id=ana.id,
                source="inbound",
                amount=1000.0 * (i + 1),
                opened_at=datetime(2025, 1, 1),
            ),
        )
        for stage, day in moves:
            deals.move_deal(
                session,
                data=StageChangeCreate(
                    deal_id=deal.id,
                    to_stage=stage,
                    changed_at=datetime(2025, 1, 1 + day),
                    lost_reason="price" if stage == "Closed Lost" else None,
                ),
            )
        ids[name] = deal.id
    return ids


def test_the_workspace_history_is_the_file_history(session: Session, tmp_path: Path) -> None:
    ids = _fill(session)
    ws = load_workspace_history(session)
    assert ws.stages.open_stages == ("Lead", "Qualified", "Discovery", "Proposal", "Negotiation")
    rows = []
    for name, moves in MOVES.items():
        i = list(MOVES).index(name)
        for stage, day in [("Lead", 0), *moves]:
            reason = "price" if stage == "Closed Lost" else ""
            rows.append(
                f"{ids[name]},{stage},2025-01-{1 + day:02d},{1000.0 * (i + 1)},software,Ana,"
                f"inbound,{reason}"
            )
    path = tmp_path / "same.csv"
    header = "deal_id,stage,changed_at,amount,segment,owner,source,lost_reason\n"
    path.write_text(header + "\n".join(rows) + "\n")
    from_file = read_history_file(
        path,
        stages=list(ws.stages.open_stages),
        won_stages=list(ws.stages.won),
        lost_stages=list(ws.stages.lost),
    )
    assert ws.frame.drop("row").equals(from_file.frame.drop("row"))
    assert isinstance(ws.frame.schema["changed_at"], pl.Datetime)


def test_stats_read_the_workspace(session: Session) -> None:
    _fill(session)
    out = run_stats(load_workspace_history(session), StatsQuery(as_of=date(2025, 2, 15)))
    stages = {s["stage"]: s for s in out.to_dict()["stages"]}
    assert stages["Qualified"]["reached"] == 3
    assert stages["Proposal"]["conversion_to_next"] == 1.0
    assert out.to_dict()["losses"][0]["reasons"] == {"price": 1}
    assert out.to_dict()["breakdowns"]["segment"][0]["value"] == "software"
