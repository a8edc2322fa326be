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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import all_contacts_of_persona
from buyermap.analytics.personas.stored import persona_dict
from buyermap.db.models import Account, Contact, Deal, PersonaRun
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

Kind = Literal["text", "int", "number", "percent", "money", "date"]
NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "number": "#,##0.00",
    "percent": "0%",
    "date": "yyyy-mm-dd",
}
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # in words
    kind: Kind = "text"
    width: int = 16
    get: Callable[[Any], Any] = lambda _: None  # the cell of a record


@dataclass(frozen=True, slots=True)
class ListTable:
    """Columns and rows; a money cell is ``(amount, currency)``."""

    title: str
    columns: Sequence[Column]
    rows: list[list[Any]]


def table_of(title: str, columns: Sequence[Column], records: Iterable[Any]) -> ListTable:
    """The table of ``records``: one row each, a cell per column (its ``get``)."""
    return ListTable(
        title=title, columns=columns, rows=[[c.get(r) for c in columns] for r in records]
    )


def _day(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _name(record: Any) -> str | None:
    return record.name if record is not None else None


ACCOUNT_COLUMNS = (
    Column("Name", width=32, get=lambda a: a.name),
    Column("Domain", width=24, get=lambda a: a.domain),
    Column("Industry", width=20, get=lambda a: a.industry),
    Column("Employees", "int", 12, lambda a: a.employees),
    Column("Annual revenue (USD)", "int", 20, lambda a: a.annual_revenue),
    Column("Country", width=16, get=lambda a: a.country),
    Column("Owner", width=20, get=lambda a: _name(a.owner)),
)
DEAL_COLUMNS = (
    Column("Deal", width=32, get=lambda d: d.name),
    Column("Account", width=28, get=lambda d: _name(d.account)),
    Column("Pipeline", width=16, get=lambda d: d.pipeline.name),
    Column("Stage", width=18, get=lambda d: _name(d.stage)),
    Column("Status", width=10, get=lambda d: STATUS_LABELS.get(d.status, d.status)),
    Column("Owner", width=20, get=lambda d: _name(d.owner)),
    Column(
        "Amount", "money", 16, lambda d: (d.amount, d.currency) if d.amount is not None else None
    ),
    Column("Currency", width=10, get=lambda d: d.currency),
    Column("Opened", "date", 12, lambda d: _day(d.opened_at)),
    Column("Expected close", "date", 14, lambda d: d.expected_close),
    Column("Closed", "date", 12, lambda d: _day(d.closed_at)),
)


def contact_columns(companies: Mapping[int, Account]) -> tuple[Column, ...]:
    """The columns of a contacts table (``companies``: each contact's current company)."""
    return (
        Column("Name", width=28, get=lambda c: c.full_name),
        Column("Company", width=28, get=lambda c: _name(companies.get(c.id))),
        Column("Email", width=30, get=lambda c: c.email),
        Column("Job title", width=28, get=lambda c: c.job_title),
        Column("Department", width=18, get=lambda c: c.department),
        Column(
            "Seniority",
            width=18,
            get=lambda c: SENIORITY_LABELS.get(c.seniority or "", c.seniority),
        ),
    )


def accounts_table(session: Session, *, query: ListQuery, filters: AccountFilter) -> ListTable:
    accounts: list[Account] = all_accounts(session, query=query, filters=filters)
    return table_of("Accounts", ACCOUNT_COLUMNS, accounts)


def contacts_table(session: Session, *, query: ListQuery, filters: ContactFilter) -> ListTable:
    contacts: list[Contact] = all_contacts(session, query=query, filters=filters)
    companies = current_companies(session, contact_ids=[c.id for c in contacts])
    return table_of("Contacts", contact_columns(companies), contacts)


def deals_table(session: Session, *, query: ListQuery, filters: DealFilter) -> ListTable:
    deals: list[Deal] = all_deals(session, query=query, filters=filters)
    return table_of("Deals", DEAL_COLUMNS, deals)


def _of_member(get: Callable[[Any], Any]) -> Callable[[tuple[Contact, float]], Any]:
    """A contact column's cell for a (contact, probability) member."""
    return lambda member: get(member[0])


def persona_contacts_table(session: Session, *, run: PersonaRun, key: str) -> ListTable:
    """A persona's contacts (the contacts list's columns) with their membership
    probability, most certain first."""
    members = all_contacts_of_persona(session, run=run, key=key)
    companies = current_companies(session, contact_ids=[c.id for c, _ in members])
    columns = [replace(column, get=_of_member(column.get)) for column in contact_columns(companies)]
    columns.append(Column("Membership probability", "percent", 14, lambda m: round(m[1], 4)))
    name = str(persona_dict(run, key)["name"])
    return table_of(f"{name} contacts", columns, members)


def encode(table: ListTable, fmt: str) -> bytes:
    """The table as ``csv`` or ``xlsx`` bytes (see :data:`MEDIA` for their media types)."""
    return to_csv(table) if fmt == "csv" else to_xlsx(table)


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
