"""Importing files into a workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buyermap.db.models import Account, AccountContact, Contact, Deal, ImportRun, StageChange
from buyermap.domain.enums import EntityKind
from buyermap.errors import InputFileError, InvalidValueError
from buyermap.io.exporters import export_file
from buyermap.io.importer import ImportOptions, import_file
from buyermap.services.workspace import Workspace

ACCOUNTS = (
    "Record ID;Company name;Company Domain Name;Number of Employees;Annual Revenue;Segment\n"
    '11;Acme;https://www.Acme.com/about;"1,200";$5,000;enterprise\n'
    "12;Beta;beta.io;many;10;smb\n"
    "13;Gamma;gamma.io;5;€1.234,50;\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(session: Session, model: type[object]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_writes_nothing_when_a_row_is_invalid(session: Session, tmp_path: Path) -> None:
    report = import_file(
        session, entity=EntityKind.ACCOUNTS, path=write(tmp_path, "a.csv", ACCOUNTS)
    )
    assert not report.ok
    assert (report.rows_read, report.imported, report.rejected) == (3, 0, 1)
    assert count(session, Account) == 0
    assert report.errors[0].row == 2
    assert report.errors[0].column == "Number of Employees"
    assert "'many'" in report.errors[0].reason


def test_it_imports_valid_rows_and_quarantines_the_rest(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", ACCOUNTS)
    report = import_file(
        session, entity=EntityKind.ACCOUNTS, path=path, options=ImportOptions(partial=True)
    )
    assert (report.imported, report.rejected, report.preset) == (2, 1, "hubspot")
    acme = session.scalars(select(Account).where(Account.domain == "acme.com")).one()
    assert (acme.employees, acme.annual_revenue, acme.extra) == (
        1200,
        5000.0,
        {"Segment": "enterprise"},
    )
    assert report.unmapped_columns == ["Segment"]
    quarantine = (tmp_path / "a.quarantine.csv").read_text(encoding="utf-8")
    assert "Beta" in quarantine
    assert "_reason" in quarantine
    assert "many" in quarantine
    assert count(session, ImportRun) == 1


def test_reimporting_the_same_file_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", ACCOUNTS)
    import_file(session, entity=EntityKind.ACCOUNTS, path=path, options=ImportOptions(partial=True))
    again = import_file(
        session, entity=EntityKind.ACCOUNTS, path=path, options=ImportOptions(partial=True)
    )
    assert (again.imported, again.updated, again.skipped, again.rejected) == (0, 0, 2, 1)


def test_the_last_duplicate_in_a_file_wins(session: Session, tmp_path: Path) -> None:
    text = "Email,First Name\na@x.com,Ann\nA@X.com,Anna\n"
    report = import_file(session, entity=EntityKind.CONTACTS, path=write(tmp_path, "c.csv", text))
    assert (report.imported, report.skipped) == (1, 1)
    assert report.skipped_reasons == {"superseded": 1}
    assert session.scalars(select(Contact.first_name)).one() == "Anna"


def test_it_updates_or_skips_existing_records(session: Session, tmp_path: Path) -> None:
    import_file(
        session,
        entity=EntityKind.CONTACTS,
        path=write(tmp_path, "c.csv", "Email,Job Title\na@x.com,CTO\n"),
    )
    path = write(tmp_path, "c2.csv", "Email,Job Title\na@x.com,CEO\n")
    skip = import_file(
        session, entity=EntityKind.CONTACTS, path=path, options=ImportOptions(on_duplicate="skip")
    )
    assert (skip.updated, skip.skipped) == (0, 1)
    upd = import_file(session, entity=EntityKind.CONTACTS, path=path)
    assert upd.updated == 1
    assert session.scalars(select(Contact.job_title)).one() == "CEO"


def test_an_import_that_changes_a_record_counts_one_version_and_one_that_does_not_none(
    session: Session, tmp_path: Path
) -> None:
    first = write(tmp_path, "c.csv", "Email,Job Title\nzofia.wojcik@x.pl,Dyrektor\n")
    import_file(session, entity=EntityKind.CONTACTS, path=first)
    assert session.scalars(select(Contact.version)).one() == 1
    import_file(session, entity=EntityKind.CONTACTS, path=first)  # unchanged
    assert session.scalars(select(Contact.version)).one() == 1
    changed = write(tmp_path, "c2.csv", "Email,Job Title\nzofia.wojcik@x.pl,Prezes Zarządu\n")
    import_file(session, entity=EntityKind.CONTACTS, path=changed)
    session.expire_all()
    assert session.execute(select(Contact.job_title, Contact.version)).one() == (
        "Prezes Zarządu",
        2,
    )


def test_contacts_are_linked_to_their_company(session: Session, tmp_path: Path) -> None:
    text = (
        "Email,Company Name,Company Domain Name,Seniority\n"
        "a@x.com,Acme,acme.com,VP\n"
        "b@x.com,Acme,acme.com,c-level\n"
    )
    report = import_file(session, entity=EntityKind.CONTACTS, path=write(tmp_path, "c.csv", text))
    assert report.imported == 2
    assert count(session, Account) == 1
    assert count(session, AccountContact) == 2
    stmt = select(Contact.seniority).order_by(Contact.seniority)
    assert session.scalars(stmt).all() == ["c_level", "vp"]


def test_it_rejects_unknown_stage_naming_the_valid_ones(session: Session, tmp_path: Path) -> None:
    text = "Deal Name,Deal Stage,Amount\nBig,Closed Won,1000\nOdd,Nope,5\n"
    report = import_file(session, entity=EntityKind.DEALS, path=write(tmp_path, "d.csv", text))
    assert report.rejected == 1
    assert "valid stages: Lead" in report.errors[0].reason


def test_stage_history_derives_the_deal_state(session: Session, tmp_path: Path) -> None:
    deals = "Record ID,Deal Name,Deal Stage,Create Date\nd1,Big,Lead,2024-01-02\n"
    import_file(session, entity=EntityKind.DEALS, path=write(tmp_path, "d.csv", deals))
    history = (
        "deal,stage,changed_at\n"
        "d1,Lead,2024-01-02\n"
        "d1,Proposal,01/10/2024\n"
        "d1,closed won,2024-02-01T09:00:00Z\n"
    )
    path = write(tmp_path, "h.csv", history)
    report = import_file(session, entity=EntityKind.STAGE_HISTORY, path=path)
    assert (report.imported, report.skipped) == (2, 1)
    deal = session.scalars(select(Deal)).one()
    session.refresh(deal)
    assert deal.status == "won"
    assert deal.closed_at is not None
    assert deal.closed_at.hour == 9
    assert count(session, StageChange) == 3
    again = import_file(session, entity=EntityKind.STAGE_HISTORY, path=path)
    assert (again.imported, again.updated) == (0, 0)


def test_it_reads_windows_1250_and_semicolons(session: Session, tmp_path: Path) -> None:
    text = "Název;Company name;Company Domain Name\nx;Žluťoučký kůň s.r.o.;kun.cz\n"
    path = write(tmp_path, "a.csv", text, encoding="cp1250")
    report = import_file(session, entity=EntityKind.ACCOUNTS, path=path)
    assert report.imported == 1
    assert session.scalars(select(Account.name)).one() == "Žluťoučký kůň s.r.o."


def test_it_refuses_unknown_file_types(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="unknown file type"):
        import_file(session, entity=EntityKind.ACCOUNTS, path=write(tmp_path, "a.pdf", "x"))


def test_it_names_the_missing_required_field(session: Session, tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="required field 'name'"):
        import_file(session, entity=EntityKind.ACCOUNTS, path=write(tmp_path, "a.csv", "foo\n1\n"))


def test_a_failure_while_writing_leaves_the_workspace_unchanged(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buyermap.io import records

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed")

    path = write(tmp_path, "c.csv", "Email,Company Name\na@x.com,Acme\nb@x.com,Beta\n")
    monkeypatch.setattr(records, "_write_links", boom)
    with pytest.raises(RuntimeError), workspace.sessions() as s, s.begin():
        import_file(s, entity=EntityKind.CONTACTS, path=path)
    with workspace.sessions() as s:
        assert count(s, Contact) == 0
        assert count(s, ImportRun) == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_back_into_a_fresh_workspace(
    workspace: Workspace, tmp_path: Path, suffix: str, sqlite_url: str
) -> None:
    from buyermap.services.workspace import open_workspace
    from buyermap.settings import Settings

    files = {
        EntityKind.ACCOUNTS: ACCOUNTS.replace("many", "7"),
        EntityKind.CONTACTS: (
            "Email,First Name,Company Name,Company Domain Name,Notes\n"
            "a@x.com,Ann,Acme,acme.com,likes golf\n"
        ),
        EntityKind.DEALS: (
            "Deal Name,Deal Stage,Amount,Associated Company,Create Date,Deal owner\n"
            "Big,Proposal,1000,Acme,2024-01-02,ann@s.com\n"
        ),
        EntityKind.STAGE_HISTORY: "deal,stage,changed_at\n1,Closed Lost,2024-03-01\n",
    }
    with workspace.sessions() as s, s.begin():
        for kind, text in files.items():
            assert import_file(s, entity=kind, path=write(tmp_path, f"{kind.value}.csv", text)).ok
    fresh = open_workspace(Settings(database_url=sqlite_url.replace("workspace.db", "fresh.db")))
    dumps = []
    for ws in (workspace, fresh):
        if ws is fresh:
            with workspace.sessions() as s, fresh.sessions() as t, t.begin():
                for kind in files:
                    out = tmp_path / f"export-{kind.value}{suffix}"
                    export_file(s, entity=kind, path=out)
                    assert import_file(t, entity=kind, path=out).ok
        with ws.sessions() as s:
            dumps.append(
                (
                    [
                        (a.name, a.domain, a.employees, a.annual_revenue, a.extra)
                        for a in s.scalars(select(Account).order_by(Account.id))
                    ],
                    [
                        (c.email, c.first_name, c.extra)
                        for c in s.scalars(select(Contact).order_by(Contact.id))
                    ],
                    [
                        (d.name, d.amount, d.status, d.opened_at, d.closed_at)
                        for d in s.scalars(select(Deal).order_by(Deal.id))
                    ],
                    count(s, StageChange),
                    count(s, AccountContact),
                )
            )
    fresh.engine.dispose()
    assert dumps[0] == dumps[1]
