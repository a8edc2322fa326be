"""Workspace runs: stored with provenance and model, contacts carry their persona, runs
can be found, reassigned, activated and compared (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.members import (
    assign_contacts,
    persona_of_contact,
    personas_of_contacts,
)
from buyermap.analytics.personas.quotes import quotes_for_persona
from buyermap.analytics.personas.runs import compare
from buyermap.cli.app import app
from buyermap.db.models import Contact, FormAnswer, PersonaAssignment, PersonaRow, PersonaRun
from buyermap.errors import NotFoundError
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from tests.web.persona_factory import FAST_QUERY, seed_personas


def test_a_run_is_stored_with_provenance_personas_and_assignments(session: Session) -> None:
    planted = seed_personas(session)
    run = svc.discover_workspace(session, query=FAST_QUERY)
    assert run.source == "workspace"
    assert run.is_active
    assert (run.k, run.n) == (3, 180)
    assert run.result["provenance"]["inputs_hash"] == run.inputs_hash
    assert run.settings["k"] == 3
    assert run.version
    assert [m["keys"] for m in run.model] == [["p1", "p2", "p3"]]
    rows = session.scalars(select(PersonaRow).where(PersonaRow.run_id == run.id)).all()
    assert sorted(r.size for r in rows) == [60, 60, 60]
    found = personas_of_contacts(session, contact_ids=list(planted))
    assert len(found) == 180
    groups: dict[str, set[str]] = {}
    for contact_id, group in planted.items():
        groups.setdefault(group, set()).add(found[contact_id].persona_key)
        assert 0.5 < found[contact_id].probability <= 1.0
    assert sorted(len(v) for v in groups.values()) == [1, 1, 1]


def test_the_stored_model_reassigns_contacts_as_the_run_did(session: Session) -> None:
    planted = seed_personas(session)
    run = svc.discover_workspace(session, query=FAST_QUERY)
    before = personas_of_contacts(session, contact_ids=list(planted), run=run)
    assert assign_contacts(session, run=run, only_missing=True).assigned == 0
    again = assign_contacts(session, run=run, only_missing=False)
    assert (again.assigned, again.unchanged, again.new, again.kept) == (180, 180, 0, 0)
    after = personas_of_contacts(session, contact_ids=list(planted), run=run)
    assert {i: a.persona_key for i, a in after.items()} == {
        i: b.persona_key for i, b in before.items()
    }
    newcomer = Contact(first_name="New", seniority="vp", department="Marketing")
    session.add(newcomer)
    session.flush()
    assert assign_contacts(session, run=run).assigned == 1
    mine = persona_of_contact(session, contact_id=newcomer.id)
    marketer = next(i for i, g in planted.items() if g == "marketer")
    assert mine is not None
    assert mine.persona_key == before[marketer].persona_key


def test_runs_are_found_activated_and_compared(session: Session) -> None:
    seed_personas(session)
    first = svc.discover_workspace(session, query=FAST_QUERY)
    second = svc.discover_workspace(session, query=FAST_QUERY, activate=False)
    assert first.run_key != second.run_key
    assert svc.active_run(session) is first
    assert svc.find_run(session, ref=second.id) is second
    assert svc.find_run(session, ref=second.run_key) is second
    assert [r.id for r in svc.list_runs(session)] == [second.id, first.id]
    svc.activate_run(session, run_id=second.id)
    session.refresh(first)
    assert svc.active_run(session) is second
    assert not first.is_active
    report = compare(svc.run_doc(first), svc.run_doc(second))
    assert report["same_inputs"]
    assert report["same_settings"]
    assert not report["drift"]
    with pytest.raises(NotFoundError, match="no persona run"):
        svc.get_run(session, ref="19990101")


def test_deleting_a_contact_or_a_run_removes_its_assignments(session: Session) -> None:
    planted = seed_personas(session)
    run = svc.discover_workspace(session, query=FAST_QUERY)
    gone = next(iter(planted))
    session.delete(session.get(Contact, gone))
    session.flush()
    count = select(func.count()).select_from(PersonaAssignment)
    assert session.scalar(count) == 179
    session.delete(run)
    session.flush()
    assert session.scalar(count) == 0
    assert session.scalar(select(func.count()).select_from(PersonaRow)) == 0
    assert session.scalar(select(func.count()).select_from(PersonaRun)) == 0


def test_quotes_come_from_the_most_certain_members(session: Session) -> None:
    planted = seed_personas(session)
    run = svc.discover_workspace(session, query=FAST_QUERY)
    engineer = next(i for i, g in planted.items() if g == "engineer")
    key = persona_of_contact(session, contact_id=engineer)
    assert key is not None
    quotes = quotes_for_persona(session, run=run, key=key.persona_key, limit=4)
    assert len(quotes) == 4
    assert len({q.contact_id for q in quotes}) == 4  # one per person first
    assert all(planted[q.contact_id] == "engineer" for q in quotes)
    assert {q.source for q in quotes} <= {"interview", "survey: pulse"}


def test_form_answers_kept_under_the_persona_are_quotes_on_its_card(session: Session) -> None:
    planted = seed_personas(session)
    run = svc.discover_workspace(session, query=FAST_QUERY)
    engineer = next(i for i, g in planted.items() if g == "engineer")
    key = persona_of_contact(session, contact_id=engineer)
    assert key is not None
    heard = "Wdrożenie u nas trwałoby pół roku, to za długo"
    session.add(
        FormAnswer(
            source_file="wywiady.csv",
            line=2,
            respondent="line 2",
            contact_id=None,
            persona_key=key.persona_key,
            question="Co Cię powstrzymuje?",
            answer=heard,
            answered_at=datetime(2026, 3, 14, 8, 15),
        )
    )
    session.flush()
    quotes = quotes_for_persona(session, run=run, key=key.persona_key, limit=4)
    assert len(quotes) == 4
    last = quotes[-1]
    assert (last.text, last.source, last.contact_name) == (
        heard,
        "form: Co Cię powstrzymuje?",
        "a form respondent",
    )
    assert all(planted[q.contact_id] == "engineer" for q in quotes[:-1])


def test_the_cli_exports_a_workspace_card_as_pdf_and_png(tmp_path: Path) -> None:
    db = tmp_path / "workspace.db"
    ws = open_workspace(Settings(database_url=f"sqlite:///{db}"))
    with ws.sessions() as s, s.begin():
        seed_personas(s)
        key = svc.discover_workspace(s, query=FAST_QUERY).run_key
    ws.engine.dispose()
    pdf, png, xlsx = tmp_path / "p1.pdf", tmp_path / "p1.png", tmp_path / "all.xlsx"
    runner = CliRunner()
    out = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "personas",
            "export",
            "--card",
            "p1",
            "--pdf",
            str(pdf),
            "--png",
            str(png),
        ],
    )
    assert out.exit_code == 0, out.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    whole = runner.invoke(app, ["--db", str(db), "personas", "export", str(xlsx), "--run", key[:8]])
    assert whole.exit_code == 0, whole.output
    assert xlsx.stat().st_size > 0
    bad = runner.invoke(app, ["--db", str(db), "personas", "export", "--pdf", str(pdf)])
    assert bad.exit_code == 2
    assert "--card" in bad.output
