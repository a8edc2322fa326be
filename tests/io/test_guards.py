"""Data-quality guards and identity rules of imports, on files in the layouts CRMs and Excel
really write (see ../shared/crm-formats.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import (
    Account,
    AccountContact,
    Contact,
    Deal,
    ExternalRef,
    Pipeline,
    Stage,
    StageChange,
)
from buyermap.domain.enums import EntityKind
from buyermap.errors import InvalidValueError
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.presets import detect_preset
from buyermap.services.accounts import delete_account


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(session: Session, entity: EntityKind, path: Path, **options: object):  # type: ignore[no-untyped-def]
    return import_file(session, entity=entity, path=path, options=ImportOptions(**options))  # type: ignore[arg-type]


# HubSpot contacts as Excel saves them: record ids in scientific notation.
EXCEL_HUBSPOT = (
    "Record ID,First Name,Last Name,Email\n"
    "1.11015E+11,Łukasz,Żółkiewski,lukasz@example.pl\n"
    "1.11015E+11,Päivi,Häkkinen,paivi@example.fi\n"
    "111015000123,Hélène,Dubois,helene@example.fr\n"
)


def test_it_refuses_ids_in_scientific_notation_naming_excel(
    session: Session, tmp_path: Path
) -> None:
    report = run(
        session, EntityKind.CONTACTS, write(tmp_path, "c.csv", EXCEL_HUBSPOT), partial=True
    )
    assert (report.imported, report.rejected) == (1, 2)
    assert all("Excel" in e.reason and e.column == "Record ID" for e in report.errors)
    quarantine = (tmp_path / "c.quarantine.csv").read_text("utf-8")
    quarantined = list(csv.DictReader(quarantine.splitlines()))
    assert [r["First Name"] for r in quarantined] == ["Łukasz", "Päivi"]


def test_placeholders_are_blanks_and_never_stored(session: Session, tmp_path: Path) -> None:
    text = (
        "First Name,Last Name,Email,Job Title,Phone\n"
        "Ana,Popescu,[not provided],null,N/A\n"
        "Jan,Novák,NULL,None,-\n"
    )
    report = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", text))
    assert report.imported == 2
    rows = session.execute(select(Contact.email, Contact.job_title, Contact.phone)).all()
    assert rows == [(None, None, None), (None, None, None)]


def test_a_contact_needs_a_name_or_an_email(session: Session, tmp_path: Path) -> None:
    text = "First Name,Last Name,Email,Phone\n,,,+48 601 234 567\nIda,Jónsdóttir,,\n"
    report = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", text), partial=True)
    assert (report.imported, report.rejected) == (1, 1)
    assert "name or an email" in report.errors[0].reason
    # Re-importing the file changes nothing: no keyless row slips in again.
    again = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", text), partial=True)
    assert (again.imported, again.updated, again.rejected) == (0, 0, 1)
    assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_shifted_rows_are_rejected(session: Session, tmp_path: Path) -> None:
    text = (
        "First Name,Last Name,Email,Job Title\n"
        "dora@example.hu,Dóra,Kovács,CFO\n"  # a cell missing at the start: shifted left
        "Zsófia,Szabó,Head of Sales,zsofia@example.hu\n"  # title and email swapped
        "Mária,Tóth,maria@example.hu,CEO\n"
    )
    report = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", text), partial=True)
    assert (report.imported, report.rejected) == (1, 2)
    reasons = " | ".join(e.reason for e in report.errors)
    assert "shifted" in reasons
    assert "not an email address" in reasons


def test_a_superseded_row_that_differs_is_reported_and_quarantined(
    session: Session, tmp_path: Path
) -> None:
    text = (
        "Contact ID,First Name,Last Name,Email,Lifecycle Stage\n"
        "501,Björk,Guðmundsdóttir,bjork@example.is,lead\n"
        "502,Jón,Jónsson,jon@example.is,lead\n"
        "501,Björk,Guðmundsdóttir,bjork@example.is,customer\n"
        "502,Jón,Jónsson,jon@example.is,lead\n"
    )
    report = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", text))
    assert (report.imported, report.skipped, report.rejected) == (2, 2, 0)
    assert report.skipped_reasons == {"superseded": 1, "duplicate": 1}
    assert report.superseded == [
        {"row": 1, "line": 2, "by_row": 3, "by_line": 4, "differs": ["Lifecycle Stage"]}
    ]
    assert report.quarantine_path is not None
    kept = list(csv.DictReader(Path(report.quarantine_path).read_text("utf-8").splitlines()))
    assert [(r["_row"], r["Lifecycle Stage"]) for r in kept] == [("1", "lead")]
    assert "row 3" in kept[0]["_reason"]


SF_ACCOUNTS = (
    '"Id","Name","Industry","NumberOfEmployees","BillingCountry","OwnerId","CreatedDate"\n'
    '"001bm00001ZL8U9AAL","Edge Communications","Electronics","1000","US",'
    '"005bm00000NCJmQAAX","2024-07-01T00:00:00.000Z"\n'
    '"001bm00001ZL8UAAA1","Burlington Textiles","Apparel","9000","US",'
    '"005bm00000NCJmQAAX","2024-07-01T00:00:00.000Z"\n'
)


def test_one_more_ordinary_column_does_not_switch_the_id_system(
    session: Session, tmp_path: Path
) -> None:
    run(session, EntityKind.ACCOUNTS, write(tmp_path, "a.csv", SF_ACCOUNTS))
    lines = SF_ACCOUNTS.splitlines()
    wider = "\n".join(
        [lines[0] + ',"Create Date"', *(line + ',"2024-07-01"' for line in lines[1:])]
    )
    report = run(session, EntityKind.ACCOUNTS, write(tmp_path, "b.csv", wider + "\n"))
    assert report.preset == "salesforce"
    assert (report.imported, report.rejected) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_presets_are_detected_only_on_headers_one_crm_writes() -> None:
    assert detect_preset(["Id", "Name", "StageName", "IsWon", "CloseDate"]) == "salesforce"
    assert detect_preset(["Record ID", "Deal Name", "Deal Stage", "Create Date"]) == "hubspot"
    assert detect_preset(["Deal - Title", "Deal - Status", "Deal - Value"]) == "pipedrive"
    assert detect_preset(["id", "name", "email", "amount", "Contact ID"]) is None


def test_a_file_of_another_crm_asks_for_preset(session: Session, tmp_path: Path) -> None:
    run(session, EntityKind.ACCOUNTS, write(tmp_path, "a.csv", SF_ACCOUNTS))
    hubspot = "Record ID,Company name,Company Domain Name\n11,Edge,edge.com\n"
    with pytest.raises(InvalidValueError, match="--preset hubspot"):
        run(session, EntityKind.ACCOUNTS, write(tmp_path, "h.csv", hubspot))
    plain = "id,name\n001bm00001ZL8U9AAL,Edge Communications\n"
    report = run(session, EntityKind.ACCOUNTS, write(tmp_path, "p.csv", plain))
    assert report.preset == "salesforce"
    assert report.skipped == 1
    assert any("kept to salesforce" in n for n in report.notes)


HUBSPOT_MULTI = (
    "Record ID - Contact,First Name,Last Name,Email,Create Date,Record ID - Company,"
    "Company name,Create Date,Phone Number,Phone Number\n"
    "9001,Andrei,Ionescu,andrei@example.ro,2024-05-07,7001,Ştefan Industries,2023-01-02,,\n"
    "9002,Ioana,Marinescu,ioana@example.ro,2024-05-08,7001,Ştefan Industries,2023-01-02,,\n"
)


def test_contacts_create_their_companies_with_the_company_ids(
    session: Session, tmp_path: Path
) -> None:
    report = run(session, EntityKind.CONTACTS, write(tmp_path, "c.csv", HUBSPOT_MULTI))
    assert (report.imported, report.preset) == (2, "hubspot")
    assert session.scalar(select(func.count()).select_from(AccountContact)) == 2
    companies = "Record ID,Company name,Company Domain Name\n7001,Ştefan Industries,stefan.ro\n"
    report = run(session, EntityKind.ACCOUNTS, write(tmp_path, "a.csv", companies))
    assert (report.imported, report.updated) == (0, 1)
    assert session.scalar(select(func.count()).select_from(Account)) == 1


def test_a_person_at_a_new_company_ends_the_old_position(session: Session, tmp_path: Path) -> None:
    first = "Email,First Name,Company\nanna@example.cz,Anna,Alfa s.r.o.\n"
    run(session, EntityKind.CONTACTS, write(tmp_path, "a.csv", first))
    moved = "Email,First Name,Company,Position start\nanna@example.cz,Anna,Beta a.s.,2025-03-01\n"
    run(session, EntityKind.CONTACTS, write(tmp_path, "b.csv", moved))
    positions = session.execute(
        select(Account.name, AccountContact.start_date, AccountContact.end_date)
        .join(Account, Account.id == AccountContact.account_id)
        .order_by(AccountContact.id)
    ).all()
    assert [(n, str(s), str(e)) for n, s, e in positions] == [
        ("Alfa s.r.o.", "None", "2025-03-01"),
        ("Beta a.s.", "2025-03-01", "None"),
    ]


SF_OPPORTUNITIES = (
    '"Id","AccountId","Name","StageName","Amount","CloseDate","CreatedDate","IsClosed","IsWon"\n'
    '"006A","","Open one","Needs Analysis","100","2026-07-01","2026-01-05T10:00:00.000Z",'
    '"false","false"\n'
    '"006B","","Signed","Closed - Signed","200","2026-02-01","2026-01-02T10:00:00.000Z",'
    '"true","true"\n'
    '"006C","","Gone","Qualification","50","2026-03-01","2026-01-03T10:00:00.000Z",'
    '"true","false"\n'
)


def test_open_salesforce_stages_are_created_and_iswon_decides_the_outcome(
    session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "o.csv", SF_OPPORTUNITIES)
    with session.begin_nested() as attempt:  # as the CLI does: a refused file writes nothing
        refused = run(session, EntityKind.DEALS, path)
        attempt.rollback()
    assert refused.rejected == 3
    assert "--create-stages" in refused.errors[0].reason
    report = run(session, EntityKind.DEALS, path, create_stages=True)
    assert report.imported == 3
    deals = {d.name: d for d in session.scalars(select(Deal))}
    assert deals["Open one"].status == "open"
    assert deals["Signed"].status == "won"
    assert deals["Gone"].status == "lost"
    assert str(deals["Signed"].closed_at) == "2026-02-01 00:00:00"
    assert str(deals["Open one"].opened_at) == "2026-01-05 10:00:00"
    pipeline = session.scalars(select(Pipeline)).one()
    assert [s.name for s in pipeline.stages][:3] == [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
    ]
    again = run(session, EntityKind.DEALS, path, create_stages=True)
    assert again.skipped_reasons == {"unchanged": 3}


PIPEDRIVE = (
    "Deal - ID,Deal - Title,Deal - Value,Deal - Stage,Deal - Status,Deal - Deal created,"
    "Deal - Won time,Deal - Lost time\n"
    "1,Kauppa Oy,1000,Proposal Made,won,2025-01-10 09:00:00,2025-02-01 12:00:00,\n"
    "2,Virta Ab,500,Contact Made,lost,2025-01-11 09:00:00,,2025-01-20 08:00:00\n"
    "3,Järvi Oy,700,Demo Scheduled,open,2025-01-12 09:00:00,,\n"
)


def test_pipedrive_status_closes_deals_and_keeps_the_stage_reached(
    session: Session, tmp_path: Path
) -> None:
    report = run(session, EntityKind.DEALS, write(tmp_path, "d.csv", PIPEDRIVE), create_stages=True)
    assert (report.imported, report.preset) == (3, "pipedrive")
    history = session.execute(
        select(Deal.name, Stage.name, StageChange.changed_at)
        .join(StageChange, StageChange.deal_id == Deal.id)
        .join(Stage, Stage.id == StageChange.to_stage_id)
        .order_by(Deal.id, StageChange.changed_at)
    ).all()
    assert [(d, s, str(t)) for d, s, t in history] == [
        ("Kauppa Oy", "Proposal Made", "2025-01-10 09:00:00"),
        ("Kauppa Oy", "Won", "2025-02-01 12:00:00"),
        ("Virta Ab", "Contact Made", "2025-01-11 09:00:00"),
        ("Virta Ab", "Lost", "2025-01-20 08:00:00"),
        ("Järvi Oy", "Demo Scheduled", "2025-01-12 09:00:00"),
    ]


def test_deleting_a_record_forgets_its_ids_and_ids_are_not_reused(
    session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.csv", SF_ACCOUNTS)
    run(session, EntityKind.ACCOUNTS, path)
    last = session.scalars(select(Account).order_by(Account.id.desc())).first()
    assert last is not None
    delete_account(session, account_id=last.id)
    assert (
        session.scalar(
            select(func.count()).where(
                ExternalRef.entity == "account", ExternalRef.entity_id == last.id
            )
        )
        == 0
    )
    session.add(Account(name="Unrelated Ltd", custom={}, extra={}))
    session.flush()
    newest = session.scalars(select(Account).order_by(Account.id.desc())).first()
    assert newest is not None
    assert newest.id != last.id
    report = run(session, EntityKind.ACCOUNTS, path)
    assert report.imported == 1
    assert session.scalars(select(Account.name).where(Account.id == newest.id)).one() == (
        "Unrelated Ltd"
    )


def test_dry_run_shows_the_mapping_with_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "deal_title,close_value,deal_stage,Engagement Date\nX,1,Won,\n")
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "w.db"), "import", "deals", str(path), "--dry-run", "--json"]
    )
    data = json.loads(result.stdout)
    assert data["mapping"] == {
        "deal_title": "name",
        "close_value": "amount",
        "deal_stage": "stage",
    }
    assert "opened_at" in data["suggestions"]["Engagement Date"]


def test_with_json_a_mapping_failure_is_one_json_error(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "something,else\n1,2\n")
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "w.db"), "import", "deals", str(path), "--json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"]["code"] == "validation_error"
    assert "required field 'name'" in data["error"]["message"]


def test_a_hand_kept_sheet_with_a_title_row_imports_under_its_real_header(
    session: Session, tmp_path: Path
) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Lista prospektów Q3 2024 (stan na 30.09)"])
    sheet.append([])
    sheet.append(["Imię", "Nazwisko", "E-mail", "Firma", "Stanowisko", "Data kontaktu"])
    sheet.append(["Łukasz", "Żółkiewski", "lukasz@example.pl", "Wróbel Sp. z o.o.", "CFO", None])
    sheet.append(["Małgorzata", "Świątek", "N/A", "Wróbel Sp. z o.o.", "-", datetime(2024, 9, 3)])
    sheet.append(["Ștefan", "Țurcanu", "stefan@example.ro", "n/a", "CEO", datetime(2024, 9, 4)])
    path = tmp_path / "prospekty.xlsx"
    book.save(path)
    report = run(session, EntityKind.CONTACTS, path)
    assert (report.rows_read, report.imported, report.rejected) == (3, 3, 0)
    assert any("title" in note and "Lista prospektów" in note for note in report.notes)
    people = session.execute(
        select(Contact.first_name, Contact.last_name, Contact.email, Contact.job_title).order_by(
            Contact.id
        )
    ).all()
    assert people == [
        ("Łukasz", "Żółkiewski", "lukasz@example.pl", "CFO"),
        ("Małgorzata", "Świątek", None, None),
        ("Ștefan", "Țurcanu", "stefan@example.ro", "CEO"),
    ]
    assert session.scalar(select(func.count()).select_from(AccountContact)) == 2
    assert report.mapping == {
        "Imię": "first_name",
        "Nazwisko": "last_name",
        "E-mail": "email",
        "Firma": "company_name",
        "Stanowisko": "job_title",
    }
    assert report.unmapped_columns == ["Data kontaktu"]


EXCEL_PL_DEALS = (
    "Eksport szans sprzedaży;;;;;;\r\n"
    "Nazwa szansy;Firma;Etap;Kwota;Data utworzenia;Data zamknięcia;Właściciel\r\n"
    "Wdrożenie CRM;Łódzkie Zakłady;Negocjacje;12 500,50;03.02.2024;31.12.2024;Paweł Wiśniewski\r\n"
    "Licencje 2025;Śląska Grupa;Wygrana;1.234,00;15.01.2024;28.02.2024;Paweł Wiśniewski\r\n"
    "Audyt;Żabka Polska;Przegrana;N/A;null;15.03.2024;[not provided]\r\n"
)


def test_a_polish_excel_csv_of_deals_imports_with_its_numbers_dates_and_outcomes(
    session: Session, tmp_path: Path
) -> None:
    companies = (
        "Firma;Kraj\r\nŁódzkie Zakłady;Polska\r\nŚląska Grupa;Polska\r\nŻabka Polska;Polska\r\n"
    )
    run(session, EntityKind.ACCOUNTS, write(tmp_path, "a.csv", companies, "cp1250"))
    path = write(tmp_path, "d.csv", EXCEL_PL_DEALS, "cp1250")
    report = run(session, EntityKind.DEALS, path, create_stages=True)
    assert (report.encoding, report.delimiter, report.imported) == ("cp1250", ";", 3)
    deals = session.execute(
        select(Deal.name, Deal.amount, Deal.status, Deal.opened_at, Account.name)
        .join(Account, Account.id == Deal.account_id)
        .order_by(Deal.id)
    ).all()
    assert [(n, a, s, str(o)[:10], c) for n, a, s, o, c in deals] == [
        ("Wdrożenie CRM", 12500.5, "open", "2024-02-03", "Łódzkie Zakłady"),
        ("Licencje 2025", 1234.0, "won", "2024-01-15", "Śląska Grupa"),
        ("Audyt", None, "lost", "None", "Żabka Polska"),
    ]
    again = run(session, EntityKind.DEALS, path, create_stages=True)
    assert again.skipped_reasons == {"unchanged": 3}
