"""Mutual fit end to end: our profile and buyers' criteria from files (CLI), the REST API,
and ``avatar mutual --json`` == ``GET /api/v1/avatar/mutual``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.services.workspace import Workspace
from tests.factories import make_client


@pytest.fixture
def client(db_url: str, workspace: Workspace) -> Iterator[TestClient]:
    with make_client(db_url, workspace) as c:
        yield c


PROFILE_CSV = (
    "klucz;wartość\n"  # Polish headers, ';' delimiter, cp1250 as Excel writes it
    'regiony;"Polska; Czechy; Węgry"\n'
    "certyfikaty;ISO 27001\n"
    "godziny wsparcia;12\n"
    "termin płatności;60\n"
)
CRITERIA_CSV = (
    "account_domain,criterion,operator,value,weight,must_have\n"
    "lodz-drewno.pl,regiony,includes,Polska,3,tak\n"
    "lodz-drewno.pl,godziny wsparcia,at_least,24,1,nie\n"
    "lodz-drewno.pl,języki,includes,polski,2,no\n"
    "brno-stroje.cz,certyfikaty,includes,TISAX,1,ano\n"
    "brno-stroje.cz,termin płatności,at_most,90,1,ne\n"
    "nieznana.pl,regiony,includes,Polska,1,no\n"
)


def _cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", url, *args])
    return result


def _setup(client: TestClient, url: str, tmp_path: Path) -> None:
    for name, domain in (("Łódź Drewno", "lodz-drewno.pl"), ("Brno Stroje", "brno-stroje.cz")):
        assert client.post("/api/v1/accounts", json={"name": name, "domain": domain}).is_success
    profile = tmp_path / "profil.csv"
    profile.write_bytes(PROFILE_CSV.encode("cp1250"))
    done = _cli(url, "profile", "import", str(profile), "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["keys"], report["added"], report["rejected"]) == (4, 4, 0)
    criteria = tmp_path / "kryteria.csv"
    criteria.write_text(CRITERIA_CSV, encoding="utf-8")
    refused = _cli(url, "import", "supplier-criteria", str(criteria), "--json")
    assert refused.exit_code == 1  # an unknown domain: nothing written by default
    assert client.get("/api/v1/avatar/mutual").json()["accounts"] == []
    partial = _cli(url, "import", "supplier-criteria", str(criteria), "--partial", "--json")
    assert partial.exit_code == 0, partial.output
    body = json.loads(partial.stdout)
    assert (body["imported"], body["rejected"]) == (5, 1)
    assert "nieznana.pl" in body["errors"][0]["reason"]
    again = json.loads(
        _cli(url, "import", "supplier-criteria", str(criteria), "--partial", "--json").stdout
    )
    assert (again["imported"], again["updated"], again["skipped"]) == (0, 0, 5)


def test_we_fit_them_from_a_profile_and_criteria_files(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    _setup(client, db_url, tmp_path)
    cli = _cli(db_url, "avatar", "mutual", "--json")
    assert cli.exit_code == 0, cli.output
    doc = json.loads(cli.stdout)
    assert doc == client.get("/api/v1/avatar/mutual").json()
    by_domain = {a["domain"]: a for a in doc["accounts"]}
    lodz = by_domain["lodz-drewno.pl"]
    assert lodz["we_fit_them"] == 75.0  # regiony (3) met, godziny wsparcia (1) unmet
    assert [m["criterion"] for m in lodz["met"]] == ["regiony"]
    assert [u["criterion"] for u in lodz["unmet"]] == ["godziny wsparcia"]
    assert [u["criterion"] for u in lodz["unknown"]] == ["języki"]
    assert {"account_id", "domain", "fit", "we_fit_them", "met", "unmet", "unknown"} <= set(lodz)
    brno = by_domain["brno-stroje.cz"]
    assert brno["we_fit_them"] == 0.0  # TISAX is a must-have we lack
    assert brno["must_have_unmet"] == ["certyfikaty"]
    one = json.loads(
        _cli(db_url, "avatar", "mutual", "--account", "brno-stroje.cz", "--json").stdout
    )
    assert [a["domain"] for a in one["accounts"]] == ["brno-stroje.cz"]
    missing = client.get("/api/v1/avatar/mutual", params={"account": "nope.pl"})
    assert missing.status_code == 404
    assert "nope.pl" in missing.json()["error"]["message"]


def test_criteria_and_profile_are_edited_over_rest(client: TestClient) -> None:
    account = client.post("/api/v1/accounts", json={"name": "Kovács Kft", "domain": "kovacs.hu"})
    aid = account.json()["id"]
    put = client.put("/api/v1/profile/nyelvek", json={"values": ["magyar; angol"]})
    assert put.status_code == 200, put.text
    assert put.json()["values"] == ["magyar", "angol"]
    url = f"/api/v1/accounts/{aid}/supplier-criteria"
    bad = client.post(url, json={"criterion": "nyelvek", "operator": "at_least", "value": "sok"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["field"] == "value"
    made = client.post(
        url, json={"criterion": "nyelvek", "operator": "includes", "value": "magyar"}
    )
    assert made.status_code == 201, made.text
    cid, version = made.json()["id"], made.json()["version"]
    twice = client.post(url, json={"criterion": "Nyelvek", "operator": "includes", "value": "x"})
    assert twice.status_code == 409
    moved = client.patch(f"/api/v1/supplier-criteria/{cid}", json={"value": "német"})
    assert moved.status_code == 200
    assert moved.json()["version"] == version + 1
    stale = client.patch(f"/api/v1/supplier-criteria/{cid}", json={"weight": 2, "version": version})
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["conflicts"] == [
        {"field": "weight", "yours": 2.0, "saved": 1.0}
    ]
    doc = client.get("/api/v1/avatar/mutual", params={"account": "kovacs.hu"}).json()
    assert doc["accounts"][0]["unmet"][0]["why"] == "we do not offer német"
    assert client.delete(f"/api/v1/supplier-criteria/{cid}").status_code == 204
    assert client.get(url).json() == []
    assert client.delete("/api/v1/profile/nyelvek").status_code == 204
    assert client.get("/api/v1/profile").json() == {"profile": {}}


def test_they_fit_us_comes_from_the_avatar_that_scored_last(
    client: TestClient, workspace: Workspace
) -> None:
    from buyermap.seams.mutual import mutual
    from buyermap.services.avatars import save_avatar, save_scores
    from buyermap.services.mutual import CriterionInput, add_criterion

    aid = client.post("/api/v1/accounts", json={"name": "Tampere Oy", "domain": "tre.fi"}).json()[
        "id"
    ]
    with workspace.sessions() as session, session.begin():
        add_criterion(
            session,
            account_id=aid,
            data=CriterionInput("languages", "includes", "suomi"),
        )
        assert mutual(session).avatar is None
        for fit, name in ((40.0, "old"), (87.5, "icp")):
            avatar = save_avatar(
                session,
                name=name,
                kind="learned",
                source="workspace",
                source_hash="x",
                settings={},
                model={},
                metrics={},
            )
            save_scores(
                session,
                avatar=avatar,
                rows=[
                    {"account_id": aid, "fit": fit, "probability": 0.5, "tier": "A", "reasons": []}
                ],
            )
    doc = client.get("/api/v1/avatar/mutual").json()
    assert doc["avatar"] == "icp v1"
    assert (doc["accounts"][0]["fit"], doc["accounts"][0]["tier"]) == (87.5, "A")


def test_a_profile_key_in_another_case_is_the_same_key(client: TestClient) -> None:
    """Keys meet in any case, non-ASCII letters too (SQLite's lower() folds only ASCII)."""
    assert client.put("/api/v1/profile/Éire", json={"values": ["yes"]}).status_code == 200
    again = client.put("/api/v1/profile/éIRE", json={"values": ["no"]})
    assert again.status_code == 200, again.text
    assert client.get("/api/v1/profile").json() == {"profile": {"Éire": ["no"]}}
    assert client.delete("/api/v1/profile/ÉIRE").status_code == 204
