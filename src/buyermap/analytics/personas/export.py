"""A saved run as an XLSX workbook: personas, traits, descriptors, choice of k, provenance."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Font

from buyermap.analytics.personas.avatar import save_avatar
from buyermap.domain.number_formats import number_format

TRAIT_COLUMNS = (
    "persona",
    "name",
    "variable",
    "kind",
    "value",
    "statistic",
    "persona_value",
    "population",
    "lift",
    "ci_low",
    "ci_high",
    "n",
    "score",
)


def _sheet(wb: Any, title: str, header: tuple[str, ...] | list[str]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return ws


def _trait_rows(persona: dict[str, Any], key: str) -> list[list[Any]]:
    rows = []
    for t in persona[key]:
        lo, hi = (t.get("ci") or [None, None])[:2]
        rows.append(
            [
                persona["key"],
                persona["name"],
                t["variable"],
                t["kind"],
                t["value"],
                t["statistic"],
                t["persona"],
                t["population"],
                t["lift"],
                lo,
                hi,
                t["n"],
                t["score"],
            ]
        )
    return rows


def export_run(doc: dict[str, Any], out: Path, *, avatars: bool = True) -> Path:
    """Write ``doc`` (a loaded run) to ``out``; with ``avatars``, a picture per persona."""
    result = doc["result"]
    wb = Workbook()
    wb.remove(wb.active)
    people = _sheet(
        wb,
        "Personas",
        [
            "key",
            "name",
            "title",
            "bucket",
            "size",
            "share",
            "stability",
            "low_evidence",
            "quotes",
            "avatar",
        ],
    )
    with tempfile.TemporaryDirectory() as tmp:
        for i, p in enumerate(result["personas"], start=2):
            people.append(
                [
                    p["key"],
                    p["name"],
                    p["title"],
                    p["bucket"],
                    p["size"],
                    p["share"],
                    p["stability"],
                    p["low_evidence"],
                    "\n".join(p["quotes"]),
                ]
            )
            if avatars:
                png = save_avatar(p["name"], p["title"], Path(tmp) / f"{p['key']}.png", size=96)
                img = XLImage(str(png))
                people.row_dimensions[i].height = 75
                people.add_image(img, f"J{i}")
        people.column_dimensions["C"].width = 60
        people.column_dimensions["J"].width = 14
        traits = _sheet(wb, "Traits", TRAIT_COLUMNS)
        described = _sheet(wb, "Descriptors", TRAIT_COLUMNS)
        for p in result["personas"]:
            for row in _trait_rows(p, "traits"):
                traits.append(row)
            for row in _trait_rows(p, "descriptors"):
                described.append(row)
        sel = _sheet(
            wb, "Choice of k", ["bucket", "k", "bic", "min_share", "stability", "chosen", "note"]
        )
        for c in result["selection"]:
            sel.append(
                [
                    c.get("bucket"),
                    c["k"],
                    c["bic"],
                    c["min_share"],
                    c["stability"],
                    c["chosen"],
                    c["note"],
                ]
            )
        run = _sheet(wb, "Run", ["field", "value"])
        run.append(["run_id", doc["run_id"]])
        run.append(["source", doc.get("source")])
        for k, v in doc["provenance"].items():
            run.append([k, v])
        run.append(["settings", json.dumps(doc["settings"], sort_keys=True)])
        for w in result["warnings"]:
            run.append(["warning", w])
        for ws in wb.worksheets:
            format_numbers(ws)
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    return out


def format_numbers(ws: Any) -> None:
    """Set each numeric cell's number format from its column's header (percent, money,
    days, counts); the persona and population columns hold a share or a mean, so their
    format follows the row's statistic."""
    header = [str(c.value or "") for c in ws[1]]
    statistic = header.index("statistic") if "statistic" in header else None
    for row in ws.iter_rows(min_row=2):
        kind = row[statistic].value if statistic is not None else None
        for column, cell in zip(header, row, strict=False):
            if column in ("persona_value", "population", "ci_low", "ci_high") and kind == "share":
                fmt = number_format("share", cell.value)
            else:
                fmt = number_format(column, cell.value)
            if fmt is not None:
                cell.number_format = fmt
