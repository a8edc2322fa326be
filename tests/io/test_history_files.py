"""Stage-history files: extra columns are kept, and an export is a valid analytics history."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import StageChange
from buyermap.domain.enums import EntityKind
from buyermap.io.exporters import export_file
from buyermap.io.importer import import_file

DEALS = "Record ID,Deal Name,Deal Stage,Create Date\nd1,Big,Lead,2024-01-02\n"
HISTORY = (
    "deal_id,stage,changed_at,amount,segment,owner\n"
    "d1,Lead,2024-01-02,100,enterprise,ann\n"
    "d1,Proposal,2024-01-10,120,enterprise,ann\n"
    "d1,Closed Won,2024-02-01,130,enterprise,bob\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unmapped_history_columns_are_kept_and_exported_back(
    session: Session, tmp_path: Path
) -> None:
    import_file(session, entity=EntityKind.DEALS, path=_write(tmp_path, "d.csv", DEALS))
    report = import_file(
        session, entity=EntityKind.STAGE_HISTORY, path=_write(tmp_path, "h.csv", HISTORY)
    )
    assert report.unmapped_columns == ["segment", "owner"]
    extras = [c.extra for c in session.scalars(select(StageChange).order_by(StageChange.id))]
    assert extras[-1] == {"segment": "enterprise", "owner": "bob"}
    out = tmp_path / "history.csv"
    export_file(session, entity=EntityKind.STAGE_HISTORY, path=out)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:6] == ["id", "deal_id", "from_stage", "stage", "changed_at", "amount"]
    assert {"segment", "owner"} <= set(header)


def test_changed_extra_values_update_the_change(session: Session, tmp_path: Path) -> None:
    import_file(session, entity=EntityKind.DEALS, path=_write(tmp_path, "d.csv", DEALS))
    path = _write(tmp_path, "h.csv", HISTORY)
    import_file(session, entity=EntityKind.STAGE_HISTORY, path=path)
    again = import_file(session, entity=EntityKind.STAGE_HISTORY, path=path)
    assert (again.imported, again.updated, again.skipped) == (0, 0, 3)
    changed = _write(tmp_path, "h2.csv", HISTORY.replace("bob", "carl"))
    third = import_file(session, entity=EntityKind.STAGE_HISTORY, path=changed)
    assert (third.updated, third.skipped) == (1, 2)
    last = session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert last is not None
    assert last.extra["owner"] == "carl"


def test_an_exported_history_feeds_pipeline_stats(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    deals = "Record ID,Deal Name,Deal Stage,Create Date\n" + "".join(
        f"d{i},Deal {i},Lead,2024-01-{i + 1:02d}\n" for i in range(12)
    )
    history = "deal_id,stage,changed_at,amount,segment\n" + "".join(
        f"d{i},Lead,2024-01-{i + 1:02d},100,smb\n"
        f"d{i},{'Closed Won' if i % 3 else 'Closed Lost'},2024-02-{i + 1:02d},100,smb\n"
        for i in range(12)
    )
    for kind, name, text in (("deals", "d.csv", deals), ("stage-history", "h.csv", history)):
        result = runner.invoke(app, ["--db", db, "import", kind, str(_write(tmp_path, name, text))])
        assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    assert runner.invoke(app, ["--db", db, "export", "stage-history", str(out)]).exit_code == 0
    stats = runner.invoke(
        app, ["pipeline", "stats", "--history", str(out), "--by", "segment", "--json"]
    )
    assert stats.exit_code == 0, stats.output
    body = json.loads(stats.stdout)
    lead = next(row for row in body["stages"] if row["stage"] == "Lead")
    assert lead["reached"] == 12
    assert [row["value"] for row in body["breakdowns"]["segment"]] == ["smb"]


def test_an_exported_history_keeps_unknown_openings_and_snapshots(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    deals = "opportunity_id,product,deal_stage,engage_date,close_date\n" + "".join(
        f"o{i},Deal {i},{'Won' if i % 2 else 'Prospecting'},"
        f"{f'2024-01-{i + 1:02d}' if i % 2 else ''},{'2024-03-01' if i % 2 else ''}\n"
        for i in range(10)
    )
    mapping = _write(tmp_path, "m.json", json.dumps({"product": "name", "close_date": "closed_at"}))
    result = runner.invoke(
        app,
        [
            "--db",
            db,
            "import",
            "deals",
            str(_write(tmp_path, "d.csv", deals)),
            "--create-stages",
            "--mapping",
            str(mapping),
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    assert runner.invoke(app, ["--db", db, "export", "stage-history", str(out)]).exit_code == 0
    from_file = runner.invoke(app, ["pipeline", "stats", "--history", str(out), "--json"])
    in_workspace = runner.invoke(app, ["--db", db, "pipeline", "stats", "--json"])
    assert from_file.exit_code == 0, from_file.output
    assert in_workspace.exit_code == 0, in_workspace.output
    left_file = json.loads(from_file.stdout)["left_out"]
    left_workspace = json.loads(in_workspace.stdout)["left_out"]
    assert left_file == left_workspace
    assert left_file["opening_date_unknown"] == 5
