"""The avatar seam: ``buyermap avatar learn/score --json`` and ``/api/v1/avatars`` give the
same documents, a prospect file is scored without importing it, refusals are alike."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import Account
from tests.factories import Both, demo_behind_app


@pytest.fixture(scope="module")
def both(module_db_url: str) -> Iterator[Both]:
    with demo_behind_app(module_db_url, scale=0.2, seed=3) as both:
        yield both


def _count_accounts(both: Both) -> int:
    with both.workspace.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Account)) or 0)


def _cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, "avatar", *args])


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    provenance = {k: v for k, v in doc["provenance"].items() if k != "created_at"}
    return doc | {"provenance": provenance}


def test_learning_is_the_same_document_from_the_cli_and_the_api(both: Both) -> None:
    done = _cli(both.url, "learn", "--seed", "1", "--json")
    assert done.exit_code == 0, done.output
    cli = json.loads(done.stdout)
    response = both.client.post("/api/v1/avatars/learn", json={"seed": 1})
    assert response.status_code == 201, response.text
    api = response.json()
    assert _comparable(cli) == _comparable(api)
    for key in ("n", "positives", "auc", "auc_interval", "tiers", "traits", "rules", "warnings"):
        assert key in cli
    assert cli["avatar"] is None
    assert {"tier", "share", "positive_rate", "lift"} <= set(cli["tiers"][0])
    assert {"feature", "value", "effect"} <= set(cli["traits"][0])


def test_saving_again_makes_a_new_version_and_scores_are_the_same_document(
    both: Both, tmp_path: Path
) -> None:
    done = _cli(both.url, "learn", "--save", "icp", "--json")
    assert done.exit_code == 0, done.output
    saved = json.loads(done.stdout)
    again = both.client.post("/api/v1/avatars/learn", json={"save": "icp"}).json()
    assert (saved["avatar"], saved["version"], again["version"]) == ("icp", 1, 2)
    assert saved["stored_scores"] == _count_accounts(both)
    listed = both.client.get("/api/v1/avatars").json()
    assert [(a["name"], a["version"]) for a in listed][:2] == [("icp", 2), ("icp", 1)]
    assert both.client.get("/api/v1/avatars/icp", params={"version": 1}).json()["version"] == 1
    out = tmp_path / "accounts.csv"
    scored = _cli(both.url, "score", "--avatar", "icp", "--out", str(out), "--json")
    assert scored.exit_code == 0, scored.output
    cli = json.loads(scored.stdout)
    api = both.client.post("/api/v1/avatars/icp/score").json()
    assert cli | {"out": None} == api
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == _count_accounts(both) == cli["n"] == cli["stored"]
    assert list(rows[0]) == [
        "account_id", "name", "domain", "fit", "probability", "tier", "reasons",
    ]  # fmt: skip
    assert {r["tier"] for r in rows} <= {"A", "B", "C", "D"}


def test_a_prospect_file_is_scored_without_importing_it(both: Both, tmp_path: Path) -> None:
    if not both.client.get("/api/v1/avatars").json():
        assert _cli(both.url, "learn", "--save", "icp").exit_code == 0
    prospects = tmp_path / "prospects.csv"
    prospects.write_text(
        "ref,Company,Industry,Employees,Region,Country\n"
        'p1,Acme,Software,"1 200",DACH,Germany\n'
        "p2,Tiny,Retail,4,APAC,Australia\n"
        "p3,Odd,Aerospace,,Mars,\n",
        encoding="utf-8",
    )
    before = _count_accounts(both)
    out = tmp_path / "scored.csv"
    done = _cli(
        both.url, "score", "--avatar", "icp", "--input", str(prospects), "--id-column", "ref",
        "--out", str(out), "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["n"] == 3
    assert doc["stored"] == 0
    assert any("no column" in w for w in doc["warnings"])  # e.g. annual_revenue: scored empty
    assert _count_accounts(both) == before
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["ref"] for r in rows] == ["p1", "p2", "p3"]
    assert float(rows[0]["fit"]) > float(rows[1]["fit"])
    assert rows[0]["reasons"]
    uploaded = both.client.post(
        "/api/v1/avatars/icp/score.csv",
        files={"file": ("prospects.csv", prospects.read_bytes(), "text/csv")},
        data={"id_column": "ref"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(uploaded.text))) == rows


def test_twenty_rows_with_three_positives_are_refused_with_exit_code_2(
    both: Both, tmp_path: Path
) -> None:
    path = tmp_path / "few.csv"
    lines = [
        "id,industry,won",
        *(f"{i},{'Software' if i % 2 else 'Retail'},{'yes' if i < 3 else 'no'}" for i in range(20)),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _cli(both.url, "learn", "--input", str(path), "--id-column", "id", "--outcome", "won")
    assert done.exit_code == 2
    assert "needs at least 30 positive and 30 negative rows" in done.output
    assert "has 3 positive and 17 negative" in done.output


def test_a_bad_setting_is_refused_alike_naming_the_field(both: Both) -> None:
    done = _cli(both.url, "learn", "--folds", "1")
    assert done.exit_code == 2
    assert "folds" in done.output
    response = both.client.post("/api/v1/avatars/learn", json={"folds": 1})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["errors"][0]["field"] == "folds"
    missing = both.client.post("/api/v1/avatars/nobody/score")
    assert missing.status_code == 404
    assert "saved avatars" in missing.json()["error"]["message"]


def test_an_avatar_learned_from_a_file_is_saved_in_the_workspace(
    both: Both, tmp_path: Path
) -> None:
    from buyermap.analytics.avatar.synth import companies

    path = tmp_path / "won.csv"
    companies(600, seed=8)[0].write_csv(path)
    done = _cli(
        both.url, "learn", "--input", str(path), "--id-column", "id", "--outcome", "won",
        "--positive", "yes", "--exclude", "noise_number", "--save", "from-file", "--json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert (doc["avatar"], doc["version"], doc["source"]) == ("from-file", 1, "won.csv")
    assert "noise_number" not in {c["name"] for c in doc["columns"]}
    saved = both.client.get("/api/v1/avatars/from-file").json()
    assert saved["source"] == "won.csv"
    assert saved["metrics"]["n"] == doc["n"] == 600
