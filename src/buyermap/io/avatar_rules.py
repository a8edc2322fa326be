"""A rules avatar's rules as a file: ``buyermap avatar rules import/export``.

Columns ``field,operator,value,weight,kind,reason`` (in any order, case ignored; any
encoding and delimiter the importer reads, or XLSX). ``kind`` is ``criterion`` (the
default), ``must_have`` or ``disqualifier``; several values in ``value`` are separated by
``;``; ``weight`` is a number from -1,000 to 1,000 (default 1). Each row is checked by
:func:`buyermap.domain.avatar_rules.check_rule`; a bad row goes to the quarantine with
the column and a message naming the bad value and what would be valid. The export
writes the same columns, so a file exported and imported again gives the same rules.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from buyermap.domain.avatar_rules import Rule, RuleField, check_rule
from buyermap.errors import InputFileError
from buyermap.io.fields import norm
from buyermap.io.readers import RawTable, read_table
from buyermap.io.report import Rejection, write_quarantine

COLUMNS = ("field", "operator", "value", "weight", "kind", "reason")
REQUIRED = ("field", "operator", "value")


@dataclass
class RulesFile:
    file: str
    table: RawTable
    rules: list[Rule] = field(default_factory=list)
    errors: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # row -> problems

    @property
    def rejections(self) -> list[Rejection]:
        return [
            Rejection(i + 1, self.table.lines[i], column, reason)
            for i, problems in sorted(self.errors.items())
            for column, reason in problems
        ]

    def quarantine(self, path: Path) -> None:
        write_quarantine(path, self.table, self.errors)


def read_rules(path: Path, fields: list[RuleField], *, encoding: str | None = None) -> RulesFile:
    """Read and check every row (see the module docstring)."""
    table = read_table(path, encoding=encoding)
    where = {norm(h): i for i, h in enumerate(table.header)}
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        raise InputFileError(
            f"{path.name!r} needs the columns {', '.join(COLUMNS)} (weight, kind and reason "
            f"may be left out); it lacks {', '.join(missing)} (its header: "
            f"{', '.join(table.header) or 'none'})",
            details={"missing": missing, "columns": table.header},
        )
    out = RulesFile(file=str(path), table=table)
    for i, row in enumerate(table.rows):
        cells = {c: (row[where[c]] if c in where and where[c] < len(row) else "") for c in COLUMNS}
        if not any(v.strip() for v in cells.values()):
            continue
        rule, problems = check_rule(
            field=cells["field"],
            operator=cells["operator"],
            value=cells["value"],
            weight=cells["weight"],
            kind=cells["kind"],
            reason=cells["reason"],
            fields=fields,
        )
        if rule is None:
            header = {c: table.header[where[c]] for c in where if c in COLUMNS}
            out.errors[i] = [(header.get(name, name), message) for name, message in problems]
        else:
            out.rules.append(rule)
    return out


def _weight(w: float) -> str:
    """``3`` for 3.0; otherwise the shortest text that reads back as the same float."""
    return str(int(w)) if w.is_integer() and abs(w) < 1e15 else repr(w)


def rules_csv(rules: list[Rule]) -> str:
    """The rules as CSV text with the import's columns (values joined by ``; ``)."""
    with io.StringIO(newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in rules:
            writer.writerow(
                [
                    r.field,
                    r.operator.value,
                    "; ".join(r.values),
                    repr(r.weight),
                    r.kind.value,
                    r.reason,
                ]
            )
        return fh.getvalue()
