"""Rules avatars through the CLI and REST, on SQLite and PostgreSQL: accepting a learned
avatar's proposed rules, a rules file in and out, scoring with the learned avatar's
columns and provenance, prospect files in cp1250 and XLSX, validated writes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import Account
from buyermap.services.avatars import latest_fits
from buyermap.services.workspace import Workspace
from tests.factories import demo_workspace, make_client

OUT_COLUMNS = ["fit", "probability", "tier", "reasons"]


@dataclass(frozen=True)
class Both:
    url: str
    client: TestClient
    workspace: Workspace

    def accounts(self) -> int:
        with self.workspace.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(Account)) or 0)


@pytest.fixture(scope="module")
def both(module_db_url: str) -> Iterator[Both]:
    with (
        demo_workspace(module_db_url, scale=0.2, seed=3) as workspace,
        make_client(module_db_url, workspace) as client,
    ):
        done = CliRunner().invoke(app, ["--db", module_db_url, "avatar", "learn", "--save", "icp"])
        assert done.exit_code == 0, done.output
        yield Both(url=module_db_url, client=client, workspace=workspace)


def _cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, "avatar", *args])


def _json(done: Any) -> Any:
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_it_accepts_proposed_rules_into_a_rules_avatar_and_adds_to_it(both: Both) -> None:
    proposals = both.client.get("/api/v1/avatars/icp").json()["metrics"]["rules"]
    assert len(proposals) >= 3
    doc = _json(
        _cli(
            both.url, "accept-rules", "--from", "icp", "--rule", "1,2", "--save", "picked", "--json"
        )
    )
    assert (doc["avatar"], doc["version"], doc["kind"]) == ("picked", 1, "rules")
    assert [r["field"] for r in doc["rules"]] == [proposals[0]["field"], proposals[1]["field"]]
    assert [r["weight"] for r in doc["rules"]] == [round(p["weight"], 3) for p in proposals[:2]]
    assert all(r["text"] and r["reason"].startswith("learned: counts") for r in doc["rules"])
    assert doc["stored_scores"] == both.accounts()
    assert "win rate of closed accounts" in doc["probability"]
    more = _json(
        _cli(
            both.url, "accept-rules", "--from", "icp", "--rule", "2,3", "--save", "picked", "--json"
        )
    )
    assert more["version"] == 2
    assert len(more["rules"]) == 3  # rule 2 was there already
    assert [v["version"] for v in more["versions"]] == [2, 1]
    listed = _json(_cli(both.url, "list", "--json"))
    assert {(a["name"], a["kind"]) for a in listed} >= {("picked", "rules"), ("icp", "learned")}

    bad = _cli(both.url, "accept-rules", "--from", "icp", "--rule", "99", "--save", "x")
    assert bad.exit_code == 2
    assert f"proposes rules 1 to {len(proposals)}; there is no rule 99" in bad.output
    clash = _cli(both.url, "accept-rules", "--from", "icp", "--save", "icp")
    assert clash.exit_code == 1
    assert "'icp' is a learned avatar; save the rules under a name of their own" in clash.output
    api = both.client.post(
        "/api/v1/avatars/icp/accept-rules", json={"save": "via-api", "rules": [1]}
    )
    assert api.status_code == 201, api.text
    assert api.json()["rules"][0]["field"] == proposals[0]["field"]


RULES = (
    "field,operator,value,weight,kind,reason\n"
    "industry,in,Software; IT Services,3,criterion,\n"
    "employees,between,200; 2000,2,criterion,\n"
    "region,equals,DACH,1,criterion,\n"
    'years_on_market,at_least,2,1,must_have,"too young: under 2 years"\n'
    "country,in,Russia; Belarus,1,disqualifier,sanctions\n"
)


def test_it_scores_with_the_learned_avatars_columns_and_stores_the_scores(
    both: Both, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES, encoding="utf-8")
    saved = _json(_cli(both.url, "rules", "import", str(rules), "--save", "written", "--json"))
    assert saved["saved"]["version"] == 1
    assert saved["rejected"] == []
    learned_out, rules_out = tmp_path / "learned.csv", tmp_path / "rules-scores.csv"
    _json(_cli(both.url, "score", "--avatar", "icp", "--out", str(learned_out), "--json"))
    doc = _json(_cli(both.url, "score", "--avatar", "written", "--out", str(rules_out), "--json"))
    assert (doc["kind"], doc["n"], doc["stored"]) == ("rules", both.accounts(), both.accounts())
    assert doc["calibration"]["method"] in {"platt", "isotonic"}
    assert (
        doc["calibration"]["won"] + doc["calibration"]["lost"]
        == doc["calibration"]["closed_accounts"]
    )
    learned_rows = list(csv.DictReader(learned_out.open(encoding="utf-8")))
    rows = list(csv.DictReader(rules_out.open(encoding="utf-8")))
    assert list(rows[0]) == list(learned_rows[0]) == ["account_id", "name", "domain", *OUT_COLUMNS]
    assert len(rows) == both.accounts()
    tiers = {r["tier"] for r in rows}
    assert tiers <= {"A", "B", "C", "D", "disqualified: too young: under 2 years"}
    best = max(rows, key=lambda r: float(r["fit"]))
    assert "industry is one of Software, IT Services (+50)" in best["reasons"]
    assert all(0 <= float(r["probability"]) <= 1 for r in rows)
    with both.workspace.sessions() as s:
        avatar, fits = latest_fits(s, account_ids=[int(best["account_id"])])
    assert avatar is not None
    assert (avatar.name, avatar.kind) == ("written", "rules")
    assert fits[int(best["account_id"])][0] == float(best["fit"])
    mutual = _json(CliRunner().invoke(app, ["--db", both.url, "avatar", "mutual", "--json"]))
    assert "accounts" in mutual


def test_rules_show_export_and_import_again_give_the_same_rules(both: Both, tmp_path: Path) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES, encoding="utf-8")
    _json(_cli(both.url, "rules", "import", str(rules), "--save", "trip", "--json"))
    shown = _json(_cli(both.url, "rules", "show", "trip", "--json"))
    assert [r["text"] for r in shown["rules"]] == [
        "industry is one of Software, IT Services",
        "employees between 200 and 2,000",
        "region is DACH",
        "years on the market at least 2",
        "country is one of Russia, Belarus",
    ]
    assert shown["tiers"] == {"A": 75.0, "B": 50.0, "C": 25.0}
    assert {f["key"] for f in shown["fields"]} >= {"industry", "employees", "part_of_holding"}
    exported = tmp_path / "exported.csv"
    assert _cli(both.url, "rules", "export", "trip", "--out", str(exported)).exit_code == 0
    _json(_cli(both.url, "rules", "import", str(exported), "--save", "trip-again", "--json"))
    again = _json(_cli(both.url, "rules", "show", "trip-again", "--json"))
    assert again["rules"] == shown["rules"]
    api = both.client.get("/api/v1/avatars/trip/rules")
    assert api.json() | {"versions": None} == shown | {"versions": None}
    assert both.client.get("/api/v1/avatars/trip/rules.csv").text == exported.read_bytes().decode()


def test_a_bad_rules_file_goes_to_quarantine_and_saves_nothing(both: Both, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        RULES + "headcount,at_least,50,1,criterion,\nemployees,at_least,many,1,,\n",
        encoding="utf-8",
    )
    done = _cli(both.url, "rules", "import", str(bad), "--save", "never", "--json")
    assert done.exit_code == 2
    report = json.loads(done.stdout)
    assert report["saved"] is None
    assert [r["line"] for r in report["rejected"]] == [7, 8]
    assert (
        "unknown field 'headcount'; the fields are industry, employees"
        in report["rejected"][0]["reason"]
    )
    assert report["rejected"][1]["reason"] == "at_least needs a number as its value, not 'many'"
    quarantine = tmp_path / "bad.quarantine.csv"
    assert report["quarantine"] == str(quarantine)
    assert [r["field"] for r in csv.DictReader(quarantine.open(encoding="utf-8"))] == [
        "headcount",
        "employees",
    ]
    assert _cli(both.url, "rules", "show", "never").exit_code == 1
    partial = _json(
        _cli(both.url, "rules", "import", str(bad), "--save", "some", "--partial", "--json")
    )
    assert len(partial["saved"]["rules"]) == 5
    assert len(partial["rejected"]) == 2

    upload = both.client.post(
        "/api/v1/avatars/never/rules/import",
        files={"file": ("bad.csv", bad.read_bytes(), "text/csv")},
    )
    assert upload.status_code == 422
    assert [r["line"] for r in upload.json()["error"]["details"]["rejected"]] == [7, 8]
    ok = both.client.post(
        "/api/v1/avatars/uploaded/rules/import",
        files={"file": ("good.csv", RULES.encode(), "text/csv")},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["source"] == "good.csv"


def test_rest_writes_are_validated_naming_the_bad_value(both: Both) -> None:
    put = both.client.put(
        "/api/v1/avatars/api-rules/rules",
        json={"rules": [{"field": "industry", "operator": "between", "value": "1;2"}]},
    )
    assert put.status_code == 422
    error = put.json()["error"]
    assert error["message"] == (
        "rule 1: industry: between compares numbers; for this field use in, equals, includes"
    )
    assert error["details"]["field"] == "rules.0.operator"
    tiers = both.client.put(
        "/api/v1/avatars/api-rules/rules",
        json={
            "rules": [{"field": "region", "operator": "in", "value": ["DACH"]}],
            "tiers": {"A": 10, "B": 50, "C": 5},
        },
    )
    assert tiers.status_code == 422
    assert "A > B > C" in tiers.json()["error"]["message"]
    learned = both.client.put(
        "/api/v1/avatars/icp/rules",
        json={"rules": [{"field": "region", "operator": "in", "value": "DACH"}]},
    )
    assert learned.status_code == 409
    body = {
        "rules": [
            {"field": "Part of a holding", "operator": "equals", "value": "tak", "weight": -2}
        ]
    }
    first = both.client.put("/api/v1/avatars/api-rules/rules", json=body)
    second = both.client.put("/api/v1/avatars/api-rules/rules", json=body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert second.json()["rules"][0] | {"text": None} == {
        "field": "part_of_holding", "feature": "part of a holding", "operator": "equals",
        "values": ["yes"], "weight": -2.0, "kind": "criterion", "reason": "", "text": None,
    }  # fmt: skip
    assert (
        both.client.get("/api/v1/avatars/api-rules/rules", params={"version": 1}).json()["version"]
        == 1
    )
    assert both.client.get("/api/v1/avatars/icp/rules").status_code == 422
    long = both.client.put(f"/api/v1/avatars/{'x' * 130}/rules", json=body)
    assert long.status_code == 422
    assert "has 130 characters; at most 120" in long.json()["error"]["message"]
    learned_over_rules = _cli(both.url, "learn", "--save", "api-rules")
    assert learned_over_rules.exit_code == 1
    assert "'api-rules' is a rules avatar; save the learned avatar under a name" in (
        learned_over_rules.output
    )


PROSPECTS = [
    ("p1", "Łódzkie Zakłady Software sp. z o.o.", "Software", "1 250", "DACH", "2001", "Polska"),
    ("p2", "Žďárská strojírna a.s.", "Manufacturing", "40", "Central Europe", "1995", "Česko"),
    ("p3", "Świętokrzyska Sieć Handlowa", "Retail", "", "", str(date.today().year), "Polska"),
    ("p4", "Přerovský Holding", "IT Services", "300", "DACH", "", "Russia"),
]
HEADER = ("ref", "Company", "Industry", "Employees", "Region", "Founded year", "Country")


def _score(both: Both, path: Path, out: Path) -> Any:
    return _cli(
        both.url, "score", "--avatar", "prospecting", "--input", str(path), "--id-column", "ref",
        "--out", str(out), "--json",
    )  # fmt: skip


def _check_prospects(rows: list[dict[str, str]]) -> None:
    assert [r["ref"] for r in rows] == ["p1", "p2", "p3", "p4"]
    assert [r["Company"] for r in rows] == [p[1] for p in PROSPECTS]
    assert list(rows[0])[:1] == ["ref"]
    assert list(rows[0])[-4:] == OUT_COLUMNS
    assert rows[0]["tier"] == "A"
    assert float(rows[0]["fit"]) == 100.0
    assert rows[1]["tier"] == "D"
    assert rows[2]["tier"] == "disqualified: too young: under 2 years"
    assert rows[3]["tier"] == "disqualified: sanctions"
    assert "missing: years on the market" in rows[3]["reasons"]


def test_prospect_files_in_cp1250_and_xlsx_are_scored_without_importing(
    both: Both, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES, encoding="utf-8")
    _json(_cli(both.url, "rules", "import", str(rules), "--save", "prospecting", "--json"))
    before = both.accounts()
    cp1250 = tmp_path / "leady.csv"
    cp1250.write_bytes(
        ("\r\n".join(";".join(r) for r in [HEADER, *PROSPECTS]) + "\r\n").encode("cp1250")
    )
    out = tmp_path / "scored.csv"
    doc = _json(_score(both, cp1250, out))
    assert (doc["n"], doc["stored"], doc["kind"]) == (4, 0, "rules")
    _check_prospects(list(csv.DictReader(out.open(encoding="utf-8"))))

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for p in PROSPECTS:
        sheet.append(
            [int(p[3].replace(" ", "")) if c == 3 and p[3] else v for c, v in enumerate(p)]
        )
    xlsx = tmp_path / "leady.xlsx"
    book.save(xlsx)
    out_x = tmp_path / "scored-x.csv"
    _json(_score(both, xlsx, out_x))
    _check_prospects(list(csv.DictReader(out_x.open(encoding="utf-8"))))
    assert both.accounts() == before


def test_the_rules_pages_show_proposals_the_editor_and_the_scores(
    both: Both, tmp_path: Path
) -> None:
    learned = both.client.get("/avatars/icp/rules")
    assert learned.status_code == 200
    assert "Accept into a rules avatar" in learned.text
    assert 'name="rule" value="1"' in learned.text
    rules = tmp_path / "rules.csv"
    rules.write_text(RULES, encoding="utf-8")
    _json(_cli(both.url, "rules", "import", str(rules), "--save", "Wybór Łódź", "--json"))
    page = both.client.get("/avatars/Wyb%C3%B3r%20%C5%81%C3%B3d%C5%BA/rules")
    assert page.status_code == 200
    assert "Wybór Łódź <small>rules avatar, version 1</small>" in page.text
    assert page.text.count('<tr data-row="') == len(RULES.splitlines())  # 5 rules + 1 empty
    assert 'id="tier-chart"' in page.text
    assert "<svg" in page.text
    assert "of 100</td>" in page.text
    assert both.client.get("/avatars/nobody/rules").status_code == 404
    new = both.client.get("/avatars/rules/new")
    assert new.status_code == 200
    assert 'id="f-name"' in new.text
