"""Excel number formats for exported columns, chosen by the column's name: money with
thousands separators, shares and rates as percentages, days with their unit, counts as
whole numbers, ids and years without separators. Exports (records, pipeline workbooks,
persona runs) set them on every numeric cell, so a workbook reads like the pages do.
"""

from __future__ import annotations

import re

MONEY = "#,##0"
PERCENT = "0.0%"
DAYS = '0.0 "days"'
WHOLE = "#,##0"
DECIMAL = "#,##0.00"
PLAIN = "0"

_PLAIN = re.compile(r"(^|_)(id|year|founded_year|seed|k)$|_id$|^id\b")
_PERCENT = ("share", "rate", "probability", "conversion", "coverage", "stability", "mape", "bias")
_DAYS = ("days",)
_MONEY = (
    "amount", "revenue", "expected", "p10", "p50", "p90", "weighted", "actual",
    "velocity", "bookings", "pipeline",
)  # fmt: skip


def number_format(column: str, value: object) -> str | None:
    """The format of a numeric cell in ``column`` (None for text, dates and booleans)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    name = column.strip().lower().replace(" ", "_")
    if _PLAIN.search(name):
        return PLAIN
    if any(w in name for w in _PERCENT):
        return PERCENT
    if any(w in name for w in _DAYS):
        return DAYS
    if any(w in name for w in _MONEY):
        return MONEY
    return WHOLE if isinstance(value, int) else DECIMAL
