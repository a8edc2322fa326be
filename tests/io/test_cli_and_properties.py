"""The import/export commands, and property tests of the reader and importer."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from buyermap.cli.app import app
from buyermap.domain.enums import EntityKind
from buyermap.errors import BuyermapError
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
    assert partial.exit_code == 0 and json.loads(partial.stdout)["imported"] == 1


def test_import_help_has_an_example() -> None:
    result = runner.invoke(app, ["import", "--help"])
    assert result.exit_code == 0 and "Example" in result.stdout


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


cells = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
        max_size=12,
    ),
    st.sampled_from(["a@x.com", "acme.com", "1,200", "2024-01-31", "VP", "", " ", '"', "\n"]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp1250"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_any_csv_imports_or_rejects_rows_but_never_crashes(
    tmp_path_factory: object, rows: list[list[str]], delimiter: str, encoding: str, quoting: int
) -> None:
    folder = tmp_path_factory.mktemp("prop")  # type: ignore[attr-defined]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\n")
    writer.writerow(["Email", "First Name", "Company Domain Name", "Seniority"])
    writer.writerows(rows)
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path = folder / "p.csv"
    path.write_bytes(data)
    expected = sum(1 for r in rows if any(c.strip() for c in r))
    ws = open_workspace(Settings(database_url=f"sqlite:///{folder / 'w.db'}"))
    try:
        with ws.sessions() as s, s.begin():
            report = import_file(
                s, entity=EntityKind.CONTACTS, path=path, options=ImportOptions(partial=True)
            )
    except BuyermapError:
        return
    finally:
        ws.engine.dispose()
    assert report.rows_read == report.imported + report.updated + report.skipped + report.rejected
    if delimiter != "\t" or encoding != "utf-8":
        assert report.rows_read <= max(expected, 1) * 2
    else:
        assert report.rows_read == expected
    assert all(e.reason for e in report.errors)
