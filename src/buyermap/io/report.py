"""What an import did: the counts, the mapping used and the first rejections."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class Rejection:
    """One reason a row was not imported. ``row`` is the 1-based data row, ``line`` the file
    line (CSV) or sheet row (XLSX) where the row starts."""

    row: int
    line: int
    column: str | None
    reason: str


@dataclass
class ImportReport:
    entity: str
    file: str
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    quarantine_path: str | None = None
    committed: bool = False
    dry_run: bool = False
    partial: bool = False
    on_duplicate: str = "update"
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    preset: str | None = None
    system: str = "import"
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    errors: list[Rejection] = field(default_factory=list)
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    import_run_id: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """False when rows were rejected and the file was therefore not imported."""
        return self.rejected == 0 or self.partial

    def check(self) -> None:
        total = self.imported + self.updated + self.skipped + self.rejected
        assert total == self.rows_read, f"counts {total} != rows read {self.rows_read}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = [asdict(e) for e in self.errors[:MAX_ERRORS]]
        data["ok"] = self.ok
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
