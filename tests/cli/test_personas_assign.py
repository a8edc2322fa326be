"""``buyermap personas assign`` without --input: the workspace's contacts get the run's
personas (all, or only new ones), with the same counts as the API."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from buyermap.analytics.personas.stored import discover_workspace
from buyermap.db.models import Contact, PersonaAssignment
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from tests.cli.conftest import Invoke, json_out
from tests.web.persona_factory import FAST_QUERY, seed_personas


def _seed(db_path: Path) -> str:
    """The planted personas, a run discovered on them, then one contact added after it."""
    ws = open_workspace(Settings(database_url=f"sqlite:///{db_path}"))
    with ws.sessions() as s, s.begin():
        seed_personas(s)
        run_key = discover_workspace(s, query=FAST_QUERY).run_key
        newcomer = Contact(first_name="New", seniority="vp", department="Marketing")
        s.add(newcomer)
    ws.engine.dispose()
    return run_key


def _stored(db_path: Path) -> tuple[int, list[float]]:
    ws = open_workspace(Settings(database_url=f"sqlite:///{db_path}"))
    with ws.sessions() as s:
        n = s.scalar(select(func.count()).select_from(PersonaAssignment)) or 0
        probs = list(s.scalars(select(PersonaAssignment.probability)))
    ws.engine.dispose()
    return n, probs


def test_new_only_assigns_the_contacts_without_a_persona(bm: Invoke, db_path: Path) -> None:
    run_key = _seed(db_path)
    out = json_out(bm("personas", "assign", "--new-only", "--json"))
    assert out["run_key"] == run_key
    assert (out["assigned"], out["new"], out["changed"], out["unchanged"]) == (1, 1, 0, 0)
    assert (out["kept"], out["dropped"]) == (180, 0)
    assert sum(out["personas"].values()) == 1
    n, probs = _stored(db_path)
    assert n == 181
    assert all(0.0 < p <= 1.0 for p in probs)
    again = json_out(bm("personas", "assign", "--new-only", "--json"))
    assert (again["assigned"], again["kept"]) == (0, 181)
    assert again["personas"] == {}


def test_without_new_only_every_contact_is_assigned_again(bm: Invoke, db_path: Path) -> None:
    run_key = _seed(db_path)
    out = json_out(bm("personas", "assign", "--run", run_key, "--json"))
    assert (out["assigned"], out["new"], out["kept"], out["dropped"]) == (181, 1, 0, 0)
    assert out["unchanged"] == 180  # the stored model gives the contacts their persona again
    assert out["changed"] == 0
    assert sorted(out["personas"].values()) == [60, 60, 61]
    assert _stored(db_path)[0] == 181
    text = bm("personas", "assign")
    assert text.exit_code == 0, text.output
    assert f"assigned 181 contacts to personas of run {run_key}" in text.output
    assert "181 unchanged" in text.output


def test_it_refuses_file_options_without_input_and_a_missing_run(bm: Invoke, db_path: Path) -> None:
    _seed(db_path)
    wrong = bm("personas", "assign", "--out", "a.csv")
    assert wrong.exit_code != 0
    assert "--id-column and --out go with --input" in wrong.output
    missing = bm("personas", "assign", "--run", "19990101")
    assert missing.exit_code != 0
    assert "no persona run '19990101'" in missing.output


def test_a_workspace_without_a_run_is_refused(bm: Invoke) -> None:
    result = bm("personas", "assign", "--json")
    assert result.exit_code != 0
    assert "no persona run yet" in result.output
