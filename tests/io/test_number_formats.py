"""Exported workbooks carry number formats: money with separators, shares as percentages,
days with their unit, ids plain."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from buyermap.analytics.pipeline.export import stats_workbook
from buyermap.domain.enums import EntityKind
from buyermap.domain.number_formats import DAYS, MONEY, PERCENT, PLAIN, WHOLE, number_format
from buyermap.io.exporters import export_file
from buyermap.io.importer import import_file
from tests.charts.test_chart_layout import stats

ACCOUNTS = """name,domain,industry,employees,annual_revenue,founded_year,country
Łódzkie Zakłady Mięsne,lzm.pl,Żywność,1250,48500000.5,1991,Poland
Győri Keksz Kft.,gyorikeksz.hu,Élelmiszer,340,12000000,1996,Hungary
"""


def test_the_format_follows_the_column_name() -> None:
    assert number_format("amount", 50_200.0) == MONEY
    assert number_format("annual_revenue", 1_420_000) == MONEY
    assert number_format("win_rate", 0.42) == PERCENT
    assert number_format("median_days", 12.5) == DAYS
    assert number_format("id", 17) == PLAIN
    assert number_format("founded_year", 1991) == PLAIN
    assert number_format("employees", 1250) == WHOLE
    assert number_format("name", "Győri Keksz Kft.") is None
    assert number_format("won", True) is None


def test_a_records_workbook_formats_revenue_employees_and_ids(
    session: Session, tmp_path: Path
) -> None:
    source = tmp_path / "accounts.csv"
    source.write_text(ACCOUNTS, encoding="utf-8")
    import_file(session, entity=EntityKind.ACCOUNTS, path=source)
    out = tmp_path / "accounts.xlsx"
    assert export_file(session, entity=EntityKind.ACCOUNTS, path=out) == 2
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=False))
    assert row["annual_revenue"].number_format == MONEY
    assert row["employees"].number_format == WHOLE
    assert row["founded_year"].number_format == PLAIN
    assert row["id"].number_format == PLAIN
    assert row["name"].value == "Łódzkie Zakłady Mięsne"


def test_the_pipeline_workbook_formats_rates_days_and_amounts() -> None:
    book = load_workbook(io.BytesIO(stats_workbook(stats())))
    stages = book["Stages"]
    header = [c.value for c in stages[1]]
    formats = {h: c.number_format for h, c in zip(header, stages[2], strict=False)}
    rate = next(h for h in header if h and "rate" in str(h))
    days = next(h for h in header if h and "days" in str(h))
    assert formats[rate] == PERCENT
    assert formats[days] == DAYS
    losses = book["Losses"]
    header = [c.value for c in losses[1]]
    amount = header.index("amount")
    assert losses[2][amount].number_format == MONEY
