"""``pipeline`` commands: stage analytics, the bookings forecast and its backtest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from buyermap.analytics.pipeline import export
from buyermap.analytics.pipeline.paths import describe_left_out
from buyermap.charts import forecast as forecast_charts
from buyermap.charts import pipeline as pipeline_charts
from buyermap.charts import tiers as tier_charts
from buyermap.charts.render import compact_money, to_png
from buyermap.cli.common import (
    MAX_SEED,
    BuyermapGroup,
    console,
    err_console,
    out_path,
    print_json,
    unit_of_work,
)
from buyermap.errors import InvalidValueError
from buyermap.seams.pipeline import (
    BacktestRequest,
    ForecastRequest,
    HistorySource,
    StatsRequest,
    pipeline_backtest,
    pipeline_forecast,
    pipeline_stats,
)
from buyermap.seams.pipeline_tiers import (
    TIER,
    PipelineByTier,
    pipeline_forecast_by_tier,
    pipeline_stats_by_tier,
)
from buyermap.seams.requests import build

group = typer.Typer(
    name="pipeline",
    cls=BuyermapGroup,
    help="Stage analytics, a bookings forecast with intervals, and its backtest.",
    no_args_is_help=True,
)

HistoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="Stage-history file (CSV/TSV/Parquet/JSON): deal_id, stage, changed_at, amount "
        "and any other columns. Default: the workspace's stage changes.",
        show_default=False,
    ),
]
StagesOpt = Annotated[
    str | None,
    typer.Option("--stages", help="Open stages in order, comma-separated (default: inferred)."),
]
WonOpt = Annotated[
    str | None, typer.Option("--won-stage", help="Name(s) of the won stage, comma-separated.")
]
LostOpt = Annotated[
    str | None, typer.Option("--lost-stage", help="Name(s) of lost stages, comma-separated.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
XlsxOpt = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        callback=out_path,
        help="Also write the tables to this Excel file (one sheet each).",
    ),
]
PngOpt = Annotated[
    Path | None,
    typer.Option("--png", callback=out_path, help="Also write the charts to this PNG file."),
]
HorizonOpt = Annotated[int, typer.Option("--horizon-days", min=1, help="Days ahead to forecast.")]
SegmentOpt = Annotated[
    str, typer.Option("--segment-by", help="Column whose values get their own model.")
]


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def _source(
    path: Path | None, stages: str | None, won: str | None, lost: str | None
) -> HistorySource:
    return HistorySource(
        path=path, stages=_names(stages), won_stages=_names(won), lost_stages=_names(lost)
    )


@contextmanager
def _workspace(ctx: typer.Context, source: HistorySource) -> Iterator[Session | None]:
    """The workspace's session, or None when the history comes from a file."""
    if source.path is not None:
        yield None
        return
    with unit_of_work(ctx) as session:
        yield session


def _write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise InvalidValueError(f"cannot write {path}: the folder {path.parent} does not exist")
    path.write_bytes(data)
    err_console.print(f"wrote {path}")


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _no_xlsx(xlsx: Path | None) -> None:
    if xlsx is not None:
        raise InvalidValueError(
            "--xlsx is not written for --by tier; use --json or --png, or leave --by out",
            details={"field": "xlsx"},
        )


def _print_tiers(doc: PipelineByTier) -> None:
    """The by-tier table (stats; with the forecast's columns when it has them)."""
    if doc.avatar is None:
        console.print(
            "no avatar has scored the accounts yet, so every deal is 'not scored': learn one "
            "with [bold]buyermap avatar learn --save NAME[/] (it scores every account)"
        )
    else:
        console.print(f"tiers of the avatar {doc.avatar.name!r} version {doc.avatar.version}")
    forecast = doc.horizon_days is not None
    title = f"By avatar tier (as of {doc.as_of})"
    if forecast:
        title += f", bookings within {doc.horizon_days} days"
    table = Table(title=title)
    columns = ["tier", "deals", "won", "lost", "win rate", "95%", "days to win", "open"]
    if forecast:
        columns += ["expected", "P10-P90"]
    for col in columns:
        table.add_column(col, justify="left" if col == "tier" else "right")
    for r in doc.by_tier:
        iv = r.win_rate_interval
        cells = [
            r.tier,
            f"{r.deals:,}",
            f"{r.won:,}",
            f"{r.lost:,}",
            "-" if r.win_rate is None else f"{r.win_rate:.0%}",
            "-" if iv is None else f"{iv[0]:.0%}-{iv[1]:.0%}",
            "-" if r.median_cycle_days is None else f"{r.median_cycle_days:.0f}",
            f"{compact_money(r.open_amount)} ({r.open_deals:,})",
        ]
        if forecast:
            b = r.expected_bookings_interval
            cells += [
                "-" if r.expected_bookings is None else compact_money(r.expected_bookings),
                "-" if b is None else f"{compact_money(b[0])}-{compact_money(b[1])}",
            ]
        table.add_row(*cells)
    console.print(table)
    for note in doc.notes:
        console.print(note, style="dim", highlight=False)


@group.command("stats")
def stats(
    ctx: typer.Context,
    history: HistoryOpt = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Break down by this column only (workspace: segment, owner, source, and "
            "persona when there is a persona run); tier: by the avatar tier of the deal's "
            "account (its own table and JSON key by_tier).",
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Use changes up to this day."),
    ] = None,
    stages: StagesOpt = None,
    won_stage: WonOpt = None,
    lost_stage: LostOpt = None,
    as_json: JsonOpt = False,
    xlsx: XlsxOpt = None,
    png: PngOpt = None,
) -> None:
    """Conversion, time in stage, losses, cohorts, velocity and stale deals.

    Example: [bold]buyermap pipeline stats --history changes.csv --by owner --json[/]

    Example: [bold]buyermap pipeline stats --xlsx stats.xlsx --png stats.png[/]

    Example: [bold]buyermap pipeline stats --by persona --json[/]

    Example: [bold]buyermap pipeline stats --by tier --json[/] (win rate with its interval,
    median days to win and open pipeline per avatar tier)
    """
    source = _source(history, stages, won_stage, lost_stage)
    if by == TIER:
        _no_xlsx(xlsx)
        tier_request = build(StatsRequest, as_of=as_of.date() if as_of else None)
        with _workspace(ctx, source) as session:
            by_tier = pipeline_stats_by_tier(session, tier_request, source=source)
        if png is not None:
            _write(png, to_png(tier_charts.win_rates(by_tier.result.outcomes)))
        if as_json:
            print_json(by_tier.document.model_dump(mode="json"))
            return
        _print_tiers(by_tier.document)
        return
    request = build(StatsRequest, by=by, as_of=as_of.date() if as_of else None)
    with _workspace(ctx, source) as session:
        analysed = pipeline_stats(session, request, source=source)
    result = analysed.result
    if xlsx is not None:
        _write(xlsx, export.stats_workbook(result))
    if png is not None:
        _write(png, to_png(pipeline_charts.overview(result)))
    if as_json:
        print_json(analysed.document.model_dump(mode="json"))
        return
    out = analysed.document.model_dump(mode="json")
    table = Table(title=f"Stages (as of {out['as_of']})")
    for col in ("stage", "reached", "to next", "win rate", "median days", "p90 days", "open"):
        table.add_column(col)
    for row in out["stages"]:
        t = row["time_in_stage"]
        table.add_row(
            row["stage"],
            str(row["reached"]),
            str(row["conversion_to_next"]),
            str(row["win_rate"]),
            str(t["median_days"]),
            str(t["p90_days"]),
            str(row["open_now"]),
        )
    console.print(table)
    v = out["velocity"]
    console.print(
        f"win rate {v['win_rate']}, velocity {_money(v['velocity_per_30_days'])} per 30 days, "
        f"{out['stale']['count']} stale deals"
    )
    for line in describe_left_out(out["left_out"]):
        console.print(line)


@group.command("forecast")
def forecast(
    ctx: typer.Context,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Forecast from this day (inclusive); default: the latest stage change.",
        ),
    ] = None,
    history: HistoryOpt = None,
    horizon_days: HorizonOpt = 90,
    simulations: Annotated[int, typer.Option("--simulations", min=10)] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED)] = 0,
    segment_by: SegmentOpt = "segment",
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Model refits mixed into the interval.")
    ] = 20,
    stages: StagesOpt = None,
    won_stage: WonOpt = None,
    lost_stage: LostOpt = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="tier: split the expected bookings (with P50, P10-P90), win rate, cycle "
            "time and open pipeline by the avatar tier of the deal's account.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    xlsx: XlsxOpt = None,
    png: PngOpt = None,
) -> None:
    """Bookings expected within the horizon, with P10/P50/P90 and the weighted pipeline.

    Example: [bold]buyermap pipeline forecast --history h.csv --as-of 2025-03-31 --json[/]

    With --xlsx/--png, also the cumulative bookings by week (the fan) as a sheet and chart.

    Example: [bold]buyermap pipeline forecast --by tier --json[/] (JSON key by_tier)
    """
    source = _source(history, stages, won_stage, lost_stage)
    if by is not None and by != TIER:
        raise typer.BadParameter(
            f"the forecast breaks down by tier only, not {by!r}; use --by tier",
            param_hint="--by",
        )
    request = build(
        ForecastRequest,
        as_of=as_of.date() if as_of else None,
        horizon_days=horizon_days,
        simulations=simulations,
        seed=seed,
        segment_by=segment_by,
        bootstrap=bootstrap,
    )
    if by == TIER:
        _no_xlsx(xlsx)
        with _workspace(ctx, source) as session:
            by_tier = pipeline_forecast_by_tier(session, request, source=source)
        forecasts = by_tier.result.forecasts or []
        if png is not None:
            _write(png, to_png(tier_charts.bookings(forecasts, horizon_days)))
        if as_json:
            print_json(by_tier.document.model_dump(mode="json"))
            return
        _print_tiers(by_tier.document)
        return
    with _workspace(ctx, source) as session:
        analysed = pipeline_forecast(session, request, source=source)
    result, fan, doc = analysed.result.forecast, analysed.result.fan, analysed.document
    if xlsx is not None:
        _write(xlsx, export.forecast_workbook(result, fan=fan))
    if png is not None:
        _write(png, to_png(forecast_charts.overview(result, fan)))
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    o, n = result.open_pipeline, result.with_new_deals
    table = Table(title=f"Bookings {doc.as_of} + {doc.horizon_days} days")
    for col in ("", "expected", "P10", "P50", "P90"):
        table.add_column(col)
    table.add_row(
        f"open pipeline ({result.open_deals} deals)",
        *(_money(x) for x in (o.expected, o.p10, o.p50, o.p90)),
    )
    table.add_row("with new deals", *(_money(x) for x in (n.expected, n.p10, n.p50, n.p90)))
    table.add_row("weighted pipeline", _money(result.weighted_pipeline), "", "", "")
    console.print(table)
    if result.at_risk:
        risk = Table(title="Deals at risk")
        for col in ("deal", "stage", "days", "amount", "p(win)", "fresh p(win)"):
            risk.add_column(col)
        for d in result.at_risk:
            risk.add_row(
                d.deal_id,
                d.stage,
                f"{d.days_in_stage:.0f}",
                _money(d.amount),
                f"{d.p_win:.2f}",
                f"{d.p_win_fresh:.2f}",
            )
        console.print(risk)
    for line in describe_left_out(result.evidence["left_out"]):
        console.print(line)


@group.command("backtest")
def backtest(
    ctx: typer.Context,
    history: HistoryOpt = None,
    horizon_days: HorizonOpt = 90,
    every_days: Annotated[
        int, typer.Option("--every-days", min=1, help="Days between origins.")
    ] = 91,
    warmup_days: Annotated[
        int, typer.Option("--warmup-days", min=1, help="History needed before the first origin.")
    ] = 180,
    simulations: Annotated[int, typer.Option("--simulations", min=10)] = 2_000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED)] = 0,
    segment_by: SegmentOpt = "segment",
    stages: StagesOpt = None,
    won_stage: WonOpt = None,
    lost_stage: LostOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rolling-origin backtest: error, bias and P10-P90 coverage, model vs weighted pipeline.

    Example: [bold]buyermap pipeline backtest --history changes.csv --horizon-days 90 --json[/]
    """
    source = _source(history, stages, won_stage, lost_stage)
    request = build(
        BacktestRequest,
        horizon_days=horizon_days,
        every_days=every_days,
        warmup_days=warmup_days,
        simulations=simulations,
        seed=seed,
        segment_by=segment_by,
    )
    with (
        _workspace(ctx, source) as session,
        Progress(console=err_console, transient=True) as bar,
    ):
        task = bar.add_task("backtest", total=None)
        analysed = pipeline_backtest(
            session,
            request,
            source=source,
            progress=lambda i, n: bar.update(task, completed=i, total=n),
        )
    result = analysed.result
    if as_json:
        print_json(analysed.document.model_dump(mode="json"))
        return
    table = Table(title=f"Backtest, {horizon_days}-day horizon")
    for col in ("as of", "deals", "expected", "P10", "P90", "weighted", "actual"):
        table.add_column(col)
    for x in result.origins:
        table.add_row(
            x.as_of.isoformat(),
            str(x.open_deals),
            *(_money(v) for v in (x.expected, x.p10, x.p90, x.weighted_pipeline, x.actual)),
        )
    console.print(table)
    console.print(result.summary())


def register(app: typer.Typer) -> None:
    """Registers the pipeline commands."""
    app.add_typer(group, name="pipeline")
