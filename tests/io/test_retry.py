"""Rejected rows fixed in place: the quarantine read back as cells, the fixed rows as a file."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from buyermap.io.mapping import IGNORE
from buyermap.io.readers import RawTable
from buyermap.io.report import quarantine_text
from buyermap.io.retry import retry_options, retry_table, retry_text

TABLE = RawTable(
    header=["Name", "Employees", "Country"],
    rows=[["Łódź Młyny", "dużo", "PL"], ["Győr Keksz", "12", ""], ["Brno a.s.", "x", "CZ"]],
    lines=[2, 3, 4],
    format="csv",
)
ERRORS = {0: [("Employees", "'dużo' is not a whole number")], 2: [("", "duplicate of row 1")]}


def test_each_bad_cell_carries_its_reason_and_a_row_reason_stays_with_the_row() -> None:
    quarantine = quarantine_text(TABLE, ERRORS)
    report_errors = [
        {"row": 1, "line": 2, "column": "Employees", "reason": "'dużo' is not a whole number"}
    ]  # row 3 is past the report's first rejections: the quarantine's words are used
    table = retry_table(quarantine, report_errors)
    assert table.header == ["Name", "Employees", "Country"]
    assert [r.row for r in table.rows] == [1, 3]
    assert table.rows[0].cells == ["Łódź Młyny", "dużo", "PL"]
    assert table.rows[0].problems == {1: "'dużo' is not a whole number"}
    assert table.rows[1].problems == {}
    assert table.rows[1].reason == "duplicate of row 1"
    assert table.total == 2


def test_a_cut_table_says_how_many_rows_the_quarantine_has() -> None:
    table = retry_table(quarantine_text(TABLE, ERRORS), [], limit=1)
    assert len(table.rows) == 1
    assert table.total == 2


def test_the_retry_keeps_the_original_imports_options_and_columns() -> None:
    options = retry_options(
        {
            "preset": "pipedrive",
            "mapping": {"Name": "name"},
            "unmapped_columns": ["Ulubiony kolor"],
            "on_duplicate": "skip",
            "partial": True,
            "create_stages": True,
            "blanks": ["N/A"],
        }
    )
    assert options.preset == "pipedrive"
    assert options.columns == {"Name": "name", "Ulubiony kolor": IGNORE}
    assert (options.on_duplicate, options.partial, options.create_stages) == ("skip", True, True)
    assert options.blanks == ("N/A",)


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6))
def test_fixed_rows_read_back_as_written(rows: list[list[str]]) -> None:
    text = retry_text(TABLE.header, rows)
    assert list(csv.reader(io.StringIO(text))) == [TABLE.header, *rows]
