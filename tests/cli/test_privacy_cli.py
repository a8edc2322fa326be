"""``privacy export`` and ``privacy erase``: the file, the refusal without --yes, the
report, and no trace of the person left in the database's bytes afterwards."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from buyermap.db.models import (
    CommitteeMember,
    Contact,
    Deal,
    Note,
    PersonaAssignment,
    SurveyAnswer,
    Touchpoint,
)
from tests.cli.conftest import Invoke, json_out, plain
from tests.conftest import opened_workspace
from tests.factories import demo_workspace
from tests.privacy_world import EMAIL, NAME, OTHER_EMAIL, PrivacyWorld, seed_person, traces

PG_DUMP = "/usr/bin/pg_dump"


def _seed(url: str) -> PrivacyWorld:
    with opened_workspace(url) as ws, ws.sessions() as session, session.begin():
        return seed_person(session)


def _sqlite(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


def test_export_writes_every_section_in_utf8_with_the_names_kept(
    bm: Invoke, db_path: Path, tmp_path: Path
) -> None:
    _seed(_sqlite(db_path))
    out = tmp_path / "lucja.json"

    summary = json_out(bm("privacy", "export", "--contact", "LUCJA@example.pl", str(out), "--json"))

    raw = out.read_bytes()
    assert NAME.encode("utf-8") in raw
    doc = json.loads(raw.decode("utf-8"))
    assert set(doc) >= {"contact", "sections", "generated_at", "audit"}
    assert doc["contact"]["full_name"] == NAME
    for section in ("positions", "notes", "survey_answers", "touchpoints", "relationships"):
        assert doc["sections"][section], section
        assert summary["sections"][section] == len(doc["sections"][section])
    assert doc["sections"]["committee_memberships"][0]["role"] == "economic_buyer"
    assert doc["sections"]["knowledge_values"][0]["value"] == "growth"


def test_an_unknown_email_exits_2_and_names_it(bm: Invoke, db_path: Path, tmp_path: Path) -> None:
    _seed(_sqlite(db_path))
    exported = bm("privacy", "export", "--contact", "nobody@example.pl", str(tmp_path / "x.json"))
    erased = bm("privacy", "erase", "--contact", "nobody@example.pl", "--yes")
    for result in (exported, erased):
        assert result.exit_code == 2
        assert "nobody@example.pl" in plain(result)
    assert not (tmp_path / "x.json").exists()


def test_erase_without_yes_says_what_would_go_and_changes_nothing(
    bm: Invoke, db_path: Path
) -> None:
    _seed(_sqlite(db_path))
    before = db_path.read_bytes()

    result = bm("privacy", "erase", "--contact", EMAIL, "--json")

    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["erased"] is False
    assert report["removed"]["contact"] == 1
    assert report["removed"]["notes"] == 1
    assert "--yes" in plain(result)
    with opened_workspace(_sqlite(db_path)) as ws, ws.sessions() as session:
        assert session.scalar(select(Contact.id).where(Contact.email == EMAIL)) is not None
        assert session.scalar(select(func.count()).select_from(Note)) == 3
    assert NAME.encode("utf-8") in before


def _database_bytes(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = Path(str(parsed.database))
        files = [db, db.with_name(db.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run([PG_DUMP, "--dbname", libpq], check=True, capture_output=True).stdout


def test_erase_leaves_no_trace_of_the_person_in_the_database(bm: Invoke, db_url: str) -> None:
    world = _seed(db_url)
    assert any(t in _database_bytes(db_url) for t in traces())

    report = json_out(bm("privacy", "erase", "--contact", EMAIL, "--yes", "--json", db=db_url))

    assert report["erased"] is True
    assert report["contact"] == EMAIL
    assert report["removed"]["contact"] == 1
    assert report["removed"]["committee_memberships"] == 1
    assert report["redacted"]["deals"] == 1
    left = _database_bytes(db_url)
    assert [t for t in traces() if t in left] == []
    with opened_workspace(db_url) as ws, ws.sessions() as session:
        assert session.get(Deal, world.deal) is not None
        kept = session.get_one(Contact, world.olafur)
        assert kept.email == OTHER_EMAIL
        assert session.get(Contact, world.lucja) is None


def _richest_demo_contact(url: str) -> tuple[int, str, str]:
    """The demo contact with the most records about them whose full name is theirs alone."""
    with opened_workspace(url) as ws, ws.sessions() as session:
        people = session.scalars(select(Contact).where(Contact.email.is_not(None))).all()
        names = Counter(c.full_name.lower() for c in people)
        weight: Counter[int] = Counter()
        for model in (CommitteeMember, Touchpoint, Note, PersonaAssignment, SurveyAnswer):
            for (contact_id,) in session.execute(select(model.contact_id)):
                if contact_id is not None:
                    weight[int(contact_id)] += 1
        best = max(
            (c for c in people if names[c.full_name.lower()] == 1 and c.first_name),
            key=lambda c: (weight[c.id], -c.id),
        )
        return best.id, best.full_name, str(best.email)


def test_erasing_a_demo_contact_leaves_no_trace_and_keeps_the_deals(
    bm: Invoke, db_path: Path
) -> None:
    url = _sqlite(db_path)
    with demo_workspace(url, scale=0.05, personas=True):
        pass
    contact_id, name, email = _richest_demo_contact(url)
    with opened_workspace(url) as ws, ws.sessions() as session:
        deals_before = session.scalar(select(func.count()).select_from(Deal))
    forms = [t.encode("utf-8") for t in (name, email)]
    assert any(f in _database_bytes(url) for f in forms)

    report = json_out(bm("privacy", "erase", "--contact", email, "--yes", "--json"))

    assert report["removed"]["contact"] == 1
    assert sum(report["removed"].values()) > 3
    left = _database_bytes(url)
    assert [f for f in forms if f in left] == []
    with opened_workspace(url) as ws, ws.sessions() as session:
        assert session.get(Contact, contact_id) is None
        assert session.scalar(select(func.count()).select_from(Deal)) == deals_before
