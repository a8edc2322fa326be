"""The ``journeys alignment`` and ``journeys mapping`` CLI contract on SQLite and
PostgreSQL, on the hand-built case of tests/seams/alignment_world.py."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke, json_out, plain
from tests.conftest import opened_workspace
from tests.seams.alignment_world import COUNTS, OFF_SHARE, seed_world


def test_the_cli_contract_of_journeys_alignment(bm: Invoke, db_url: str) -> None:
    with opened_workspace(db_url) as ws, ws.sessions() as s, s.begin():
        seed_world(s)
    doc = json_out(bm("journeys", "alignment", "--json", db=db_url))
    assert doc["matrix"]["counts"] == COUNTS
    assert set(doc["matrix"]) >= {"rows", "columns", "counts"}
    assert doc["off_mapping_share"] == OFF_SHARE
    assert {p["persona"] for p in doc["time_in_stage_by_persona"]} == {"it", "fin"}
    shown = json_out(bm("journeys", "mapping", "show", "--json", db=db_url))
    assert shown["mapping"]["problem_awareness"] == ["Lead"]
    changed = json_out(
        bm(
            "journeys",
            "mapping",
            "set",
            "--stage",
            "purchase",
            "--funnel",
            "Won",
            "--json",
            db=db_url,
        )
    )
    assert changed["mapping"]["purchase"] == ["Won"]
    reset = json_out(bm("journeys", "mapping", "set", "--reset", "--json", db=db_url))
    assert reset["origin"] == "default"
    bad = bm("journeys", "mapping", "set", "--stage", "purchase", "--funnel", "Nope", db=db_url)
    assert bad.exit_code != 0
    assert "Nope" in bad.output


def test_the_import_command_takes_touchpoints(bm: Invoke, db_url: str, tmp_path: Path) -> None:
    with opened_workspace(db_url) as ws, ws.sessions() as s, s.begin():
        seed_world(s, touches=False)
    file = tmp_path / "t.csv"
    file.write_text(
        "contact_email,url,at,channel\nanna.wojcik@zabka.pl,https://example.com/why,2026-01-02,\n",
        encoding="utf-8",
    )
    report = json_out(bm("import", "touchpoints", str(file), "--json", db=db_url))
    assert report["imported"] == 1


def test_the_text_output_says_the_share_and_the_days(bm: Invoke, db_url: str) -> None:
    with opened_workspace(db_url) as ws, ws.sessions() as s, s.begin():
        seed_world(s)
    result = bm("journeys", "alignment", "--persona", "it", db=db_url)
    assert result.exit_code == 0, result.output
    assert "touchpoints fall on a deal's stage" in result.output
    assert "Problem awareness: median 5 days over 2 contacts (3 visits)" in result.output
    unknown = bm("journeys", "alignment", "--persona", "nobody", db=db_url)
    assert unknown.exit_code != 0
    assert "valid personas: it, fin" in plain(unknown)
