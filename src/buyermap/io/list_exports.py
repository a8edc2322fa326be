"""A list as people read it, to CSV or XLSX: the rows of a list page with its filters, search
and sort, headers in words.

Unlike :mod:`buyermap.io.exporters` (files that import back unchanged), these are for
reading: XLSX keeps numbers as numbers with thousands separators, amounts in the deal's
currency format, dates as dates, a frozen header row and fitted column widths; CSV is UTF-8
with a byte order mark, so Excel opens Polish, Czech or Icelandic names right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from buyermap.db.models import Account, Contact, Deal
from buyermap.services.accounts import all_accounts
from buyermap.services.contacts import all_contacts
from buyermap.services.deals import all_deals
from buyermap.services.filters import (
    SENIORITY_LABELS,
    STATUS_LABELS,
    AccountFilter,
    ContactFilter,
    DealFilter,
    current_companies,
)
from buyermap.services.listing import ListQuery

Kind = Literal["text", "int", "number", "money", "date"]
NUMBER_FORMATS: dict[str, str] = {"int": "#,##0", "number": "#,##0.00", "date": "yyyy-mm-dd"}


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # in words
    kind: Kind = "text"
    width: int = 16


@dataclass(frozen=True, slots=True)
class ListTable:
    """Columns and rows; a money cell is ``(amount, currency)``."""

    title: str
    columns: Sequence[Column]
    rows: list[list[Any]]


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def accounts_table(session: Session, *, query: ListQuery, filters: AccountFilter) -> ListTable:
    accounts: list[Account] = all_accounts(session, query=query, filters=filters)
    return ListTable(
        title="Accounts",
        columns=[
            Column("Name", width=32),
            Column("Domain", width=24),
            Column("Industry", width=20),
            Column("Employees", "int", 12),
            Column("Annual revenue (USD)", "int", 20),
            Column("Country", width=16),
            Column("Owner", width=20),
        ],
        rows=[
            [
                a.name,
                a.domain,
                a.industry,
                a.employees,
                a.annual_revenue,
                a.country,
                a.owner.name if a.owner else None,
            ]
            for a in accounts
        ],
    )


def contacts_table(session: Session, *, query: ListQuery, filters: ContactFilter) -> ListTable:
    contacts: list[Contact] = all_contacts(session, query=query, filters=filters)
    companies = current_companies(session, contact_ids=[c.id for c in contacts])
    return ListTable(
        title="Contacts",
        columns=[
            Column("Name", width=28),
            Column("Company", width=28),
            Column("Email", width=30),
            Column("Job title", width=28),
            Column("Department", width=18),
            Column("Seniority", width=18),
        ],
        rows=[
            [
                c.full_name,
                companies[c.id].name if c.id in companies else None,
                c.email,
                c.job_title,
                c.department,
                SENIORITY_LABELS.get(c.seniority or "", c.seniority),
            ]
            for c in contacts
        ],
    )


def deals_table(session: Session, *, query: ListQuery, filters: DealFilter) -> ListTable:
    deals: list[Deal] = all_deals(session, query=query, filters=filters)
    return ListTable(
        title="Deals",
        columns=[
            Column("Deal", width=32),
            Column("Account", width=28),
            Column("Pipeline", width=16),
            Column("Stage", width=18),
            Column("Status", width=10),
            Column("Owner", width=20),
            Column("Amount", "money", 16),
            Column("Currency", width=10),
            Column("Opened", "date", 12),
            Column("Expected close", "date", 14),
            Column("Closed", "date", 12),
        ],
        rows=[
            [
                d.name,
                d.account.name if d.account else None,
                d.pipeline.name,
                d.stage.name if d.stage else None,
                STATUS_LABELS.get(d.status, d.status),
                d.owner.name if d.owner else None,
                (d.amount, d.currency) if d.amount is not None else None,
                d.currency,
                _day(d.opened_at),
                d.expected_close,
                _day(d.closed_at),
            ]
            for d in deals
        ],
    )


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return f"{value[0]:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_csv(table: ListTable) -> bytes:
    """UTF-8 with a byte order mark (Excel reads the encoding from it), headers in words."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def money_format(currency: str) -> str:
    """An Excel number format showing the amount with separators and its currency code."""
    code = "".join(ch for ch in currency if ch.isalpha())[:3] or "USD"
    return f'#,##0.00 "{code}"'


def _xlsx_cell(value: Any, kind: Kind) -> tuple[Any, str | None]:
    """The cell's value and its number format."""
    if kind == "money":
        return (value[0], money_format(value[1])) if value else (None, None)
    return value, NUMBER_FORMATS.get(kind)


def to_xlsx(table: ListTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row_no, row in enumerate(table.rows, start=2):
        for col_no, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            value_out, number_format = _xlsx_cell(value, column.kind)
            cell = sheet.cell(row=row_no, column=col_no, value=value_out)
            if number_format and value_out is not None:
                cell.number_format = number_format
    for col_no, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(col_no)].width = column.width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
