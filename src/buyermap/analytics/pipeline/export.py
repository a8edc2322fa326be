"""Pipeline results as Excel workbooks (openpyxl): one sheet per table, plus an "About"
sheet with the provenance. Functions return the bytes; writing them is the caller's job."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from buyermap.analytics.pipeline.backtest import BacktestResult
from buyermap.analytics.pipeline.fan import Band, FanResult
from buyermap.analytics.pipeline.forecast import ForecastResult
from buyermap.analytics.pipeline.stats import StatsResult
from buyermap.domain.number_formats import number_format

HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="2F5BD3")
MAX_SHEET_NAME = 31
NEW_COLUMNS = ("with_new_expected", "with_new_p10", "with_new_p50", "with_new_p90")


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws: Worksheet = wb.create_sheet(title[:MAX_SHEET_NAME])
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
    widths = [len(h) for h in header]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for column, cell in zip(header, ws[ws.max_row], strict=False):
            fmt = number_format(column, cell.value)
            if fmt is not None:
                cell.number_format = fmt
        for i, v in enumerate(values):
            widths[i] = max(widths[i], min(len(str(v)) if v is not None else 0, 60))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w + 2
    ws.freeze_panes = "A2"


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _about(wb: Workbook, provenance: dict[str, str], extra: dict[str, Any]) -> None:
    _sheet(wb, "About", ["key", "value"], [*extra.items(), *provenance.items()])


def _at(band: Band, i: int) -> tuple[float, float, float, float]:
    return band.expected[i], band.p10[i], band.p50[i], band.p90[i]


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _new() -> Workbook:
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    return wb


def stats_workbook(result: StatsResult) -> bytes:
    """Sheets: Stages, Cohorts, Losses, Stale deals, one "By <column>" per breakdown, About."""
    s = result.sections
    wb = _new()
    _sheet(
        wb,
        "Stages",
        [
            "stage", "reached", "resolved", "to_next", "conversion_to_next", "won", "win_rate",
            "median_days", "p90_days", "stays", "stays_left", "stays_censored", "open_now",
        ],
        (
            [
                r["stage"], r["reached"], r["resolved"], r["to_next"], r["conversion_to_next"],
                r["won"], r["win_rate"], r["time_in_stage"]["median_days"],
                r["time_in_stage"]["p90_days"], r["time_in_stage"]["n"],
                r["time_in_stage"]["left"], r["time_in_stage"]["censored"], r["open_now"],
            ]
            for r in s["stages"]
        ),
    )  # fmt: skip
    cohort_keys = list(s["cohorts"][0]) if s["cohorts"] else ["month"]
    _sheet(wb, "Cohorts", cohort_keys, ([r.get(k) for k in cohort_keys] for r in s["cohorts"]))
    _sheet(
        wb,
        "Losses",
        ["last_stage", "lost", "amount", "reasons"],
        ([r["last_stage"], r["lost"], r["amount"], r["reasons"]] for r in s["losses"]),
    )
    stale_keys = ["deal_id", "stage", "days_in_stage", "stage_p90_days", "amount"]
    _sheet(wb, "Stale deals", stale_keys, ([d[k] for k in stale_keys] for d in s["stale"]["deals"]))
    for column, rows in s["breakdowns"].items():
        stages = list(s["stage_order"])
        head = ["value", "deals", "open", "won", "lost", "win_rate", "won_amount"]
        head += ["median_days_to_win", "velocity_per_30_days"]
        _sheet(
            wb,
            f"By {column}",
            head + [f"conversion {st}" for st in stages],
            (
                [r[k] for k in head] + [r["conversion_to_next"].get(st) for st in stages]
                for r in rows
            ),
        )
    _about(
        wb,
        result.provenance.to_dict(),
        {"as_of": result.as_of.isoformat(), "source": s["source"], "velocity": s["velocity"]},
    )
    return _bytes(wb)


def forecast_workbook(
    result: ForecastResult,
    *,
    fan: FanResult | None = None,
    backtest: BacktestResult | None = None,
) -> bytes:
    """Sheets: Summary, Fan by week (if given), Open deals, At risk, Backtest (if given),
    About."""
    wb = _new()
    o, n = result.open_pipeline, result.with_new_deals
    _sheet(
        wb,
        "Summary",
        ["", "expected", "p10", "p50", "p90"],
        [
            ["open pipeline", o.expected, o.p10, o.p50, o.p90],
            ["with new deals", n.expected, n.p10, n.p50, n.p90],
            ["weighted pipeline", result.weighted_pipeline, None, None, None],
        ],
    )
    if fan is not None:
        fo, fn = fan.open_pipeline, fan.with_new_deals
        _sheet(
            wb,
            "Fan by week",
            [*("day", "expected", "p10", "p50", "p90"), *NEW_COLUMNS],
            (
                (d, fo.expected[i], fo.p10[i], fo.p50[i], fo.p90[i], *_at(fn, i))
                for i, d in enumerate(fan.days)
            ),
        )
    deal_keys = list(result.deals[0].to_dict()) if result.deals else ["deal_id"]
    _sheet(wb, "Open deals", deal_keys, ([d.to_dict()[k] for k in deal_keys] for d in result.deals))
    _sheet(wb, "At risk", deal_keys, ([d.to_dict()[k] for k in deal_keys] for d in result.at_risk))
    if backtest is not None:
        origins = [x.to_dict() for x in backtest.origins]
        keys = list(origins[0]) if origins else ["as_of"]
        _sheet(wb, "Backtest", keys, ([x[k] for k in keys] for x in origins))
    _about(
        wb,
        result.provenance.to_dict(),
        {
            "as_of": result.query.as_of.isoformat(),
            "horizon_days": result.query.horizon_days,
            "simulations": result.query.simulations,
            "open_deals": result.open_deals,
            "open_amount": round(result.open_amount, 2),
            **{f"evidence.{k}": v for k, v in result.evidence.items()},
        },
    )
    return _bytes(wb)
