"""``journeys answers``: form answers as the journeys' evidence (import, map, keywords,
list) and ``journeys themes``: the answers grouped into themes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli.common import (
    DryRunOpt,
    EncodingOpt,
    Json,
    PartialOpt,
    QuarantineOpt,
    console,
    print_json,
    unit_of_work,
    user_errors,
)
from buyermap.domain.journeys import stage_word
from buyermap.io.form_answers import import_form_answers, read_rows
from buyermap.seams import form_answers as seam
from buyermap.services import form_answers as svc

answers_app = typer.Typer(
    help="Form answers (Google Forms, Microsoft Forms, Typeform exports) kept as the "
    "journeys' evidence and persona quotes.",
    no_args_is_help=True,
)

PersonaFilter = Annotated[str | None, typer.Option("--persona", help="Only this persona's.")]


def register(journeys_app: typer.Typer) -> None:
    journeys_app.add_typer(answers_app, name="answers")
    journeys_app.command("themes")(journeys_themes)


@answers_app.command("import")
def answers_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A form export: CSV (any code page) or XLSX.")],
    persona: Annotated[
        str | None,
        typer.Option(help="The persona of respondents the workspace does not place in one."),
    ] = None,
    persona_column: Annotated[
        str | None, typer.Option(help="A column of the file that names each response's persona.")
    ] = None,
    encoding: EncodingOpt = None,
    partial: PartialOpt = False,
    dry_run: DryRunOpt = False,
    quarantine: QuarantineOpt = None,
    as_json: Json = False,
) -> None:
    """Keep the open answers of a form export (a timestamp column, optionally the
    respondent's email, one column per question), each under its respondent's persona.

    Example: [bold]buyermap journeys answers import interviews.csv --persona it_director[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        report = import_form_answers(
            session,
            path=file,
            persona=persona,
            persona_column=persona_column,
            encoding=encoding,
            partial=partial,
            dry_run=dry_run,
            quarantine=quarantine,
        )
        if as_json:
            print_json(report.to_dict())
        else:
            for b in report.bad:
                console.print(f"  line {b.line}: {b.reason}", highlight=False, markup=False)
            for key, n in report.personas.items():
                console.print(f"{key}: {n} answers", highlight=False)
            console.print(
                f"{report.responses} responses, {report.answers} answers: "
                f"{report.imported} new, {report.updated} changed, {report.unchanged} unchanged; "
                f"{report.rejected} rows rejected"
                + (f" (in {report.quarantine_path})" if report.quarantine_path else "")
                + ("" if report.committed else "; nothing written"),
                highlight=False,
                markup=False,
            )
            unmapped = [q["question"] for q in report.questions if q["stage"] is None]
            if unmapped:
                console.print(
                    f"{len(unmapped)} questions not mapped to a stage yet: buyermap journeys "
                    "answers map FILE (columns question,stage,objection)",
                    highlight=False,
                )
        if report.rejected and not partial:
            raise typer.Exit(1)  # rolls the transaction back


@answers_app.command("map")
def answers_map(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="CSV/XLSX with columns question,stage[,objection].")
    ] = None,
    question: Annotated[str | None, typer.Option(help="One question's text.")] = None,
    stage: Annotated[str | None, typer.Option(help="Its journey stage (with --question).")] = None,
    objection: Annotated[str, typer.Option(help="An objection's key (with --question).")] = "",
    as_json: Json = False,
) -> None:
    """Say which journey stage (and objection) the answers to each question belong to; the
    kept answers are filed there too.

    Example: [bold]buyermap journeys answers map --question "Co Cię powstrzymuje?" --stage
    purchase --objection price[/]
    """
    if (file is None) == (question is None) or (question is not None and not stage):
        raise typer.BadParameter("give FILE, or --question with --stage")
    if file is not None:
        rows = [
            (line, r["question"], r["stage"], r.get("objection", ""))
            for line, r in read_rows(file, required=("question", "stage"), optional=("objection",))
        ]
    else:
        rows = [(1, question or "", stage or "", objection)]
    with user_errors(), unit_of_work(ctx) as session:
        mapped = svc.map_questions(session, rows)
    if as_json:
        print_json({"questions": mapped})
        return
    for m in mapped:
        obj = f", objection {m['objection']}" if m["objection"] else ""
        console.print(
            f"{m['question']}: {stage_word(m['stage'])}{obj} ({m['answers']} answers)",
            highlight=False,
            markup=False,
        )


@answers_app.command("keywords")
def answers_keywords(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV/XLSX with columns kind,key,word.")],
    as_json: Json = False,
) -> None:
    """Keyword rules for the themes: ``kind`` stage or objection, ``key`` the stage or the
    objection's key, ``word`` a keyword (inflections match: cena, ceny, cenie) or a prefix
    (cen*).

    Example: [bold]buyermap journeys answers keywords keywords.csv[/]
    """
    rows = [
        (line, r["kind"], r["key"], r["word"])
        for line, r in read_rows(file, required=("kind", "key", "word"))
    ]
    with user_errors(), unit_of_work(ctx) as session:
        added = svc.set_keywords(session, rows)
        total = len(svc.keyword_rules(session))
    if as_json:
        print_json({"rows": len(rows), "added": added, "rules": total})
        return
    console.print(f"{added} keywords added ({len(rows)} rows); {total} rules", highlight=False)


@answers_app.command("list")
def answers_list(
    ctx: typer.Context,
    persona: PersonaFilter = None,
    question: Annotated[str | None, typer.Option(help="Only the answers to this question.")] = None,
    as_json: Json = False,
) -> None:
    """The kept answers, oldest first.

    Example: [bold]buyermap journeys answers list --persona it_director --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.answers_document(session, persona=persona, question=question)
    if as_json:
        print_json(doc)
        return
    if not doc["answers"]:
        console.print("No answers kept yet: buyermap journeys answers import FILE")
        return
    table = Table("persona", "question", "answer", "stage", "when")
    for a in doc["answers"]:
        table.add_row(
            a["persona"],
            a["question"],
            a["answer"],
            stage_word(a["stage"]) if a["stage"] else "",
            a["answered_at"][:10],
        )
    console.print(table)


def journeys_themes(
    ctx: typer.Context,
    persona: PersonaFilter = None,
    clusters: Annotated[
        int, typer.Option(min=1, max=20, help="At most this many clusters of the rest.")
    ] = seam.MAX_CLUSTERS,
    as_json: Json = False,
) -> None:
    """The kept form answers grouped into themes (keyword rules first, clusters of the
    rest), each with the stage or objection it suggests.

    Example: [bold]buyermap journeys themes --persona it_director --json[/]
    """
    with user_errors(), unit_of_work(ctx) as session:
        doc = seam.themes_document(session, persona=persona, max_clusters=clusters)
    if as_json:
        print_json(doc)
        return
    for t in doc["themes"]:
        s = t["suggested"]
        said = f" -> {s['kind']} {s['key']}" if s else ""
        console.print(f"{t['label']} ({t['answers']} answers){said}", highlight=False, markup=False)
        for e in t["examples"]:
            console.print(f"    “{e}”", highlight=False, markup=False)
    console.print(f"{doc['answers']} answers, {doc['unthemed']} in no theme", highlight=False)
    for note in doc["notes"]:
        console.print(f"note: {note}", highlight=False, markup=False)
