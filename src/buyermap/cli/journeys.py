"""``journeys``: buyer-journey maps per persona (import, export, show, publish, diff, gaps),
and ``content``: the content library they are measured against."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli import journeys_answers
from buyermap.cli.common import (
    DryRunOpt,
    EncodingOpt,
    Json,
    PartialOpt,
    QuarantineOpt,
    console,
    out_path,
    print_json,
    unit_of_work,
)
from buyermap.domain.journeys import TemplateName, stage_word
from buyermap.io.content import import_content
from buyermap.io.journeys import export_journeys, import_journeys
from buyermap.seams import journeys as seam
from buyermap.services import journeys as svc

journeys_app = typer.Typer(
    help="Buyer-journey maps per persona: stages, tasks, questions, channels, objections, "
    "our answers and content; their gaps.",
    no_args_is_help=True,
)
content_app = typer.Typer(
    help="The content library: assets with their personas, stages and objections answered.",
    no_args_is_help=True,
)

PersonaOpt = Annotated[str, typer.Option("--persona", help="The persona's key.")]


def register(app: typer.Typer) -> None:
    journeys_answers.register(journeys_app)
    app.add_typer(journeys_app, name="journeys")
    app.add_typer(content_app, name="content")


@journeys_app.command("import")
def journeys_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A long CSV/XLSX, or a `journeys export` workbook.")],
    template: Annotated[
        TemplateName | None,
        typer.Option(
            help="Stage template of new maps (default seed5; custom: the file's stages).",
        ),
    ] = None,
    encoding: EncodingOpt = None,
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    quarantine: QuarantineOpt = None,
    as_json: Json = False,
) -> None:
    """Set the journey maps of the personas the file names (columns
    persona,stage,kind,key,text,ref); a persona no run has is made by hand.

    Example: [bold]buyermap journeys import journeys.csv --template b2b6 --json[/]
    """
    with unit_of_work(ctx) as session:
        report = import_journeys(
            session,
            path=file,
            template=None if template is None else template.value,
            encoding=encoding,
            partial=partial,
            dry_run=dry_run,
            quarantine=quarantine,
        )
        if as_json:
            print_json(report.to_dict())
        else:
            for e in report.errors:
                console.print(
                    f"  row {e.row} (line {e.line}) {e.column}: {e.reason}", highlight=False
                )
            for p in report.personas:
                made = " (made by hand: not backed by data)" if p.created else ""
                console.print(
                    f"{p.persona}{made}: {p.lines} lines, {p.changes} changes", highlight=False
                )
            for note in report.notes:
                console.print(f"note: {note}", highlight=False)
            console.print(
                f"{report.changes} changes; {report.rejected} rows rejected"
                + (f" (in {report.quarantine_path})" if report.quarantine_path else "")
                + ("" if report.committed else "; nothing written"),
                highlight=False,
            )
        if report.rejected and not partial:
            raise typer.Exit(1)  # rolls the transaction back


@journeys_app.command("export")
def journeys_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(callback=out_path, help="The workbook to write (.xlsx).")],
    persona: Annotated[str | None, typer.Option(help="Only this persona's map.")] = None,
    as_json: Json = False,
) -> None:
    """Write the maps as the workshop's editable workbook: one sheet per persona, stages
    as columns, rows grouped by kind. Import it back with `journeys import`.

    Example: [bold]buyermap journeys export workshop.xlsx[/]
    """
    with unit_of_work(ctx) as session:
        sheets = export_journeys(session, path=out, persona=persona)
    if as_json:
        print_json({"file": str(out), "sheets": sheets})
    else:
        console.print(f"{sheets} persona sheets written to {out}", highlight=False)


@journeys_app.command("show")
def journeys_show(ctx: typer.Context, persona: PersonaOpt, as_json: Json = False) -> None:
    """A persona's journey map, stage by stage.

    Example: [bold]buyermap journeys show --persona it_director --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = seam.journey_document(session, persona=persona)
    if as_json:
        print_json(doc)
        return
    console.print(
        f"{doc['name']} ({doc['persona']}): {doc['template_words']}, {doc['status']}",
        highlight=False,
    )
    for stage in doc["stages"]:
        console.print(f"[bold]{stage['label']}[/]")
        for kind in doc["kinds"]:
            for line in stage["lines"][kind["key"]]:
                tag = f"[{line['key'] or line['ref']}] " if line["key"] or line["ref"] else ""
                console.print(
                    f"  {kind['label']}: {tag}{line['text']}", highlight=False, markup=False
                )


@journeys_app.command("publish")
def journeys_publish(ctx: typer.Context, persona: PersonaOpt, as_json: Json = False) -> None:
    """Publish a persona's draft as its next numbered version.

    Example: [bold]buyermap journeys publish --persona it_director[/]
    """
    with unit_of_work(ctx) as session:
        version = svc.publish(session, persona=persona)
        doc = {"persona": persona, "version": version.number, "lines": len(version.lines)}
    if as_json:
        print_json(doc)
    else:
        console.print(f"{persona}: version {doc['version']} published", highlight=False)


@journeys_app.command("diff")
def journeys_diff(
    ctx: typer.Context,
    persona: PersonaOpt,
    from_version: Annotated[
        str | None, typer.Option("--from", help="A version number (default: last published).")
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="A version number or draft (default: draft).")
    ] = None,
    as_json: Json = False,
) -> None:
    """What changed in a persona's map between two versions.

    Example: [bold]buyermap journeys diff --persona it_director --from 1 --to draft --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = seam.diff_document(
            session, persona=persona, from_version=from_version, to_version=to_version
        )
    if as_json:
        print_json(doc)
        return
    console.print(f"from {doc['from']} to {doc['to']}: {doc['changes']} changes", highlight=False)
    for c in doc["diff"]:
        before = f" (was: {c['before']})" if c["before"] else ""
        console.print(
            f"  {c['change']} {stage_word(c['stage'])} {c['kind']}: {c['text']}{before}",
            highlight=False,
            markup=False,
        )


@journeys_app.command("gaps")
def journeys_gaps(
    ctx: typer.Context,
    persona: Annotated[str | None, typer.Option(help="Only this persona's map.")] = None,
    as_json: Json = False,
) -> None:
    """Where we say nothing: content per persona and stage, objections neither answered
    nor addressed by content, questions nobody answers, ranked by what the persona is worth.

    Example: [bold]buyermap journeys gaps --persona it_director --json[/]
    """
    with unit_of_work(ctx) as session:
        result = seam.gaps(session, persona=persona)
    if as_json:
        print_json(result.to_dict())
        return
    table = Table("persona", "stage", "content", "inbound", "outbound", "objections", "unanswered")
    for c in result.cells:
        table.add_row(
            c.persona,
            stage_word(c.stage),
            str(c.content_count),
            str(c.inbound),
            str(c.outbound),
            str(c.objections),
            str(c.unanswered),
        )
    console.print(table)
    console.print(f"weights: {result.weighting_words}", highlight=False)
    for p in result.priorities[:15]:
        console.print(
            f"  {p.rank}. {p.persona} / {stage_word(p.stage)}: {p.what} (score {p.score:g})",
            highlight=False,
            markup=False,
        )


@content_app.command("import")
def content_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A content-audit CSV or XLSX.")],
    encoding: EncodingOpt = None,
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    quarantine: QuarantineOpt = None,
    as_json: Json = False,
) -> None:
    """Add or update content assets (columns title,url,type,personas,stages,objections;
    several values separated by ';'); an asset is known by its URL.

    Example: [bold]buyermap content import audit.csv --json[/]
    """
    with unit_of_work(ctx) as session:
        report = import_content(
            session,
            path=file,
            encoding=encoding,
            partial=partial,
            dry_run=dry_run,
            quarantine=quarantine,
        )
        if as_json:
            print_json(report.to_dict())
        else:
            for e in report.errors:
                console.print(
                    f"  row {e.row} (line {e.line}) {e.column}: {e.reason}", highlight=False
                )
            for note in report.notes:
                console.print(f"note: {note}", highlight=False)
            console.print(
                f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged; "
                f"{report.rejected} rows rejected"
                + ("" if report.committed else "; nothing written"),
                highlight=False,
            )
        if report.rejected and not partial:
            raise typer.Exit(1)


@content_app.command("list")
def content_list(
    ctx: typer.Context,
    persona: Annotated[str | None, typer.Option(help="Only assets for this persona.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only assets for this stage key.")] = None,
    as_json: Json = False,
) -> None:
    """The content library (an asset naming no persona or stage is for all).

    Example: [bold]buyermap content list --persona it_director --json[/]
    """
    with unit_of_work(ctx) as session:
        assets = seam.content_documents(session, persona=persona, stage=stage)
    if as_json:
        print_json({"assets": assets})
        return
    table = Table("title", "type", "personas", "stages", "answers", "direction")
    for a in assets:
        table.add_row(
            a["title"],
            a["type"],
            "; ".join(a["personas"]) or "all",
            "; ".join(a["stages"]) or "all",
            "; ".join(a["objections"]),
            a["direction"],
        )
    console.print(table)
