"""``personas create/edit/show/sheet/pack``: hand-made personas, the words given to
discovered ones, department sheets and the workshop pack (docs/personas.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from buyermap.cli.common import console, print_json, unit_of_work
from buyermap.cli.personas import personas_app
from buyermap.errors import InvalidValueError, PersonaInputError
from buyermap.schemas.persona_profiles import (
    DEPARTMENTS,
    PersonaProfileCreate,
    PersonaProfilePublic,
    PersonaProfileUpdate,
)
from buyermap.seams import persona_profiles as seam
from buyermap.seams.requests import build
from buyermap.services.persona_profiles import normalise_picture

M = TypeVar("M", PersonaProfileCreate, PersonaProfileUpdate)

NameOpt = Annotated[str | None, typer.Option("--name", help="The persona's name.")]
DescOpt = Annotated[str | None, typer.Option("--description", help="A short description in words.")]
RoleOpt = Annotated[
    str | None, typer.Option("--role", help="buyer or end_user.", show_default=False)
]
DemoOpt = Annotated[str | None, typer.Option("--demographics", help="Age, place, job, ...")]
ListOpt = Annotated[list[str] | None, typer.Option(help="Repeat for several.")]
OnlineOpt = Annotated[str | None, typer.Option("--online", help="Behaviour online.")]
OfflineOpt = Annotated[str | None, typer.Option("--offline", help="Behaviour offline.")]
ObjectionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--objection", help="'OBJECTION | OUR ANSWER' (the answer may be left out); repeat."
    ),
]
PictureOpt = Annotated[
    Path | None, typer.Option("--picture", help="A PNG, JPEG, GIF or WebP picture.")
]
RunOpt = Annotated[
    str | None, typer.Option("--run", help="Run id or key (default: the active run).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _objections(values: list[str] | None) -> list[dict[str, str]] | None:
    if values is None:
        return None
    out = []
    for value in values:
        objection, _, answer = value.partition("|")
        out.append({"objection": objection.strip(), "answer": answer.strip()})
    return out


def _values(**given: Any) -> dict[str, Any]:
    """The options a user gave (left-out ones are not changed)."""
    given["objections"] = _objections(given.pop("objection"))
    return {k: v for k, v in given.items() if v is not None}


def _build(model: type[M], values: dict[str, Any]) -> M:
    """The body from the options; a bad value names the option (exit code 2)."""
    try:
        return build(model, **values)
    except InvalidValueError as exc:
        raise PersonaInputError(exc.message, details=exc.details) from None


def _picture(path: Path | None) -> bytes | None:
    if path is None:
        return None
    if not path.is_file():
        raise PersonaInputError(f"--picture {str(path)!r} is no file; give a picture file")
    try:
        return normalise_picture(path.read_bytes(), name=path.name)
    except InvalidValueError as exc:
        raise PersonaInputError(f"--picture: {exc.message}") from None


def _print(p: PersonaProfilePublic, json_out: bool) -> None:
    if json_out:
        print_json(p.model_dump(mode="json"))
        return
    console.print(f"[bold]{p.name}[/] ({p.key}, {p.origin.replace('_', '-')})")
    console.print(("[green]" if p.backed_by_data else "[red]") + p.note + "[/]")
    if p.evidence is not None:
        e = p.evidence
        console.print(
            f"{e.share:.0%} of {e.n:,} rows ({e.size:,}) in run {e.run_key}; "
            f"discovered as {e.discovered_name}"
        )
    if p.description:
        console.print(p.description)
    for title, lines in (("Goals", p.goals), ("Frustrations", p.frustrations)):
        if lines:
            console.print(f"[bold]{title}[/]: " + "; ".join(lines))


@personas_app.command("create")
def create_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The persona's name.")],
    description: DescOpt = None,
    role: RoleOpt = None,
    demographics: DemoOpt = None,
    goal: ListOpt = None,
    frustration: ListOpt = None,
    online: OnlineOpt = None,
    offline: OfflineOpt = None,
    channel: ListOpt = None,
    message: ListOpt = None,
    objection: ObjectionOpt = None,
    question: ListOpt = None,
    picture: PictureOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make a persona by hand (a workshop's result): not backed by data, and said so in
    pages, the API, exports and sheets. Its key is h- and its name (h-lucja-nowak).

    Example: [bold]buyermap personas create --name "Łucja Nowak" --role buyer
    --goal "Fewer tools" --objection "Too expensive | Priced per seat" --json[/]
    """
    values = _values(
        name=name, description=description, role=role, demographics=demographics,
        goals=goal, frustrations=frustration, behaviour_online=online,
        behaviour_offline=offline, channels=channel, messages=message, objection=objection,
        questions=question,
    )  # fmt: skip
    body = _build(PersonaProfileCreate, values)
    data = _picture(picture)
    with unit_of_work(ctx) as session:
        made = seam.create_persona(session, body, picture_bytes=data)
    _print(made, json_out)


@personas_app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="h-... (hand-made) or p1, p2, ... (discovered).")],
    name: NameOpt = None,
    description: DescOpt = None,
    role: RoleOpt = None,
    demographics: DemoOpt = None,
    goal: ListOpt = None,
    frustration: ListOpt = None,
    online: OnlineOpt = None,
    offline: OfflineOpt = None,
    channel: ListOpt = None,
    message: ListOpt = None,
    objection: ObjectionOpt = None,
    question: ListOpt = None,
    picture: PictureOpt = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse if the persona moved on since.")
    ] = None,
    run: RunOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Edit a persona's words; options left out keep their value, a list option replaces
    the list. A discovered persona can be renamed and described: its run's numbers stay.

    Example: [bold]buyermap personas edit p1 --name "Zsófia" --description "Runs IT" --json[/]
    """
    values = _values(
        name=name, description=description, role=role, demographics=demographics,
        goals=goal, frustrations=frustration, behaviour_online=online,
        behaviour_offline=offline, channels=channel, messages=message, objection=objection,
        questions=question, version=version,
    )  # fmt: skip
    body = _build(PersonaProfileUpdate, values)
    data = _picture(picture)
    with unit_of_work(ctx) as session:
        edited = seam.edit_persona(session, key=key, body=body, run=run, picture_bytes=data)
    _print(edited, json_out)


@personas_app.command("show")
def show_cmd(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="h-... (hand-made) or p1, p2, ... (discovered).")],
    run: RunOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A persona in words with its origin (hand_made or discovered) and, for a
    discovered one, the run's evidence. The document GET /api/v1/personas/{key}/profile
    answers.

    Example: [bold]buyermap personas show h-lucja-nowak --json[/]
    """
    with unit_of_work(ctx) as session:
        shown = seam.show_persona(session, key=key, run=run)
    _print(shown, json_out)


@personas_app.command("sheet")
def sheet_cmd(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="h-... (hand-made) or p1, p2, ... (discovered).")],
    out: Annotated[Path, typer.Option("--out", help="sheet.pdf or sheet.html")],
    department: Annotated[
        str, typer.Option("--department", help="marketing, sales, product or support.")
    ] = "sales",
    run: RunOpt = None,
) -> None:
    """A persona's sheet for one department, as a one-page PDF or a standalone HTML page.

    Example: [bold]buyermap personas sheet p1 --department sales --out sheet.pdf[/]
    """
    if department not in DEPARTMENTS:
        raise PersonaInputError(
            f"--department {department!r} is not one of {', '.join(DEPARTMENTS)}"
        )
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise PersonaInputError(f"--out {str(out)!r}: write a .pdf or an .html file")
    with unit_of_work(ctx) as session:
        data = seam.sheet_file(session, key=key, department=department, fmt=fmt, run=run)
    out.write_bytes(data)
    console.print(f"{department} sheet of {key} written to {out}")


@personas_app.command("pack")
def pack_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="The PDF or PowerPoint (.pptx) file to write.")],
    run: RunOpt = None,
) -> None:
    """The workshop pack: every persona (the active run's and the hand-made ones) with
    its marketing, sales, product and support sheets and its journey map, as one PDF or
    an editable PowerPoint deck (by the file's suffix).

    Example: [bold]buyermap personas pack workshop.pdf[/] or [bold]workshop.pptx[/]
    """
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in seam.PACK_FORMATS:
        raise PersonaInputError(
            f"{str(out)!r}: the pack is a PDF or a PowerPoint deck; name it *.pdf or *.pptx"
        )
    with unit_of_work(ctx) as session:
        data, count = seam.workshop_pack(session, run=run, format=fmt)
    out.write_bytes(data)
    console.print(f"{count} personas' sheets and journey maps written to {out}")
