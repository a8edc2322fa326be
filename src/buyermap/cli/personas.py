"""``personas``: discover buyer personas from data, assign new rows, compare runs, cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from buyermap.analytics.personas import members as persona_contacts
from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.discover import PersonaResult
from buyermap.analytics.personas.loading import read_input
from buyermap.analytics.personas.runs import assign, compare, default_runs_dir, load_run
from buyermap.cli.common import (
    MAX_SEED,
    BuyermapGroup,
    console,
    err_console,
    print_json,
    state,
    step_progress,
    unit_of_work,
)
from buyermap.db.models import PersonaRun
from buyermap.errors import PersonaInputError
from buyermap.seams.personas import (
    PersonaSource,
    build_request,
    card_document,
    discover_personas,
    split,
)

T = TypeVar("T")

personas_app = typer.Typer(
    cls=BuyermapGroup,
    help="Buyer personas discovered from data, with the evidence behind them.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Registers the personas commands (``personas export`` is in its own module)."""
    from buyermap.cli import (
        personas_export,  # noqa: F401  (adds its command to personas_app)
        personas_words,  # noqa: F401  (create, edit, show, sheet, pack)
    )

    app.add_typer(personas_app, name="personas")


def _runs_dir(ctx: typer.Context, given: Path | None) -> Path:
    return given if given is not None else default_runs_dir(state(ctx).settings.database_url)


def resolve_run(
    ctx: typer.Context,
    ref: str | None,
    runs_dir: Path | None,
    *,
    stored: Callable[[Session, PersonaRun], T],
    from_file: Callable[[dict[str, Any]], T],
) -> T:
    """``stored`` applied to a run by id or key in the workspace (without ``ref``, the
    workspace's active run), else ``from_file`` applied to a run file (path, id or prefix);
    a ``ref`` naming an existing file is always the file."""
    if ref is not None and Path(ref).is_file():
        return from_file(load_run(ref))
    with unit_of_work(ctx) as session:
        run = svc.require_run(session) if ref is None else svc.find_run(session, ref=ref)
        if run is not None:
            return stored(session, run)
    assert ref is not None
    return from_file(load_run(ref, runs_dir=_runs_dir(ctx, runs_dir)))


def load_doc(ctx: typer.Context, ref: str | None, runs_dir: Path | None) -> dict[str, Any]:
    """A run by id or key in the workspace first, then a run file (path, id or prefix);
    without ``ref``, the workspace's active run."""
    return resolve_run(
        ctx, ref, runs_dir, stored=lambda _, run: svc.run_doc(run), from_file=lambda doc: doc
    )


def _print_result(result: PersonaResult, saved: str) -> None:
    for bucket in result.buckets:
        head = f"bucket {bucket.bucket!r}: " if bucket.bucket is not None else ""
        if bucket.refused:
            console.print(f"{head}[yellow]no personas[/]: {bucket.reason}")
            continue
        console.print(f"[bold]{head}{bucket.k} personas[/] from {bucket.n} rows ({bucket.reason})")
        table = Table("key", "name", "title", "share", "stability", "low evidence")
        for p in bucket.personas:
            stab = "-" if p.stability is None else f"{p.stability:.2f}"
            table.add_row(p.key, p.name, p.title, f"{p.share:.1%}", stab, "yes" * p.low_evidence)
        console.print(table)
        sel = Table("k", "BIC", "min share", "stability", "note", title="choice of k")
        for c in bucket.candidates:
            stab = "-" if c.mean_stability is None else f"{c.mean_stability:.2f}"
            mark = " *" if c.chosen else ""
            sel.add_row(f"{c.k}{mark}", f"{c.bic:.0f}", f"{c.min_share:.1%}", stab, c.note)
        console.print(sel)
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    console.print(f"run saved to {saved}")


@personas_app.command("discover")
def discover_cmd(
    ctx: typer.Context,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="CSV, TSV, XLSX or Parquet file; default: the contacts."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column that identifies a row.")
    ] = None,
    variables: Annotated[
        str | None,
        typer.Option(
            "--variables", help="Segmentation columns, comma-separated; NAME:KIND overrides."
        ),
    ] = None,
    exclude: Annotated[
        str | None, typer.Option("--exclude", help="Columns never to segment on.")
    ] = None,
    describe: Annotated[
        str | None, typer.Option("--describe", help="Columns profiled but not segmented on.")
    ] = None,
    role_column: Annotated[
        str | None,
        typer.Option("--role-column", help="Discover separately per value (buyer, end user)."),
    ] = None,
    k: Annotated[str, typer.Option("--k", help="'auto' or a number of personas.")] = "auto",
    k_max: Annotated[int, typer.Option("--k-max", help="Largest k tried with --k auto.")] = 8,
    min_share: Annotated[
        float, typer.Option("--min-share", help="Smallest share of rows a persona may hold.")
    ] = 0.05,
    assignments: Annotated[
        Path | None,
        typer.Option("--assignments", help="Write id, persona, probability per row (CSV)."),
    ] = None,
    quote_column: Annotated[
        str | None, typer.Option("--quote-column", help="Free text to quote per persona.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Random seed.")] = 0,
    restarts: Annotated[int, typer.Option("--restarts", help="EM restarts per k.")] = 10,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for stability.")
    ] = 10,
    fit_rows: Annotated[
        int, typer.Option("--fit-rows", help="Fit on a sample of at most this many rows.")
    ] = 20_000,
    runs_dir: Annotated[
        Path | None,
        typer.Option("--runs-dir", help="Also save the run as a JSON file in this folder."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Run below the evidence floor (low-evidence).")
    ] = False,
) -> None:
    """Discover buyer personas (latent class model; k by BIC and bootstrap stability).

    Without --input the workspace's contacts are segmented and the run is stored in the
    workspace (it becomes the active run; every contact gets its persona and probability);
    with --input the run is kept in the workspace too (with the file's name and hash, not
    made active), and also saved as a JSON file when --runs-dir is given.

    Refuses (exit code 2) with fewer than 100 rows or 10 rows per segmentation variable.
    The settings, their limits and the --json document are those of
    POST /api/v1/personas/discover (same names, with underscores).

    Example: [bold]buyermap personas discover --input survey.csv --id-column id --json[/]
    """
    request = build_request(
        variables=split(variables),
        exclude=split(exclude),
        describe=split(describe),
        role_column=role_column,
        quote_column=quote_column,
        k=k,
        k_max=k_max,
        min_share=min_share,
        seed=seed,
        restarts=restarts,
        bootstrap=bootstrap,
        fit_rows=fit_rows,
        force=force,
    )
    with step_progress(not json_out, "personas") as progress:
        if input is not None:
            # Kept in the workspace (file name and hash); a JSON file too with --runs-dir.
            source = PersonaSource(path=input, id_column=id_column)
            with unit_of_work(ctx) as session:
                found = discover_personas(
                    session, request, source=source, runs_dir=runs_dir, progress=progress
                )
        else:
            # Workspace mode: the run, its personas and every contact's persona are stored.
            with unit_of_work(ctx) as session:
                source = PersonaSource(id_column=id_column)
                found = discover_personas(session, request, source=source, progress=progress)
    document = found.document
    if assignments is not None:
        found.result.assignments.frame(found.result.query.id_column or "row").write_csv(assignments)
    if json_out:
        print_json(document.model_dump(mode="json"))
        return
    ref = document.run
    where = ref.path or f"the workspace (run {ref.id}{', active' if ref.active else ''})"
    _print_result(found.result, where)


@personas_app.command("assign")
def assign_cmd(
    ctx: typer.Context,
    run: Annotated[
        str | None,
        typer.Option("--run", help="Run id or key (default: the active run), or a run file."),
    ] = None,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="CSV, TSV, XLSX or Parquet file; default: the contacts."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="With --input: column that identifies a row.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="With --input: CSV to write (id, persona, p).")
    ] = None,
    new_only: Annotated[
        bool, typer.Option("--new-only", help="Only contacts without a persona in the run.")
    ] = False,
    runs_dir: Annotated[Path | None, typer.Option("--runs-dir", help="Where runs are.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Assign rows to the personas of a saved run, with a posterior probability.

    Without --input the workspace's contacts (all, or with --new-only those without a
    persona in the run) are assigned to the active run (or --run) and their persona and
    probability stored; the same as POST /api/v1/personas/runs/{run}/assign with --new-only.

    Example: [bold]buyermap personas assign --new-only --json[/]

    Example: [bold]buyermap personas assign --run RUN --input new.csv --id-column id --out a.csv[/]
    """
    if input is None:
        if id_column is not None or out is not None:
            raise PersonaInputError("--id-column and --out go with --input (a file of rows)")
        with unit_of_work(ctx) as session:
            found = svc.require_run(session, ref=run)
            report = persona_contacts.assign_contacts(session, run=found, only_missing=new_only)
        if json_out:
            print_json(asdict(report))
            return
        console.print(
            f"assigned {report.assigned} contacts to personas of run {report.run_key} "
            f"({report.new} new, {report.changed} changed, {report.unchanged} unchanged; "
            f"{report.kept} kept, {report.dropped} left without a persona)"
        )
        for key, count in report.personas.items():
            console.print(f"  {key}: {count}")
        return
    if id_column is None or out is None:
        raise PersonaInputError("--input needs --id-column and --out")
    if new_only:
        raise PersonaInputError("--new-only applies to the workspace's contacts (no --input)")
    doc = load_doc(ctx, run, runs_dir)
    result = assign(doc, read_input(input), id_column=id_column)
    frame = result.frame(id_column)
    frame.write_csv(out)
    counts = frame.group_by("persona").len().sort("persona", nulls_last=True)
    summary = {
        "run": doc["run_id"],
        "rows": frame.height,
        "out": str(out),
        "personas": {str(r["persona"]): int(r["len"]) for r in counts.iter_rows(named=True)},
        "mean_probability": round(float(frame["probability"].mean() or 0.0), 4),  # type: ignore[arg-type]
        "warnings": result.warnings,
    }
    if json_out:
        print_json(summary)
    else:
        for w in result.warnings:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
        console.print(f"assigned {frame.height} rows to personas of run {doc['run_id']} -> {out}")
        for key, count in summary["personas"].items():
            console.print(f"  {key}: {count}")


@personas_app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    run_a: Annotated[
        str, typer.Argument(help="The earlier run (workspace run id or key, file run id, file).")
    ],
    run_b: Annotated[str, typer.Argument(help="The later run (same forms).")],
    threshold: Annotated[
        float, typer.Option("--threshold", help="Change that counts as drift.")
    ] = 0.20,
    runs_dir: Annotated[Path | None, typer.Option("--runs-dir", help="Where runs are.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Match personas across two runs and report how much each changed (drift > 20%).

    Example: [bold]buyermap personas compare 20250101T120000 20250201T120000 --json[/]
    """
    report = compare(
        load_doc(ctx, run_a, runs_dir), load_doc(ctx, run_b, runs_dir), drift=threshold
    )
    if json_out:
        print_json(report)
        return
    table = Table("bucket", "A", "B", "share A", "share B", "share change", "profile change", "")
    for p in report["pairs"]:
        table.add_row(
            p["bucket"] or "",
            f"{p['a']} {p['name_a']}",
            f"{p['b']} {p['name_b']}",
            f"{p['share_a']:.1%}",
            f"{p['share_b']:.1%}",
            f"{p['share_change']:.0%}",
            f"{p['profile_change']:.0%}",
            "[red]drift[/]" if p["drift"] else "",
        )
    console.print(table)
    for key in report["only_in_a"]:
        console.print(f"[yellow]only in A:[/] {key}")
    for key in report["only_in_b"]:
        console.print(f"[yellow]only in B:[/] {key}")


@personas_app.command("card")
def card_cmd(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The persona's key (p1, p2, ...).")],
    run: Annotated[
        str | None, typer.Option("--run", help="Run id or key (default: the active run).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A persona's card: headline, portrait, goals and frustrations in words, and the
    evidence (traits with lift, interval and n; note themes; channels; quotes).

    The --json document is the one GET /api/v1/personas/{key} answers and the persona page
    renders.

    Example: [bold]buyermap personas card p1 --json[/]
    """
    with unit_of_work(ctx) as session:
        card = card_document(session, key=key, run=run)
    if json_out:
        print_json(card.model_dump(mode="json"))
        return
    console.print(f"[bold]{card.name}[/]: {card.headline}")
    console.print(f"{card.share:.0%} of contacts ({card.size:,} of the run's rows)")
    console.print(card.portrait)
    for title, lines in (("Goals", card.goals), ("Frustrations", card.frustrations)):
        if lines:
            console.print(f"\n[bold]{title}[/]")
            for line in lines:
                console.print(f"  - {line}")
    for quote in card.quotes[:3]:
        console.print(f'\n  "{quote.text}" ({quote.contact_name}, {quote.source})')
