"""The import/export commands, and property tests of the reader and importer."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.domain.enums import EntityKind
from buyermap.errors import InputFileError
from buyermap.io.importer import ImportOptions, import_file
from buyermap.services.workspace import open_workspace
from buyermap.settings import Settings

runner = CliRunner()


def test_import_json_reports_the_counts_and_exits_1_when_rejected(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    path = tmp_path / "c.csv"
    path.write_text("Email,First Name\na@x.com,Ann\nnot-an-email,Bob\n", encoding="utf-8")
    result = runner.invoke(app, ["--db", db, "import", "contacts", str(path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["imported"], report["rejected"]) == (2, 0, 1)
    assert report["quarantine_path"].endswith("c.quarantine.csv")
    partial = runner.invoke(
        app, ["--db", db, "import", "contacts", str(path), "--json", "--partial"]
    )
    assert partial.exit_code == 0
    assert json.loads(partial.stdout)["imported"] == 1


def test_import_help_has_an_example() -> None:
    result = runner.invoke(app, ["import", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_export_and_saved_mappings(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    path = tmp_path / "a.csv"
    path.write_text("Firma,Web\nAcme,acme.com\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"Firma": "name", "Web": "domain"}), encoding="utf-8")
    args = ["--db", db, "import", "accounts", str(path), "--mapping", str(mapping)]
    assert runner.invoke(app, [*args, "--save-mapping", "firmy"]).exit_code == 0
    shown = runner.invoke(app, ["--db", db, "mappings", "show", "firmy", "--json"])
    assert json.loads(shown.stdout)["columns"] == {"Firma": "name", "Web": "domain"}
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["--db", db, "export", "accounts", str(out)]).exit_code == 0
    assert "acme.com" in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["--db", db, "import", "accounts", str(tmp_path / "nope.csv")])
    assert bad.exit_code == 2


# Any text a CRM export may hold: no surrogates, no control characters other than TAB and
# LF (a file full of those is refused as binary, see test_inputs.py).
cells = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=12),
    st.sampled_from(
        ["a@x.com", "acme.com", "1,200", "2024-01-31", "VP", "", " ", '"', "\n", "\t", "a\nb"]
    ),
)
# Blank cells: empty or ASCII whitespace only (readers.BLANK); a row of blanks is no data row.
ASCII_BLANK = " \t\r\n\x0b\x0c"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated workspace that each example copies (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "w.db"
    open_workspace(Settings(database_url=f"sqlite:///{path}")).engine.dispose()
    return path


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "cp1250", "latin-1"]),
    quote_all=st.booleans(),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_rows_read_equals_the_data_rows_for_any_delimiter_and_encoding(
    tmp_path_factory: pytest.TempPathFactory,
    template_db: Path,
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    quote_all: bool,
    line_end: str,
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        lineterminator=line_end,
    )
    writer.writerow(["Email", "First Name", "Company Domain Name", "Seniority"])
    writer.writerows(rows)
    text = buffer.getvalue()
    used = encoding
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # characters the code page lacks: the file is UTF-8
        used, data = "utf-8", text.encode("utf-8")
    path = folder / "p.csv"
    path.write_bytes(data)
    expected = sum(1 for r in rows if any(c.strip(ASCII_BLANK) for c in r))
    db = folder / "w.db"
    shutil.copy(template_db, db)
    ws = open_workspace(Settings(database_url=f"sqlite:///{db}"))
    # Random letters in a code page may be no evidence of which one: the reader then asks
    # for --encoding rather than guess; given, the rows are all read.
    options = ImportOptions(partial=True)
    try:
        try:
            with ws.sessions() as s, s.begin():
                report = import_file(s, entity=EntityKind.CONTACTS, path=path, options=options)
        except InputFileError as exc:
            refusal = exc.message
            options = ImportOptions(partial=True, encoding=used)
            with ws.sessions() as s, s.begin():
                report = import_file(s, entity=EntityKind.CONTACTS, path=path, options=options)
            assert "--encoding" in refusal
    finally:
        ws.engine.dispose()
    assert report.delimiter == delimiter
    assert report.rows_read == expected
    assert report.rows_read == report.imported + report.updated + report.skipped + report.rejected
    assert all(e.reason for e in report.errors)
