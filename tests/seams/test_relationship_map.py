"""The relationship map on SQLite and PostgreSQL: who is on it, sizes from influence shares,
colours from attitudes, ties by type, the CLI contract, SVG and PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.charts import relationship_map as draw
from buyermap.cli.app import app
from buyermap.errors import ConflictError, InvalidValueError
from buyermap.seams.relationship_map import relationship_map
from buyermap.services import relationships as svc
from buyermap.services.workspace import Workspace
from tests.relationship_world import MapWorld, seed_map

GREEN, GREY, AMBER, RED, PALE = "#1f9d63", "#9aa3b5", "#d98e04", "#c8453b", "#e2e5ea"


def test_the_account_map_holds_committees_standing_group_and_tied_colleagues(
    session: Session,
) -> None:
    w = seed_map(session)
    doc = relationship_map(session, domain="zabka.pl")
    by_name = {n.name: n for n in doc.nodes}
    # Aino has no tie, Ilona works elsewhere: neither is on the map
    assert set(by_name) == {
        "Łucja Wójcik",
        "Ștefan Dumitrescu",
        "Jiří Dvořák",
        "Þórdís Ólafsdóttir",
        "Žofie Nováková",
    }
    # influences 3, 5, 2 (deal) and 4 (standing group): 14 in all; Žofie is not rated
    expected = {
        "Łucja Wójcik": (3, 3 / 14, "supporter", GREEN),
        "Ștefan Dumitrescu": (5, 5 / 14, "skeptic", AMBER),
        "Jiří Dvořák": (2, 2 / 14, "opponent", RED),
        "Þórdís Ólafsdóttir": (4, 4 / 14, "neutral", GREY),
        "Žofie Nováková": (None, None, "unknown", PALE),
    }
    for name, (influence, share, attitude, colour) in expected.items():
        n = by_name[name]
        assert (n.influence, n.attitude, n.colour) == (influence, attitude, colour)
        assert n.share == (None if share is None else pytest.approx(share))
        assert n.radius == pytest.approx(14 + 26 * (share or 0))
        assert 0 <= n.x <= 1
        assert 0 <= n.y <= 1
    assert by_name["Žofie Nováková"].member is False
    assert by_name["Žofie Nováková"].title == "Kierownik"
    assert by_name["Ștefan Dumitrescu"].role == "economic_buyer"
    p = w.people
    edges = {(e.from_, e.to, e.type, e.evidence) for e in doc.edges}
    assert edges == {
        (p["lucja"], p["stefan"], "reports_to", "org chart, Nov 2026"),
        (p["jiri"], p["stefan"], "conflicts_with", None),
        (p["zofie"], p["jiri"], "informal_advisor", "lunches every Friday"),
    }
    styles = {e.type: (e.colour, e.dash) for e in doc.edges}
    assert len(set(styles.values())) == 3  # each type drawn its own way
    assert {le.label for le in doc.legend if le.kind == "tie"} >= {"reports to", "rival of"}
    assert doc.message is None


def test_the_deal_map_holds_only_that_deals_committee_and_their_tied_colleagues(
    session: Session,
) -> None:
    w = seed_map(session)
    doc = relationship_map(session, domain="zabka.pl", deal_id=w.deal)
    assert {n.name for n in doc.nodes} == {
        "Łucja Wójcik",
        "Ștefan Dumitrescu",
        "Jiří Dvořák",
        "Žofie Nováková",
    }
    assert [n.share for n in doc.nodes if n.name == "Ștefan Dumitrescu"] == [pytest.approx(0.5)]
    assert doc.deal == "Żabka – platforma"


def test_the_layout_is_the_same_every_time(session: Session) -> None:
    seed_map(session)
    first = relationship_map(session, domain="zabka.pl")
    again = relationship_map(session, domain="zabka.pl")
    assert [(n.x, n.y) for n in first.nodes] == [(n.x, n.y) for n in again.nodes]
    assert len({(n.x, n.y) for n in first.nodes}) == len(first.nodes)


def test_an_account_with_nobody_says_what_to_do(session: Session) -> None:
    seed_map(session)
    doc = relationship_map(session, domain="ezust.hu")
    assert doc.nodes == []
    assert doc.edges == []
    assert doc.message is not None
    assert "buyermap committee set --account ezust.hu" in doc.message


def test_a_deal_of_another_account_is_refused_by_name(session: Session) -> None:
    w = seed_map(session)
    with pytest.raises(InvalidValueError, match="is not a deal of Ezüst Kft"):
        relationship_map(session, domain="ezust.hu", deal_id=w.deal)


def test_ties_refuse_oneself_a_bad_type_and_a_duplicate_and_take_own_types(
    session: Session,
) -> None:
    w = seed_map(session, ties=False)
    p = w.people
    with pytest.raises(InvalidValueError, match="a tie joins two different people"):
        svc.add_tie(session, from_id=p["jiri"], to_id=p["jiri"], data=svc.TieInput("ally"))
    with pytest.raises(InvalidValueError, match=r"tie type '\?\?!' is not a type"):
        svc.add_tie(session, from_id=p["jiri"], to_id=p["lucja"], data=svc.TieInput("??!"))
    svc.add_tie(session, from_id=p["jiri"], to_id=p["lucja"], data=svc.TieInput("Sojusznik"))
    with pytest.raises(ConflictError, match="already"):
        svc.add_tie(session, from_id=p["jiri"], to_id=p["lucja"], data=svc.TieInput("ally"))
    own = svc.add_tie(
        session, from_id=p["lucja"], to_id=p["stefan"], data=svc.TieInput("Golf partner")
    )
    assert own.kind == "golf_partner"
    doc = relationship_map(session, domain="zabka.pl")
    assert {e.type for e in doc.edges} == {"allies_with", "golf_partner"}
    assert any(le.key == "golf_partner" and le.label == "golf partner" for le in doc.legend)


def test_a_tie_edit_from_a_stale_version_is_refused(session: Session) -> None:
    w = seed_map(session, ties=False)
    tie = svc.add_tie(
        session,
        from_id=w.people["lucja"],
        to_id=w.people["stefan"],
        data=svc.TieInput("influences"),
    )
    svc.update_tie(session, tie_id=tie.id, changes={"evidence": "QBR"}, version=1)
    assert (tie.evidence, tie.version) == ("QBR", 2)
    with pytest.raises(ConflictError, match="version 1"):
        svc.update_tie(session, tie_id=tie.id, changes={"evidence": "old"}, version=1)
    with pytest.raises(ConflictError):
        svc.remove_tie(session, tie_id=tie.id, version=1)
    svc.remove_tie(session, tie_id=tie.id, version=2)
    assert relationship_map(session, domain="zabka.pl").edges == []


def test_the_svg_escapes_names_and_draws_every_person_and_tie(session: Session) -> None:
    w = seed_map(session)
    svc.add_tie(
        session,
        from_id=w.people["thordis"],
        to_id=w.people["lucja"],
        data=svc.TieInput("influences", evidence='<script>"x"</script> & co'),
    )
    doc = relationship_map(session, domain="zabka.pl")
    text = draw.svg(doc, node_url=lambda i: f"/people/{i}/card")
    assert text.count('class="map-node"') == len(doc.nodes) == 5
    assert text.count('class="map-edge"') == len(doc.edges) == 4
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert f'hx-get="/people/{w.people["lucja"]}/card"' in text
    assert "Þórdís Ólafsdóttir" in text
    assert draw.png(doc).startswith(b"\x89PNG")


# -- the CLI over a committed workspace ----------------------------------------------------


@pytest.fixture
def world(workspace: Workspace) -> MapWorld:
    with workspace.sessions() as s, s.begin():
        return seed_map(s)


def cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args])


def test_the_cli_keeps_the_map_contract_and_writes_svg_and_png(
    db_url: str, world: MapWorld, tmp_path: Path
) -> None:
    out = tmp_path / "map.svg"
    result = cli(db_url, "committee", "map", "--account", "zabka.pl", "--svg", str(out), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    node = doc["nodes"][0]
    assert {"contact_id", "name", "title", "role", "influence", "attitude"} <= set(node)
    assert {"persona", "share", "x", "y"} <= set(node)
    assert {"from", "to", "type", "evidence"} <= set(doc["edges"][0])
    assert out.read_text(encoding="utf-8").startswith("<svg")
    png = tmp_path / "map.png"
    deal = str(world.deal)
    only = cli(
        db_url, "committee", "map", "--account", "zabka.pl", "--deal", deal, "--png", str(png)
    )
    assert only.exit_code == 0, only.output
    assert png.read_bytes().startswith(b"\x89PNG")
    empty = cli(db_url, "committee", "map", "--account", "ezust.hu")
    assert empty.exit_code == 0
    assert "Nobody is on a buying committee" in empty.stdout


def test_the_cli_adds_and_removes_a_tie_and_refuses_bad_ones(db_url: str, world: MapWorld) -> None:
    args = ("--from", "thordis@zabka.pl", "--to", "stefan@zabka.pl", "--type")
    added = cli(db_url, "committee", "tie", "add", *args, "Ally", "--evidence", "QBR", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["type"] == "allies_with"
    doc = json.loads(cli(db_url, "committee", "map", "--account", "zabka.pl", "--json").stdout)
    assert {(e["from"], e["type"], e["evidence"]) for e in doc["edges"]} >= {
        (world.people["thordis"], "allies_with", "QBR")
    }
    self_tie = cli(
        db_url,
        "committee",
        "tie",
        "add",
        "--from",
        "jiri@zabka.pl",
        "--to",
        "jiri@zabka.pl",
        "--type",
        "rival",
    )
    assert self_tie.exit_code == 2
    assert "two different people" in self_tie.output
    unknown = cli(
        db_url,
        "committee",
        "tie",
        "add",
        "--from",
        "nobody@zabka.pl",
        "--to",
        "jiri@zabka.pl",
        "--type",
        "rival",
    )
    assert unknown.exit_code == 2
    assert "nobody@zabka.pl" in unknown.output
    removed = cli(db_url, "committee", "tie", "remove", *args, "ally")
    assert removed.exit_code == 0, removed.output
    again = cli(db_url, "committee", "tie", "remove", *args, "ally")
    assert again.exit_code == 2
    assert "there is no 'ally of' tie" in again.output
