"""A deal's persona is its lead buyer's persona in the active run; the workspace history
carries it and stats break down by it (SQLite and PostgreSQL).

What is planted: the three persona groups of ``tests.web.persona_factory`` (a run with k=3
discovered on them) and seven deals whose committees test each step of the lead-buyer rule:

* ``dm``: an engineer decision maker beats a more influential marketer champion;
* ``eb``: a marketer economic buyer beats a seller champion and a seller with influence 5;
* ``champion``: a seller champion beats an engineer end user with influence 5;
* ``influence``: no lead role, the marketer with influence 4 beats an engineer with 3;
* ``tie``: two members with influence 4: the lower contact id wins;
* ``unassigned``: the decision maker has no persona in the run, so the champion (engineer)
  leads;
* ``nobody``: no committee, so no persona; and an account-level decision maker (no deal)
  is ignored.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.analytics.personas.members import deal_personas, lead_buyer, personas_of_contacts
from buyermap.analytics.personas.stored import discover_workspace
from buyermap.analytics.pipeline.stats import StatsQuery, run_stats
from buyermap.analytics.pipeline.workspace import load_workspace_history
from buyermap.cli.app import app
from buyermap.db.models import CommitteeMember, Contact, PersonaRun
from buyermap.schemas.entities import AccountCreate, DealCreate, StageChangeCreate
from buyermap.seams.pipeline import StatsRequest, pipeline_stats
from buyermap.services import accounts, deals
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from buyermap.web.app import create_app
from tests.web.persona_factory import FAST_QUERY, seed_personas

# deal -> its moves (day, stage); won, lost or still open
MOVES = {
    "dm": [("Qualified", 3), ("Closed Won", 20)],
    "eb": [("Qualified", 4), ("Closed Lost", 15)],
    "champion": [("Qualified", 5)],
    "influence": [("Qualified", 6), ("Closed Won", 25)],
    "tie": [("Qualified", 7)],
    "unassigned": [("Qualified", 8), ("Closed Won", 30)],
    "nobody": [("Qualified", 9)],
}


def _build(session: Session) -> tuple[dict[str, int], dict[str, str], PersonaRun]:
    """The workspace above; returns deal ids, the expected persona name per deal, the run."""
    planted = seed_personas(session)
    run = discover_workspace(session, query=FAST_QUERY)
    names = {p.key: p.name for p in run.personas}
    persona = {
        c: names[a.persona_key]
        for c, a in personas_of_contacts(session, contact_ids=list(planted), run=run).items()
    }
    group: dict[str, list[int]] = {}
    for contact_id, g in sorted(planted.items()):
        group.setdefault(g, []).append(contact_id)
    mk, en, se = group["marketer"], group["engineer"], group["seller"]
    stranger = Contact(first_name="No", last_name="Persona")  # added after the run
    session.add(stranger)
    session.flush()
    acme = accounts.create_account(session, data=AccountCreate(name="Acme", industry="software"))
    committees: dict[str, list[tuple[int, str, int | None]]] = {
        "dm": [(en[0], "decision_maker", 2), (mk[0], "champion", 5)],
        "eb": [(mk[1], "economic_buyer", 1), (se[0], "champion", 3), (se[1], "influencer", 5)],
        "champion": [(se[2], "champion", None), (en[1], "end_user", 5)],
        "influence": [(en[2], "influencer", 3), (mk[2], "end_user", 4), (se[3], "blocker", None)],
        "tie": [(se[4], "influencer", 4), (en[3], "influencer", 4)],
        "unassigned": [(stranger.id, "decision_maker", 5), (en[4], "champion", 1)],
        "nobody": [],
    }
    ids: dict[str, int] = {}
    for i, (name, moves) in enumerate(MOVES.items()):
        deal = deals.create_deal(
            session,
            data=DealCreate(
                name=name,
                account_id=acme.id,
                amount=100.0 * (i + 1),
                opened_at=datetime(2025, 1, 1),
            ),
        )
        for stage, day in moves:
            deals.move_deal(
                session,
                data=StageChangeCreate(
                    deal_id=deal.id, to_stage=stage, changed_at=datetime(2025, 1, 1 + day)
                ),
            )
        for contact_id, role, influence in committees[name]:
            session.add(
                CommitteeMember(
                    account_id=acme.id,
                    deal_id=deal.id,
                    contact_id=contact_id,
                    role=role,
                    influence=influence,
                )
            )
        ids[name] = deal.id
    session.add(
        CommitteeMember(account_id=acme.id, deal_id=None, contact_id=se[5], role="decision_maker")
    )
    session.flush()
    expected = {
        "dm": persona[en[0]],
        "eb": persona[mk[1]],
        "champion": persona[se[2]],
        "influence": persona[mk[2]],
        "tie": persona[min(se[4], en[3])],
        "unassigned": persona[en[4]],
    }
    return ids, expected, run


def test_the_lead_buyer_is_the_first_lead_role_else_the_most_influential() -> None:
    assert lead_buyer([(5, "champion", 1), (9, "economic_buyer", 1), (7, "decision_maker", 1)]) == 7
    assert lead_buyer([(5, "champion", 1), (9, "economic_buyer", None)]) == 9
    assert lead_buyer([(5, "end_user", 2), (9, "blocker", 5), (3, "influencer", None)]) == 9
    assert lead_buyer([(8, "influencer", 4), (6, "end_user", 4)]) == 6
    assert lead_buyer([(8, "decision_maker", 2), (6, "decision_maker", 3)]) == 6
    assert lead_buyer([(4, "influencer", None), (2, "end_user", None)]) == 2
    assert lead_buyer([]) is None


def test_each_deal_gets_its_lead_buyers_persona(session: Session) -> None:
    ids, expected, run = _build(session)
    assert deal_personas(session) == {ids[name]: p for name, p in expected.items()}
    assert deal_personas(session, run=run) == deal_personas(session)


def test_a_workspace_without_a_persona_run_has_no_deal_personas(session: Session) -> None:
    assert deal_personas(session) is None


def test_the_history_breaks_down_by_persona(session: Session) -> None:
    ids, expected, _ = _build(session)
    plain = load_workspace_history(session)
    assert "persona" not in plain.frame.columns
    history = load_workspace_history(session, personas=deal_personas(session))
    assert history.inputs_hash != plain.inputs_hash
    per_deal = dict(history.frame.select("deal_id", "persona").unique().iter_rows())
    assert per_deal == {str(ids[n]): expected.get(n) for n in MOVES}

    out = run_stats(history, StatsQuery(by="persona", as_of=date(2025, 3, 1))).to_dict()
    rows = {r["value"]: r for r in out["breakdowns"]["persona"]}
    want: dict[str, dict[str, int]] = {}
    outcome = {name: moves[-1][0] for name, moves in MOVES.items()}
    for name in MOVES:
        value = expected.get(name, "(none)")
        counts = want.setdefault(value, {"deals": 0, "won": 0, "lost": 0, "open": 0})
        counts["deals"] += 1
        key = {"Closed Won": "won", "Closed Lost": "lost"}.get(outcome[name], "open")
        counts[key] += 1
    assert {v: {k: r[k] for k in ("deals", "won", "lost", "open")} for v, r in rows.items()} == want
    assert rows["(none)"]["deals"] == 1
    assert sum(r["deals"] for r in rows.values()) == len(MOVES)
    default = run_stats(history, StatsQuery(as_of=date(2025, 3, 1))).to_dict()
    assert list(default["breakdowns"]) == ["segment", "owner", "source", "persona"]


def test_the_cli_breaks_the_workspace_down_by_persona(tmp_path: Path) -> None:
    db = tmp_path / "workspace.db"
    runner = CliRunner()
    ws = open_workspace(Settings(database_url=f"sqlite:///{db}"))
    with ws.sessions() as s, s.begin():
        acme = accounts.create_account(s, data=AccountCreate(name="Acme"))
        first = DealCreate(name="d", account_id=acme.id, amount=1.0, opened_at=datetime(2025, 1, 1))
        deal = deals.create_deal(s, data=first)
        deals.move_deal(
            s,
            data=StageChangeCreate(
                deal_id=deal.id, to_stage="Qualified", changed_at=datetime(2025, 1, 2)
            ),
        )
    refused = runner.invoke(app, ["--db", str(db), "pipeline", "stats", "--by", "persona"])
    assert refused.exit_code != 0
    assert "no persona run" in refused.output
    with ws.sessions() as s, s.begin():
        _, expected, _ = _build(s)
    ws.engine.dispose()
    done = runner.invoke(app, ["--db", str(db), "pipeline", "stats", "--by", "persona", "--json"])
    assert done.exit_code == 0, done.output
    rows = {r["value"]: r["deals"] for r in json.loads(done.stdout)["breakdowns"]["persona"]}
    assert sum(rows.values()) == len(MOVES) + 1
    assert rows["(none)"] == 2  # "nobody" and the deal made before any committee
    assert set(rows) == {*expected.values(), "(none)"}


def test_the_seams_history_has_personas_once_there_is_a_run(session: Session) -> None:
    _build(session)
    analysed = pipeline_stats(session, StatsRequest(by="persona"))
    assert "persona" in analysed.history.frame.columns
    assert list(analysed.document.breakdowns) == ["persona"]


def test_the_pipeline_page_offers_persona_with_a_run(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'workspace.db'}")
    ws = open_workspace(settings)
    with ws.sessions() as s, s.begin():
        _, expected, run = _build(s)
        run_key = run.run_key
    client = TestClient(create_app(settings, workspace=ws))
    page = client.get("/pipeline", params={"by": "persona"})
    assert page.status_code == 200, page.text
    assert '<option value="persona" selected>' in page.text
    values = set(re.findall(r'<tr data-value="([^"]*)"', page.text))
    assert values == {*expected.values(), "(none)"}
    assert f"persona run {run_key}" in page.text
    ws.engine.dispose()
