"""``buyermap profile import FILE``: our seller profile from a ``key,value`` file.

Any encoding and delimiter the importer reads (CSV or XLSX; title rows above the header
skipped). Several values of a key: separated by ``;`` in one cell, or on several rows of
the same key (merged in order, repeats dropped). Keys in the file replace those keys'
values; keys not in the file are kept unless ``replace`` is asked. A row without a key or
without a value is rejected with its line; any rejected row means nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from buyermap.domain.mutual import fold, split_values
from buyermap.io.fields import norm
from buyermap.io.readers import read_table
from buyermap.io.report import Rejection
from buyermap.services.mutual import remove_profile_key, seller_profile, set_profile_values

KEY_HEADERS = {"key", "name", "attribute", "klucz", "cheie", "klic", "kulcs", "lykill", "avain"}
VALUE_HEADERS = {"value", "values", "wartosc", "wartość", "valoare", "hodnota", "ertek", "érték"}
VALUE_HEADERS |= {"gildi", "arvo"}


@dataclass
class ProfileReport:
    file: str
    rows_read: int = 0
    keys: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    committed: bool = False
    errors: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _column(header: list[str], names: set[str]) -> int | None:
    folded = {norm(n) for n in names}
    return next((i for i, h in enumerate(header) if norm(h) in folded), None)


def import_profile(
    session: Session, *, path: Path, replace: bool = False, encoding: str | None = None
) -> ProfileReport:
    """Read the file and set the profile's keys (see the module docstring). Does not commit."""
    table = read_table(path, encoding=encoding)
    report = ProfileReport(file=str(path), rows_read=len(table.rows))
    key_at = _column(table.header, KEY_HEADERS)
    value_at = _column(table.header, VALUE_HEADERS)
    if key_at is None or value_at is None:
        missing = [n for n, at in (("key", key_at), ("value", value_at)) if at is None]
        report.rejected = report.rows_read
        report.errors.append(
            Rejection(
                row=0,
                line=1,
                column=None,
                reason=f"the file needs the columns key and value; missing {', '.join(missing)}"
                f" (its header: {', '.join(table.header) or 'none'})",
            )
        )
        return report
    wanted: dict[str, tuple[str, list[str]]] = {}
    for i, row in enumerate(table.rows):
        cells = row + [""] * (max(key_at, value_at) + 1 - len(row))
        key, value = " ".join(cells[key_at].split()), cells[value_at]
        line = table.lines[i]
        if not key:
            report.errors.append(Rejection(i + 1, line, table.header[key_at], "the key is empty"))
            continue
        values = split_values(value)
        if not values:
            report.errors.append(
                Rejection(i + 1, line, table.header[value_at], f"{key!r} has no value")
            )
            continue
        _, have = wanted.setdefault(fold(key), (key, []))
        have.extend(v for v in values if fold(v) not in {fold(h) for h in have})
    report.rejected = len(report.errors)
    report.keys = len(wanted)
    if report.rejected:
        return report
    before = {fold(k): v for k, v in seller_profile(session).items()}
    for folded, (key, values) in wanted.items():
        old = before.get(folded)
        if old is None:
            report.added += 1
        elif old == values:
            report.unchanged += 1
        else:
            report.changed += 1
        set_profile_values(session, key=key, values=values)
    if replace:
        for key in seller_profile(session):
            if fold(key) not in wanted:
                remove_profile_key(session, key=key)
                report.removed += 1
    report.committed = True
    return report
