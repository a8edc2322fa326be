"""``demo``: build a believable, seeded demo workspace, then explore it on the web."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from buyermap.cli.common import (
    MAX_SEED,
    console,
    err_console,
    fail,
    print_json,
    state,
    unit_of_work,
)
from buyermap.cli.serve import serve
from buyermap.demo import DemoSummary, wipe_workspace, workspace_has_data
from buyermap.demo.workspace import BuiltDemo
from buyermap.seams.demo import DemoWorkspace, build_demo_workspace
from buyermap.services.workspace import workspace_status


def register(app: typer.Typer) -> None:
    """Registers the demo command."""
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Build the workspace and print what is in it.")
    ] = False,
    seed: Annotated[
        int,
        typer.Option(min=0, max=MAX_SEED, help="Random seed: the same seed gives the same data."),
    ] = 7,
    scale: Annotated[
        float, typer.Option(min=0.01, max=10.0, help="Size factor: 1.0 is about 2,000 accounts.")
    ] = 1.0,
    host: Annotated[str | None, typer.Option(help="Address for the web workbench.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Wipe a workspace that holds data, then rebuild.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --no-serve: print the workspace status JSON.")
    ] = False,
) -> None:
    """Build a seeded demo workspace of a B2B seller, then open the web workbench.

    Accounts, buying committees, deals with two years of stage history, notes and surveys;
    then the personas are discovered and the customer avatar "demo" is learned from the
    accounts, so every account carries a fit, a tier and reasons.

    Planted structure for the analyses to find: see docs/demo-data.md.

    Example: [bold]buyermap --db demo.db demo --no-serve --seed 7 --scale 0.5[/]
    """
    if as_json and not no_serve:
        raise fail("--json prints the workspace status instead of serving; add --no-serve")
    url = state(ctx).workspace().url
    started = time.perf_counter()
    with unit_of_work(ctx) as session:
        holds_data = workspace_has_data(session)
    if holds_data and not force and not no_serve:
        # Running the README's command again opens what is there instead of failing.
        err_console.print(
            f"the workspace {url} already holds data: serving it as it is "
            "(add --force to wipe it and rebuild the demo)"
        )
        serve(ctx, host=host, port=port)
        return
    if holds_data and not force:
        raise fail(
            f"the workspace {url} already holds data; use another --db, "
            "or add --force to wipe it and build the demo"
        )
    with unit_of_work(ctx) as session:
        if holds_data:
            wipe_workspace(session)
        with Progress(
            TextColumn("[bold]demo[/] {task.description:<18}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        ) as bar:
            task = bar.add_task("starting", total=None)

            def progress(label: str, done: int, total: int) -> None:
                bar.update(task, description=label, completed=done, total=total)

            demo_ws = build_demo_workspace(session, seed=seed, scale=scale, progress=progress)
            summary = demo_ws.built.summary
            personas_line = _personas_line(demo_ws.built)
            avatar_line = _avatar_line(demo_ws)
            known = demo_ws.knowledge
        status = workspace_status(session, database=url)
    seconds = time.perf_counter() - started
    if not no_serve:
        err_console.print(f"demo workspace built in {seconds:.1f} s: {url}")
        serve(ctx, host=host, port=port)
        return
    if as_json:
        print_json(status.model_dump())
        return
    _print_summary(summary, url, seconds)
    console.print(personas_line, highlight=False)
    console.print(avatar_line, highlight=False)
    if known is not None:
        console.print(
            f"knowledge: {known.values:,} values at {known.accounts:,} accounts "
            f"({known.stale:,} stale), {known.criteria:,} supplier criteria; "
            "buyermap knowledge completeness",
            highlight=False,
        )


def _personas_line(built: BuiltDemo) -> str:
    """Personas from the demo contacts (fitted on a sample); a tiny demo may be refused."""
    if built.refused:
        err_console.print(f"[yellow]{built.personas}[/]", highlight=False)
        return f"[yellow]{built.personas}[/]"
    return f"{built.personas}, /personas"


def _avatar_line(demo_ws: DemoWorkspace) -> str:
    """The avatar learned from the demo's accounts; a tiny demo may be refused."""
    if demo_ws.avatar_refused:
        err_console.print(f"[yellow]{demo_ws.avatar}[/]", highlight=False)
        return f"[yellow]{demo_ws.avatar}[/]"
    return f"{demo_ws.avatar}, buyermap avatar score --avatar demo"


def _print_summary(summary: DemoSummary, url: str, seconds: float) -> None:
    table = Table(title="demo workspace", caption=f"seed {summary.seed}, scale {summary.scale:g}")
    table.add_column("records")
    table.add_column("count", justify="right")
    for key, value in summary.counts().items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)
    console.print(f"built in {seconds:.1f} s as of {summary.as_of.date()}: {url}")
    console.print("explore it with [bold]buyermap serve[/]; what is planted: docs/demo-data.md")
