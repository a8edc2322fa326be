"""Files as users have them: XLSX with typed cells, custom fields, extras, duplicates,
missing columns, empty and binary files."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.db.models import Account, Contact, Deal
from buyermap.domain.enums import CustomFieldType, EntityKind
from buyermap.errors import InputFileError, InvalidValueError
from buyermap.io.importer import ImportOptions, import_file
from buyermap.io.readers import EMPTY_NOTE, HEADER_ONLY_NOTE
from buyermap.services.custom_fields import define_field

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(db: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["--db", str(db), *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def test_xlsx_typed_cells_become_typed_values(session: Session, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Deal Name", "Amount", "Create Date", "Close Date", "Deal Stage", "Note"])
    sheet.append(["Big", 12000.5, datetime(2024, 1, 15, 10, 30), date(2024, 3, 31), None, 7])
    sheet.append(["Small", 300, datetime(2024, 2, 1), None, "Proposal", None])
    sheet.append([None, None, None, None, None, None])  # a blank row is not data
    sheet.append(["Round", 1e3, None, date(2024, 5, 1), "", "x"])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    report = import_file(session, entity=EntityKind.DEALS, path=path)
    assert report.format == "xlsx"
    assert (report.rows_read, report.imported, report.rejected) == (3, 3, 0)
    deals = {d.name: d for d in session.scalars(select(Deal))}
    assert deals["Big"].amount == 12000.5
    assert deals["Big"].opened_at == datetime(2024, 1, 15, 10, 30)
    assert deals["Big"].expected_close == date(2024, 3, 31)
    assert deals["Big"].extra == {"Note": "7"}
    assert deals["Small"].expected_close is None
    assert deals["Small"].opened_at == datetime(2024, 2, 1)
    assert deals["Round"].amount == 1000
    assert deals["Round"].extra == {"Note": "x"}


def test_xlsx_rejections_name_the_sheet_row(session: Session, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Company name", "Number of Employees"])
    sheet.append(["Acme", 5])
    sheet.append([None, None])
    sheet.append(["Beta", "lots"])
    path = tmp_path / "a.xlsx"
    book.save(path)
    report = import_file(session, entity=EntityKind.ACCOUNTS, path=path)
    assert report.rejected == 1
    error = report.errors[0]
    assert (error.row, error.line, error.column) == (2, 4, "Number of Employees")
    assert "'lots' is not a whole number" in error.reason


def test_custom_fields_are_typed_and_bad_values_rejected_with_the_reason(
    session: Session, tmp_path: Path
) -> None:
    define_field(session, entity="contact", key="budget", type=CustomFieldType.NUMBER)
    define_field(
        session,
        entity="contact",
        key="tier",
        type=CustomFieldType.CHOICE,
        choices=["Gold", "Silver"],
    )
    text = (
        'Email,custom.budget,Tier\na@x.com,"1,500",gold\nb@x.com,cheap,Silver\nc@x.com,10,Bronze\n'
    )
    path = write(tmp_path, "c.csv", text)
    report = import_file(
        session, entity=EntityKind.CONTACTS, path=path, options=ImportOptions(partial=True)
    )
    assert report.mapping == {
        "Email": "email",
        "custom.budget": "custom.budget",
        "Tier": "custom.tier",
    }
    assert (report.imported, report.rejected) == (1, 2)
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "'cheap' is not a number (custom field 'budget')" in reasons[(2, "custom.budget")]
    assert "valid: Gold, Silver" in reasons[(3, "Tier")]
    stored = session.scalars(select(Contact)).one()
    assert stored.custom == {"budget": 1500.0, "tier": "Gold"}
    quarantine = (tmp_path / "c.quarantine.csv").read_text(encoding="utf-8")
    assert "cheap" in quarantine
    assert "Bronze" in quarantine


def test_unmapped_columns_are_kept_in_extra(session: Session, tmp_path: Path) -> None:
    text = "Email,Favourite Colour,Notes\na@x.com,green,\nb@x.com,,likes golf\n"
    report = import_file(session, entity=EntityKind.CONTACTS, path=write(tmp_path, "c.csv", text))
    assert report.unmapped_columns == ["Favourite Colour", "Notes"]
    extras: dict[str | None, dict[str, str]] = dict(
        session.execute(select(Contact.email, Contact.extra)).all()
    )
    assert extras == {"a@x.com": {"Favourite Colour": "green"}, "b@x.com": {"Notes": "likes golf"}}


def test_on_duplicate_skip_leaves_existing_records(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    first = write(
        tmp_path, "a.csv", "Company name,Company Domain Name,Industry\nAcme,acme.com,IT\n"
    )
    assert cli(db, "import", "accounts", str(first))[0] == 0
    second = write(
        tmp_path,
        "b.csv",
        "Company name,Company Domain Name,Industry\nAcme,acme.com,Retail\nBeta,beta.io,Retail\n",
    )
    code, report = cli(db, "import", "accounts", str(second), "--on-duplicate", "skip")
    assert code == 0
    assert (report["imported"], report["updated"], report["skipped"]) == (1, 0, 1)
    assert report["skipped_reasons"] == {"exists already (--on-duplicate skip)": 1}
    code, report = cli(db, "import", "accounts", str(second))
    assert (report["imported"], report["updated"], report["skipped"]) == (0, 1, 1)


def test_a_header_without_a_required_column_names_it_and_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "Amount,Stage\n10,Lead\n")
    result = runner.invoke(app, ["--db", str(tmp_path / "w.db"), "import", "deals", str(path)])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "'d.csv': no column maps to the required field 'name' of deals" in message
    assert "'Amount', 'Stage'" in message
    assert "--mapping" in message


@pytest.mark.parametrize(
    ("text", "note"),
    [("", EMPTY_NOTE), ("\n\n", EMPTY_NOTE), ("Email,First Name\n", HEADER_ONLY_NOTE)],
    ids=["zero-bytes", "blank-lines", "header-only"],
)
def test_an_empty_or_header_only_file_imports_nothing_and_says_so(
    tmp_path: Path, text: str, note: str
) -> None:
    path = write(tmp_path, "c.csv", text)
    code, report = cli(tmp_path / "w.db", "import", "contacts", str(path))
    assert code == 0
    assert report["rows_read"] == 0
    assert report["imported"] == report["rejected"] == 0
    assert report["quarantine_path"] is None
    assert report["notes"] == [note]


def test_a_header_only_file_still_needs_its_required_columns(
    session: Session, tmp_path: Path
) -> None:
    with pytest.raises(InvalidValueError, match="required field 'name'"):
        import_file(session, entity=EntityKind.ACCOUNTS, path=write(tmp_path, "a.csv", "x,y\n"))


def test_a_file_with_a_nul_byte_is_refused_clearly(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"Email,First Name\na@x.com,A\x00nn\n")
    with pytest.raises(InputFileError, match=r"'c.csv' holds a NUL byte \(line 2"):
        import_file(session, entity=EntityKind.CONTACTS, path=path)


def test_binary_garbage_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(bytes(range(1, 256)) * 40)
    result = runner.invoke(app, ["--db", str(tmp_path / "w.db"), "import", "contacts", str(path)])
    assert result.exit_code == 2
    assert "is not a text (CSV) file" in " ".join(result.stderr.split())


def test_a_windows_1252_file_is_detected(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    text = "Company name;Industry\nSeñor Niño Æbleskiver;Øresund Café\nÅland Fiskeri;Smörgås\n"
    path.write_bytes(text.encode("cp1252"))
    report = import_file(session, entity=EntityKind.ACCOUNTS, path=path)
    assert report.encoding == "cp1252"
    names = session.scalars(select(Account.name)).all()
    assert set(names) == {"Señor Niño Æbleskiver", "Åland Fiskeri"}


def test_quoted_newlines_stay_in_one_row(session: Session, tmp_path: Path) -> None:
    text = 'Company name,Notes\r\n"Acme","line one\r\nline two"\r\nBeta,\r\n'
    report = import_file(session, entity=EntityKind.ACCOUNTS, path=write(tmp_path, "a.csv", text))
    assert report.rows_read == 2
    assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_a_short_rejected_row_is_padded_to_the_header_in_quarantine(
    session: Session, tmp_path: Path
) -> None:
    text = "Company name,Number of Employees,Industry,Country,Region\nAcme,lots\n"
    path = write(tmp_path, "a.csv", text)
    report = import_file(session, entity=EntityKind.ACCOUNTS, path=path)
    assert report.rejected == 1
    with (tmp_path / "a.quarantine.csv").open(encoding="utf-8", newline="") as fh:
        header, row = list(csv.reader(fh))
    assert len(row) == len(header)
    assert dict(zip(header, row, strict=True))["_column"] == "Number of Employees"
