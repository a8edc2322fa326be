"""Prospect files (io/prospects.py): read back cell for cell in the encoding they were
written in (cp1250, UTF-8), XLSX too; refused with the file's name when they hold nothing to
score; the scored table written as CSV or XLSX keeps every cell."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from buyermap.errors import InputFileError
from buyermap.io.prospects import read_prospects, scored_bytes

# Letters of our markets' names that cp1250 holds (Polish, Czech, Hungarian, Romanian with
# the cedilla forms cp1250 has)
LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ĄąĆćĘęŁłŃńÓóŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžŐőŰűŞşŢţ"
)
cell = (
    st.text(alphabet=LETTERS + " -.&0123456789", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
COLUMNS = ["ref", "name", "industry", "employees"]


def _rows(n: int) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=n)


@settings(max_examples=40, deadline=None)
@given(rows=_rows(12), encoding=st.sampled_from(["cp1250", "utf-8"]))
def test_a_csv_reads_back_cell_for_cell_in_its_encoding(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], encoding: str
) -> None:
    path = tmp_path_factory.mktemp("prospects") / "leads.csv"
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows([COLUMNS, *rows])
    path.write_bytes(text.getvalue().encode(encoding))
    read = read_prospects(path, name="leads.csv", encoding=encoding)
    assert read.columns == COLUMNS
    assert [list(r) for r in read.frame.iter_rows()] == rows
    assert read.preview() == rows[:5]


@settings(max_examples=15, deadline=None)
@given(rows=_rows(8))
def test_an_xlsx_reads_back_and_the_scored_table_keeps_every_cell(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    folder = tmp_path_factory.mktemp("prospects-xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [COLUMNS, *rows]:
        sheet.append(row)
    book.save(folder / "leads.xlsx")
    read = read_prospects(folder / "leads.xlsx", name="leads.xlsx")
    assert [list(r) for r in read.frame.iter_rows()] == rows
    scored = read.frame.with_columns(
        pl.lit(55.5).alias("fit"), pl.lit(0.42).alias("probability"), pl.lit("B").alias("tier")
    )
    back = list(csv.reader(io.StringIO(scored_bytes(scored, "csv").decode("utf-8-sig"))))
    assert back[0] == [*COLUMNS, "fit", "probability", "tier"]
    assert [r[:4] for r in back[1:]] == rows
    (folder / "scored.xlsx").write_bytes(scored_bytes(scored, "xlsx"))
    out = load_workbook(folder / "scored.xlsx").active
    assert out is not None
    assert [[c.value for c in r][:4] for r in out.iter_rows(min_row=2)] == rows
    assert out.cell(row=2, column=5).value == 55.5


def test_a_file_with_nothing_to_score_is_refused_naming_it(tmp_path: Path) -> None:
    header_only = tmp_path / "h.csv"
    header_only.write_text("ref,industry\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"'h\.csv' has a header \(ref, industry\) but no"):
        read_prospects(header_only, name="h.csv")
    duplicated = tmp_path / "d.csv"
    duplicated.write_text("name,name,\nA,B,C\n", encoding="utf-8")
    assert read_prospects(duplicated, name="d.csv").columns == ["name", "name (2)", "column_3"]
