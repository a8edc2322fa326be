"""``funnel``: exact windowed event funnels over an event file (CSV or Parquet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.analytics.funnel import ENGINES, FunnelMode, FunnelResult, TrendPeriod
from buyermap.analytics.funnel.query import parse_steps
from buyermap.cli.common import console, err_console, print_json
from buyermap.seams import funnels as seam
from buyermap.seams.requests import build


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _table(result: FunnelResult) -> Table:
    table = Table(title=f"Funnel ({result.mode}, window {_duration(result.window_seconds)})")
    for name in ("step", "entities", "from start", "from previous", "median time", "p90 time"):
        table.add_column(name, justify="left" if name == "step" else "right")
    timings = {t.step: t for t in result.timings}
    for i, step in enumerate(result.steps):
        timing = timings.get(step)
        table.add_row(
            step,
            f"{result.counts[i]:,}",
            _pct(result.conversion_from_start[i]),
            _pct(result.conversion_from_previous[i]),
            _duration(timing.median_seconds) if timing else "-",
            _duration(timing.p90_seconds) if timing else "-",
        )
    return table


def funnel(
    events: Annotated[Path, typer.Option("--events", help="Event file: .parquet or .csv.")],
    steps: Annotated[str, typer.Option("--steps", help="Step events in order, comma-separated.")],
    window: Annotated[
        str, typer.Option("--window", help="Conversion window: 30m, 12h, 14d, 2w or seconds.")
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Break down by this column's value on the first-step event."),
    ] = None,
    mode: Annotated[FunnelMode, typer.Option("--mode", help="How chains form.")] = (
        FunnelMode.DEFAULT
    ),
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="An event that breaks a chain (repeatable)."),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help=f"One of: {', '.join(ENGINES)}.")
    ] = "duckdb",
    entity_column: Annotated[str, typer.Option("--entity-column")] = "user_id",
    event_column: Annotated[str, typer.Option("--event-column")] = "event",
    time_column: Annotated[str, typer.Option("--time-column")] = "ts",
    trend: Annotated[
        TrendPeriod, typer.Option("--trend", help="Group entries by day or week.")
    ] = TrendPeriod.WEEK,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count entities through ordered steps within a window (ClickHouse windowFunnel).

    Example: buyermap funnel --events ev.parquet --steps visit,signup,buy --window 14d --json
    """
    request = build(
        seam.FunnelRequest,
        path=str(events),
        steps=list(parse_steps(steps)),
        window=window,
        mode=mode,
        exclude=list(exclude or ()),
        by=by,
        entity_column=entity_column,
        event_column=event_column,
        time_column=time_column,
        trend=trend,
    )
    result, document = seam.funnel(events, request, engine=engine)
    for note in result.warnings:
        err_console.print(f"[yellow]warning:[/] {note}", highlight=False, soft_wrap=True)
    if as_json:
        print_json(document.model_dump(mode="json"))
        return
    console.print(_table(result))


def register(app: typer.Typer) -> None:
    """Registers the ``funnel`` command."""
    app.command("funnel")(funnel)
