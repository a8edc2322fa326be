"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from buyermap.db.base import Base
from buyermap.db.engine import alembic_config, make_engine, migrate
from buyermap.db.search_index import include_name
from buyermap.services.workspace import Workspace


def test_migrations_match_the_models(workspace: Workspace) -> None:
    with workspace.engine.connect() as conn:
        # the search index (FTS5 tables, trigram indexes) is the migrations' alone
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _schema(engine: Engine) -> dict[str, object]:
    """Every table's columns (name, type, nullability), indexes, unique and foreign keys."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"] or "", tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in found.get_foreign_keys(table)
            ),
        }
        for table in sorted(found.get_table_names())
    }


def test_downgrading_to_base_and_migrating_again_rebuilds_the_same_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    built = _schema(engine)
    assert "stage_changes" in built
    command.downgrade(alembic_config(engine), "base")
    assert set(_schema(engine)) <= {"alembic_version"}
    migrate(engine)
    assert _schema(engine) == built
    migrate(engine)  # at head: nothing to do, nothing changed
    assert _schema(engine) == built
    engine.dispose()


def test_migrating_from_an_older_revision_brings_back_what_it_lacks(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    built = _schema(engine)
    command.downgrade(alembic_config(engine), "0003")
    older = _schema(engine)
    assert "deal_contacts" not in older
    migrate(engine)
    assert _schema(engine) == built
    engine.dispose()


def test_sqlite_workspaces_use_write_ahead_logging(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, fks) == ("wal", 1)
    engine.dispose()


KILL_MIDWAY = """
import os, signal, sys
from alembic import command
from alembic.operations import Operations
from buyermap.db.engine import alembic_config, make_engine

url, start, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = make_engine(url)
if start != "base":
    command.upgrade(alembic_config(engine), start)
done = 0
invoke = Operations.invoke

def killing(self, operation):
    global done
    out = invoke(self, operation)
    done += 1
    if done == after:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no rollback by Python
    return out

Operations.invoke = killing
command.upgrade(alembic_config(engine), "head")
"""


@pytest.mark.parametrize(("start", "after"), [("base", 5), ("previous", 1)])
def test_a_migration_killed_midway_leaves_a_workspace_that_opens(
    db_url: str, tmp_path: Path, start: str, after: int
) -> None:
    engine = make_engine(db_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    head_id = script.get_current_head()
    assert head_id is not None
    head = script.get_revision(head_id)
    assert head is not None
    begin = str(head.down_revision) if start == "previous" else "base"
    program = tmp_path / "kill_midway.py"
    program.write_text(KILL_MIDWAY, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(program), db_url, begin, str(after)], capture_output=True, check=False
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    with engine.connect() as conn:  # what the kill left: the revision it started from
        current = MigrationContext.configure(conn).get_current_revision()
    assert current == (None if begin == "base" else begin)
    migrate(engine)  # what opening the workspace does
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head.revision
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata
        )
    assert diff == []
    engine.dispose()


def test_migration_0010_keeps_the_committees_it_finds(db_url: str) -> None:
    """Members stored before 0010 keep role, positions, influence and attitude; the new
    columns (relation, evidence, source, verified_at, added_stage) start empty."""
    from sqlalchemy import text

    engine = make_engine(db_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0009")
    assert "verified_at" not in {
        c["name"] for c in inspect(engine).get_columns("committee_members")
    }
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into accounts (id, name, version, custom, extra, created_at, updated_at)"
                " values (1, 'Ölgerðin', 1, '{}', '{}', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "insert into contacts (id, first_name, version, custom, extra, created_at,"
                " updated_at) values (1, 'Þórdís', 1, '{}', '{}', '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(
            text(
                "insert into committee_members (account_id, contact_id, role, formal_position,"
                " real_position, influence, attitude, version, created_at, updated_at) values"
                " (1, 1, 'champion', 'CFO', 'owns the budget', 4, 'supporter', 1,"
                " '2026-01-01', '2026-01-01')"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "select role, formal_position, real_position, influence, attitude, relation,"
                " evidence, source, verified_at, added_stage from committee_members"
            )
        ).one()
    assert tuple(row) == (
        "champion",
        "CFO",
        "owns the budget",
        4,
        "supporter",
        None,
        None,
        None,
        None,
        None,
    )
    engine.dispose()


def test_migration_0020_moves_the_journeys_hand_made_personas_to_persona_profiles(
    db_url: str,
) -> None:
    """A persona a journeys import made (in the old ``hand-made`` run) becomes a hand-made
    persona profile with its key and name; one made in the editor too keeps its profile;
    the run goes, unless contacts are placed in its personas."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from buyermap.db.models import PersonaProfile, PersonaRow, PersonaRun
    from buyermap.services import journeys as journeys_svc

    engine = make_engine(db_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0018")
    with Session(engine) as s, s.begin():
        hand = PersonaRun(run_key="hand-made", inputs_hash="", version="hand-made", k=2, n=0)
        s.add(hand)
        s.flush()
        for key, name in (("ředitel", "Ředitel"), ("h-lucja-nowak", "H lucja nowak")):
            s.add(
                PersonaRow(
                    run_id=hand.id,
                    key=key,
                    name=name,
                    title=f"{name} (made by hand, not backed by data)",
                    size=0,
                    share=0.0,
                    low_evidence=True,
                    origin="hand_made",
                )
            )
        s.add(PersonaProfile(key="h-lucja-nowak", origin="hand_made", name="Łucja Nowak"))
    migrate(engine)
    with Session(engine) as s:
        profiles = s.execute(
            select(PersonaProfile.key, PersonaProfile.name, PersonaProfile.origin).order_by(
                PersonaProfile.id
            )
        ).all()
        assert [tuple(p) for p in profiles] == [
            ("h-lucja-nowak", "Łucja Nowak", "hand_made"),
            ("ředitel", "Ředitel", "hand_made"),
        ]
        assert s.scalar(select(func.count()).select_from(PersonaRow)) == 0
        assert s.scalar(select(func.count()).select_from(PersonaRun)) == 0
        assert [(p.key, p.name) for p in journeys_svc.personas(s)] == [
            ("h-lucja-nowak", "Łucja Nowak"),
            ("ředitel", "Ředitel"),
        ]
        assert s.scalar(select(PersonaProfile.goals).where(PersonaProfile.key == "ředitel")) == []
    engine.dispose()


def test_migration_0020_keeps_the_hand_made_run_of_contacts_placed_in_its_personas(
    db_url: str,
) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from buyermap.db.models import (
        Contact,
        PersonaAssignment,
        PersonaProfile,
        PersonaRow,
        PersonaRun,
    )
    from buyermap.services.touchpoints import persona_of_contacts

    engine = make_engine(db_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0018")
    with Session(engine) as s, s.begin():
        hand = PersonaRun(run_key="hand-made", inputs_hash="", version="hand-made", k=1, n=0)
        zofie = Contact(first_name="Žofie")
        s.add_all([hand, zofie])
        s.flush()
        s.add(PersonaRow(run_id=hand.id, key="nakupci", name="Nákupčí", title="x", size=0, share=0))
        s.add(
            PersonaAssignment(
                run_id=hand.id, contact_id=zofie.id, persona_key="nakupci", probability=1
            )
        )
        contact_id = zofie.id
    migrate(engine)
    with Session(engine) as s:
        assert s.scalars(select(PersonaProfile.name)).all() == ["Nákupčí"]
        assert s.scalars(select(PersonaRun.k)).all() == [0]
        assert persona_of_contacts(s) == {contact_id: "nakupci"}
    engine.dispose()
