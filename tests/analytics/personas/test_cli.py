"""The ``personas`` commands: JSON contract, refusal, assignments, assign and compare."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner, Result

from buyermap.analytics.personas.members import personas_of_contacts
from buyermap.analytics.personas.stored import active_run
from buyermap.analytics.personas.synth import make_personas_data
from buyermap.cli.app import app
from buyermap.db.models import Contact, SurveyAnswer
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings

FAST = ["--k-max", "5", "--restarts", "4", "--bootstrap", "4"]


def _run(tmp_path: Path, *args: str) -> Result:
    db = str(tmp_path / "workspace.db")
    return CliRunner().invoke(app, ["--db", db, "personas", *args])


def test_discover_prints_the_json_contract_and_writes_assignments(
    planted_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "assigned.csv"
    result = _run(
        tmp_path,
        "discover",
        *("--input", str(planted_csv), "--id-column", "contact_id"),
        *("--exclude", "role", "--describe", "age,country", "--quote-column", "comment"),
        *("--assignments", str(out), "--json", *FAST),
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"k", "n", "personas", "selection", "warnings"} <= set(doc)
    assert doc["n"] == 3000
    assert doc["k"] == 4
    for persona in doc["personas"]:
        assert {"key", "name", "size", "share", "stability", "traits"} <= set(persona)
        trait = persona["traits"][0]
        assert {"variable", "value", "population", "lift", "ci", "n"} <= set(trait)
        assert persona["quotes"]
        assert persona["descriptors"]
    assert [c["k"] for c in doc["selection"]] == [1, 2, 3, 4, 5]
    assert all("bic" in c and "stability" in c for c in doc["selection"])
    # Kept in the workspace (file name and hash), no runs/ folder without --runs-dir.
    assert doc["run"]["path"] is None
    assert doc["run"]["db_id"] is not None
    assert not (tmp_path / "runs").exists()
    assert not doc["run"]["active"]
    listed = _run(tmp_path, "card", "p1", "--run", doc["run"]["id"], "--json")
    assert listed.exit_code == 0, listed.output
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3000
    assert set(rows[0]) == {"contact_id", "persona", "probability"}
    assert {r["persona"] for r in rows} == {p["key"] for p in doc["personas"]}


def test_twenty_rows_are_refused_with_exit_code_two(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    make_personas_data(20, seed=1).frame.write_csv(small)
    result = _run(tmp_path, "discover", "--input", str(small), "--id-column", "contact_id")
    assert result.exit_code == 2
    assert "persona discovery needs at least" in result.stderr
    assert "the input has 20" in result.stderr


def test_an_empty_file_is_named_as_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = _run(tmp_path, "discover", "--input", str(empty), "--id-column", "id")
    assert result.exit_code == 2
    assert "is empty: it needs a header row" in result.stderr


def test_assign_and_compare_use_saved_runs(planted_csv: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    common = ["--input", str(planted_csv), "--id-column", "contact_id", "--exclude", "role"]
    common += ["--runs-dir", str(runs), "--json", "--k", "4", *FAST]
    first = json.loads(_run(tmp_path, "discover", *common, "--seed", "1").stdout)
    second = json.loads(_run(tmp_path, "discover", *common, "--seed", "2").stdout)
    out = tmp_path / "new.csv"
    assigned = _run(
        tmp_path,
        "assign",
        *("--run", first["run"]["id"], "--input", str(planted_csv)),
        *("--id-column", "contact_id", "--out", str(out), "--runs-dir", str(runs), "--json"),
    )
    assert assigned.exit_code == 0, assigned.output
    assert json.loads(assigned.stdout)["rows"] == 3000
    report = _run(
        tmp_path,
        "compare",
        first["run"]["path"],
        second["run"]["path"],
        "--json",
    )
    assert report.exit_code == 0, report.output
    doc = json.loads(report.stdout)
    assert len(doc["pairs"]) == 4
    assert doc["same_inputs"]
    assert all(p["profile_change"] < 0.2 for p in doc["pairs"])


def test_discover_without_input_reads_the_workspace_contacts(tmp_path: Path) -> None:
    ws = open_workspace(Settings(database_url=str(tmp_path / "workspace.db")))
    with ws.sessions() as s, s.begin():
        for i in range(150):
            marketer = i % 3 == 0
            contact = Contact(
                first_name=f"P{i}",
                seniority="VP" if marketer else "Manager",
                department="Marketing" if marketer else ("IT" if i % 3 == 1 else "Sales"),
                custom={"webinars_attended": (6 if marketer else 1) + i % 2, "tags": ["x"]},
            )
            s.add(contact)
            s.flush()
            s.add(
                SurveyAnswer(
                    survey="onboarding",
                    question="ease",
                    contact_id=contact.id,
                    value_number=float(5 if marketer else 2),
                    answered_at=datetime(2025, 1, 1),
                )
            )
    ws.engine.dispose()
    result = _run(tmp_path, "discover", "--json", *FAST)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    names = {v["name"] for v in doc["variables"]["bases"]}
    assert {"seniority", "department", "webinars_attended", "onboarding: ease"} <= names
    assert doc["n"] == 150
    assert doc["k"] >= 2
    assert doc["run"]["path"] is None  # workspace runs are stored in the workspace
    ws = open_workspace(Settings(database_url=str(tmp_path / "workspace.db")))
    with ws.sessions() as s:
        run = active_run(s)
        assert run is not None
        assert run.run_key == doc["run"]["id"]
        assert len(personas_of_contacts(s, contact_ids=list(range(1, 151)))) == 150
    ws.engine.dispose()


def test_an_empty_workspace_is_refused_not_crashed(tmp_path: Path) -> None:
    result = _run(tmp_path, "discover", "--json")
    assert result.exit_code == 2
    assert "the input has 0" in result.stderr
