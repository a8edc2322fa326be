"""``personas export``: a run to XLSX, or one persona card to PDF/PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from buyermap.analytics.personas.avatar import save_avatar
from buyermap.analytics.personas.cards import card_image, card_image_of, persona_card
from buyermap.analytics.personas.export import export_run
from buyermap.cli.common import console, out_path
from buyermap.cli.personas import load_doc, personas_app, resolve_run
from buyermap.db.models import PersonaRun
from buyermap.errors import PersonaInputError


@personas_app.command("export")
def export_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Argument(help="XLSX file to write (all personas of the run).")
    ] = None,
    run: Annotated[
        str | None,
        typer.Option("--run", help="Run id or key, or run file; default: the active run."),
    ] = None,
    card: Annotated[
        str | None, typer.Option("--card", help="Export one persona card (its key, e.g. p1).")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", callback=out_path, help="With --card: write a PDF.")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", callback=out_path, help="With --card: write a PNG.")
    ] = None,
    avatars: Annotated[
        Path | None,
        typer.Option("--avatars", help="Also write one avatar PNG per persona to this folder."),
    ] = None,
    runs_dir: Annotated[Path | None, typer.Option("--runs-dir", help="Where runs are.")] = None,
) -> None:
    """Export a run to XLSX (personas with avatars, traits, choice of k, provenance), or one
    persona card to PDF/PNG (avatar, name and title, share, top traits with lift and
    interval bars, quotes).

    Example: [bold]buyermap personas export personas.xlsx --avatars pics[/]

    Example: [bold]buyermap personas export --card p1 --pdf p1.pdf --png p1.png[/]
    """
    if card is None and (pdf is not None or png is not None):
        raise PersonaInputError("--pdf and --png export a persona card: add --card KEY")
    if card is not None and pdf is None and png is None:
        raise PersonaInputError("--card needs --pdf OUT.pdf and/or --png OUT.png")
    if card is None and out is None and avatars is None:
        raise PersonaInputError("give an XLSX file to write, or --card KEY with --pdf/--png")
    if card is not None:
        _export_card(ctx, run, card, {"pdf": pdf, "png": png}, runs_dir)
        if out is None and avatars is None:
            return
    doc = load_doc(ctx, run, runs_dir)
    if out is not None:
        export_run(doc, out)
        console.print(f"wrote {out}")
    if avatars is not None:
        for p in doc["result"]["personas"]:
            path = save_avatar(p["name"], p["title"], avatars / f"{p['key']}.png")
            console.print(f"wrote {path}")


def _export_card(
    ctx: typer.Context,
    ref: str | None,
    key: str,
    targets: dict[str, Path | None],
    runs_dir: Path | None,
) -> None:
    """A card of a workspace run (with quotes from notes and surveys) or of a run file."""
    formats = [f for f, t in targets.items() if t]

    def of_stored(session: Session, run: PersonaRun) -> dict[str, bytes]:
        found = persona_card(session, run=run, key=key)
        return {f: card_image_of(found, fmt=f) for f in formats}

    def of_file(doc: dict[str, Any]) -> dict[str, bytes]:
        persona = next((p for p in doc["result"]["personas"] if p["key"] == key), None)
        if persona is None:
            keys = ", ".join(p["key"] for p in doc["result"]["personas"])
            raise PersonaInputError(f"no persona {key!r} in run {doc['run_id']}; personas: {keys}")
        return {
            f: card_image(
                persona,
                n=int(doc["result"]["n"]),
                quotes=list(persona.get("quotes", [])),
                run_label=f"run {doc['run_id']}",
                fmt=f,
            )
            for f in formats
        }

    images = resolve_run(ctx, ref, runs_dir, stored=of_stored, from_file=of_file)
    for fmt, data in images.items():
        target = targets[fmt]
        assert target is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        console.print(f"wrote {target}")
