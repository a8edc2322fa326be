"""init, status, and the list/show commands of accounts, contacts and deals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from buyermap.schemas.entities import AccountCreate, ContactCreate, DealCreate, StageChangeCreate
from buyermap.services import accounts, contacts, deals
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings
from tests.cli.conftest import Invoke, json_out


def _fill(db_path: Path) -> dict[str, int]:
    ws = open_workspace(Settings(database_url=str(db_path)))
    with ws.sessions() as s, s.begin():
        acc = accounts.create_account(
            s, data=AccountCreate(name="Acme", domain="acme.com", industry="software")
        ).id
        person = contacts.create_contact(
            s, data=ContactCreate(first_name="Ada", last_name="King", account_id=acc)
        ).id
        deal = deals.create_deal(
            s,
            data=DealCreate(
                name="Acme renewal", account_id=acc, amount=5000, opened_at=datetime(2025, 3, 1)
            ),
        ).id
        deals.move_deal(
            s,
            data=StageChangeCreate(
                deal_id=deal, to_stage="Proposal", changed_at=datetime(2025, 3, 11)
            ),
        )
    ws.engine.dispose()
    return {"account": acc, "contact": person, "deal": deal}


def test_init_creates_a_workspace_with_the_default_pipeline(bm: Invoke, db_path: Path) -> None:
    result = bm("init")
    assert result.exit_code == 0, result.output
    assert db_path.exists()
    status = json_out(bm("status", "--json"))
    assert status["pipelines"] == 1
    assert status["accounts"] == 0


def test_status_json_has_the_counts(bm: Invoke, db_path: Path) -> None:
    _fill(db_path)
    status = json_out(bm("status", "--json"))
    assert {k: status[k] for k in ("accounts", "contacts", "deals", "stage_changes", "notes")} == {
        "accounts": 1,
        "contacts": 1,
        "deals": 1,
        "stage_changes": 2,
        "notes": 0,
    }


def test_accounts_list_json_pages_and_searches(bm: Invoke, db_path: Path) -> None:
    _fill(db_path)
    page = json_out(bm("accounts", "list", "--q", "acme", "--json"))
    assert page["total"] == 1
    assert page["items"][0]["domain"] == "acme.com"
    assert json_out(bm("accounts", "list", "--q", "zzz", "--json"))["total"] == 0


def test_accounts_show_lists_people_and_deals(bm: Invoke, db_path: Path) -> None:
    ids = _fill(db_path)
    shown = json_out(bm("accounts", "show", str(ids["account"]), "--json"))
    assert [c["name"] for c in shown["contacts"]] == ["Ada King"]
    assert [d["stage_name"] for d in shown["deals"]] == ["Proposal"]


def test_deals_show_has_the_stage_timeline(bm: Invoke, db_path: Path) -> None:
    ids = _fill(db_path)
    shown = json_out(bm("deals", "show", str(ids["deal"]), "--json"))
    assert next((t["stage"], t["days"]) for t in shown["timeline"]) == ("Lead", 10.0)
    assert shown["timeline"][-1]["stage"] == "Proposal"
    assert shown["timeline"][-1]["left_at"] is None


def test_contacts_list_and_show(bm: Invoke, db_path: Path) -> None:
    ids = _fill(db_path)
    listed = json_out(bm("contacts", "list", "--json"))
    assert listed["items"][0]["full_name"] == "Ada King"
    shown = json_out(bm("contacts", "show", str(ids["contact"]), "--json"))
    assert shown["positions"][0]["account"] == "Acme"


def test_a_missing_record_is_one_line_on_stderr_and_exit_1(bm: Invoke, db_path: Path) -> None:
    _fill(db_path)
    result = bm("deals", "show", "999")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no deal with id 999"
    assert result.stdout == ""


def test_an_unknown_sort_names_the_valid_fields(bm: Invoke) -> None:
    result = bm("accounts", "list", "--sort", "colour")
    assert result.exit_code == 1
    assert "cannot sort by 'colour'" in result.stderr


def test_a_database_in_a_missing_folder_is_refused(bm: Invoke, tmp_path: Path) -> None:
    result = bm("status", db=str(tmp_path / "nope" / "w.db"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_unknown_database_scheme_is_refused(bm: Invoke) -> None:
    result = bm("status", db="mysql://localhost/x")
    assert result.exit_code == 2
    assert "unknown database scheme 'mysql'" in result.stderr


def test_custom_fields_are_declared_and_listed(bm: Invoke) -> None:
    added = bm("fields", "add", "account", "tier", "choice", "--choices", "A, B")
    assert added.exit_code == 0, added.output
    listed = json_out(bm("fields", "list", "--json"))
    assert listed["fields"] == [
        {
            "entity": "account",
            "key": "tier",
            "label": "Tier",
            "type": "choice",
            "choices": ["A", "B"],
            "data_class": "none",
            "required": False,
        }
    ]
    again = bm("fields", "add", "account", "tier", "text")
    assert again.exit_code == 1
    assert "defined already" in again.stderr


def test_deals_show_names_the_lost_reason_of_a_lost_deal(bm: Invoke, db_path: Path) -> None:
    ids = _fill(db_path)
    ws = open_workspace(Settings(database_url=str(db_path)))
    with ws.sessions() as s, s.begin():
        deals.move_deal(
            s,
            data=StageChangeCreate(
                deal_id=ids["deal"],
                to_stage="Closed Lost",
                changed_at=datetime(2025, 4, 1),
                lost_reason="Price",
            ),
        )
    ws.engine.dispose()
    shown = json_out(bm("deals", "show", str(ids["deal"]), "--json"))
    assert (shown["status"], shown["stage_name"], shown["lost_reason"]) == (
        "lost",
        "Closed Lost",
        "Price",
    )
    listed = json_out(bm("deals", "list", "--json"))
    assert listed["items"][0]["lost_reason"] == "Price"
