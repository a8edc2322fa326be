"""The audit log: every edit of a record people edit is logged with who and when, and the
values of personal fields are never copied into it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.audit import acting_as, audited_tables
from buyermap.db.models import AuditEntry, PersonaProfile
from buyermap.errors import InvalidValueError
from buyermap.schemas.entities import AccountCreate, AccountUpdate, ContactCreate, ContactUpdate
from buyermap.schemas.notes import NoteCreate
from buyermap.services import accounts, contacts, notes
from buyermap.services import audit as svc
from buyermap.services.workspace import Workspace


def _log(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_an_edit_logs_who_changed_which_field_from_what_to_what(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        account = accounts.create_account(s, data=AccountCreate(name="Żabka Polska"))
        account_id = account.id
    with workspace.sessions() as s, s.begin(), acting_as("dana@example.pl"):
        accounts.update_account(
            s, account_id=account_id, data=AccountUpdate(industry="Retail", employees=5000)
        )
    with workspace.sessions() as s:
        log = _log(s)
    created, *updates = log
    assert (created.action, created.entity, created.entity_id) == ("create", "accounts", account_id)
    assert created.actor == "local user"
    changed = {(e.field, e.before, e.after) for e in updates}
    assert changed == {("industry", None, "Retail"), ("employees", None, "5000")}
    assert {e.actor for e in updates} == {"dana@example.pl"}
    assert all(e.action == "update" and e.data_class is None for e in updates)


def test_a_personal_field_is_logged_by_name_and_class_without_its_values(
    workspace: Workspace,
) -> None:
    with workspace.sessions() as s, s.begin():
        contact = contacts.create_contact(
            s, data=ContactCreate(first_name="Þóra", last_name="Jónsdóttir", email="thora@x.is")
        )
        contact_id = contact.id
    with workspace.sessions() as s, s.begin():
        contacts.update_contact(
            s,
            contact_id=contact_id,
            data=ContactUpdate(email="thora.jons@x.is", job_title="Fjármálastjóri"),
        )
    with workspace.sessions() as s:
        log = [e for e in _log(s) if e.action == "update"]
    assert {(e.field, e.data_class) for e in log} == {
        ("email", "identity"),
        ("job_title", "professional"),
    }
    assert all(e.before is None and e.after is None for e in log)
    everything = json.dumps([[e.before, e.after] for e in log], ensure_ascii=False)
    assert "thora" not in everything
    assert "Fjármálastjóri" not in everything


def test_a_delete_is_logged_and_a_rolled_back_edit_is_not(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        account = accounts.create_account(s, data=AccountCreate(name="Vltava s.r.o."))
        note = notes.add_note(s, data=NoteCreate(body="Call them", account_id=account.id))
        note_id = note.id
    with workspace.sessions() as s, s.begin():
        notes.delete_note(s, note_id=note_id)
    with workspace.sessions() as s, s.begin():
        accounts.update_account(s, account_id=account.id, data=AccountUpdate(industry="Beer"))
        s.rollback()  # the request failed after the save
    with workspace.sessions() as s:
        log = _log(s)
    assert [(e.action, e.entity) for e in log] == [
        ("create", "accounts"),
        ("create", "notes"),
        ("delete", "notes"),
    ]


def test_the_log_reads_newest_first_in_pages_and_by_record(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        ids = [accounts.create_account(s, data=AccountCreate(name=f"A{i}")).id for i in range(5)]
    with workspace.sessions() as s:
        first = svc.entries(s, limit=2)
        assert [e.entity_id for e in first.entries] == ids[::-1][:2]
        assert first.next_before is not None
        rest = svc.entries(s, before=first.next_before, limit=10)
        assert [e.entity_id for e in rest.entries] == ids[::-1][2:]
        assert rest.next_before is None
        one = svc.entries(s, entity="accounts", entity_id=ids[2])
        assert [e.entity_id for e in one.entries] == [ids[2]]
        with pytest.raises(InvalidValueError, match="choose one of"):
            svc.entries(s, entity="passwords")
        with pytest.raises(InvalidValueError, match="needs its kind"):
            svc.entries(s, entity_id=ids[0])


def test_the_records_people_edit_are_the_audited_ones() -> None:
    tables = audited_tables()
    assert {"accounts", "contacts", "deals", "notes", "committee_members"} <= set(tables)
    assert "audit_log" not in tables
    assert "stage_changes" not in tables


def test_the_cli_lists_the_log_as_json_and_in_words(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    made = runner.invoke(app, ["--db", db, "profile", "set", "regions served", "Suomi; Ísland"])
    assert made.exit_code == 0, made.output
    out = runner.invoke(app, ["--db", db, "audit", "--entity", "seller_profile", "--json"])
    assert out.exit_code == 0, out.output
    page = json.loads(out.stdout)
    assert [e["action"] for e in page["entries"]] == ["create"]
    assert page["entries"][0]["actor"] == "local user"
    words = runner.invoke(app, ["--db", db, "audit"])
    assert "seller_profile" in words.stdout
    bad = runner.invoke(app, ["--db", db, "audit", "--entity", "nope"])
    assert bad.exit_code == 1  # an invalid value, like any other
    assert "choose one of" in bad.output


def test_a_picture_is_logged_by_its_size_not_its_bytes(workspace: Workspace) -> None:
    with workspace.sessions() as s, s.begin():
        profile = PersonaProfile(key="h-ada", origin="hand_made", name="Ada")
        s.add(profile)
        s.flush()
        profile.picture = b"\x89PNG" + b"\0" * 996
    with workspace.sessions() as s:
        change = next(e for e in _log(s) if e.field == "picture")
    assert change.after == "(1,000 bytes)"
