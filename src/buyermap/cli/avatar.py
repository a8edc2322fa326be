"""``avatar``: learn the customer avatar from who really buys, and score companies with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from buyermap.cli import avatar_rules
from buyermap.cli.common import (
    MAX_SEED,
    BuyermapGroup,
    console,
    out_path,
    print_json,
    step_progress,
    unit_of_work,
)
from buyermap.cli.mutual import avatar_mutual
from buyermap.schemas.avatars import AvatarSummary
from buyermap.seams.avatar import (
    AvatarLearned,
    AvatarPersonas,
    AvatarScored,
    AvatarSource,
    Learned,
    avatar_list,
    avatar_personas,
    build_request,
    learn_avatar,
    score_avatar,
    split,
)

avatar_app = typer.Typer(
    cls=BuyermapGroup,
    help="The customer avatar: which companies buy, learned from outcomes, and their fit.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    avatar_app.command("mutual")(avatar_mutual)
    avatar_rules.register(avatar_app)
    app.add_typer(avatar_app, name="avatar")


def _print_learned(doc: AvatarLearned) -> None:
    low, high = doc.auc_interval
    console.print(
        f"[bold]avatar[/] from {doc.n:,} rows ({doc.positives:,} buyers, base rate "
        f"{doc.base_rate:.1%}): AUC {doc.auc:.3f} (95% interval {low:.3f}-{high:.3f}), "
        f"evidence {doc.evidence}"
    )
    tiers = Table("tier", "share", "buyers", "lift", "fit from", title="tiers (out of fold)")
    for t in doc.tiers:
        tiers.add_row(
            t.tier, f"{t.share:.0%}", f"{t.positive_rate:.1%}", f"{t.lift:.2f}x", f"{t.min_fit:.0f}"
        )
    console.print(tiers)
    traits = Table("feature", "trait", "effect (log-odds)", "odds", title="traits")
    for tr in doc.traits[:12]:
        traits.add_row(tr.feature, tr.value, f"{tr.effect:+.2f}", f"x{tr.ratio:.2f}")
    console.print(traits)
    for i, rule in enumerate(doc.rules, start=1):
        console.print(f"proposed rule {i}: {rule['text']}", highlight=False)
    if doc.rules and doc.avatar:
        console.print(
            f"accept them into a rules avatar: buyermap avatar accept-rules --from "
            f"{doc.avatar} [--rule 1,2] --save NAME",
            highlight=False,
        )
    for w in doc.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)
    if doc.avatar:
        console.print(f"saved as {doc.avatar!r} version {doc.version}")


@avatar_app.command("learn")
def learn_cmd(
    ctx: typer.Context,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="CSV, TSV, XLSX or Parquet file; default: the accounts."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Column that identifies a row.")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="The file's column that says who bought.")
    ] = None,
    positive: Annotated[
        str | None,
        typer.Option("--positive", help="The outcome value that means a buyer (default yes/1)."),
    ] = None,
    exclude: Annotated[
        str | None, typer.Option("--exclude", help="Columns never used, comma-separated.")
    ] = None,
    save: Annotated[
        str | None,
        typer.Option("--save", help="Save in the workspace under this name (a new version)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Learn below the evidence floor (marked forced).")
    ] = False,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    interactions: Annotated[
        int, typer.Option("--interactions", help="At most this many pairwise interactions.")
    ] = 3,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Random seed.")] = 0,
    over: Annotated[
        str | None,
        typer.Option(
            "--over",
            help="The workspace's rows: accounts or contacts (people, B2C); default accounts, "
            "contacts when the workspace has no accounts.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Learn the customer avatar: the traits that separate the companies that buy.

    Without --input it learns from the workspace's accounts: buyers are the accounts with a
    won deal, the others those whose deals are all lost (accounts with only open deals or
    none are scored, not trained on); with --save the avatar is stored in the workspace
    (also when learned from a file) and, for the workspace, every account's score.

    With --over contacts (and by itself in a workspace without accounts) it learns over the
    contacts' own fields (seniority, department, job title, custom contact fields): buyers
    are the contacts on a won deal's committee, the others those whose deals are all lost.

    Refuses (exit code 2) with fewer than 30 positive or 30 negative rows, naming how many
    it needs. The settings and the --json document are those of POST /api/v1/avatars/learn.

    Example: [bold]buyermap avatar learn --input won.csv --id-column id --outcome won --json[/]

    Example: [bold]buyermap avatar learn --over contacts --save people --json[/]
    """
    request = build_request(
        outcome=outcome,
        positive=positive,
        exclude=split(exclude),
        save=save,
        force=force,
        folds=folds,
        interactions=interactions,
        seed=seed,
        over=over,
    )
    source = AvatarSource(path=input, id_column=id_column)
    found: Learned
    with step_progress(not json_out, "avatar") as progress:
        if input is not None and save is None:
            found = learn_avatar(None, request, source=source, progress=progress)
        else:
            with unit_of_work(ctx) as session:
                found = learn_avatar(session, request, source=source, progress=progress)
    if json_out:
        print_json(found.document.model_dump(mode="json"))
        return
    _print_learned(found.document)


def _print_scored(doc: AvatarScored) -> None:
    shares = ", ".join(f"{t.tier} {t.n:,} ({t.share:.0%})" for t in doc.tiers)
    console.print(
        f"scored {doc.n:,} rows with {doc.avatar!r} version {doc.version}: {shares}; "
        f"written to {doc.out}"
    )
    for w in doc.warnings:
        console.print(f"[yellow]warning:[/] {w}", highlight=False)


@avatar_app.command("score")
def score_cmd(
    ctx: typer.Context,
    avatar: Annotated[str, typer.Option("--avatar", help="The saved avatar's name.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="CSV to write: one row per input row.", callback=out_path),
    ],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="A version (default: the newest).")
    ] = None,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="A prospect file (CSV, XLSX): scored, not imported."),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="The file's column identifying a row.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score companies with a saved avatar: fit 0-100, probability, tier A-D, reasons.

    Without --input every account of the workspace is scored and the scores are stored
    (accounts added since the avatar was learned are scored too); the CSV has account_id,
    name, domain, fit, probability, tier and reasons. An avatar learned over contacts scores
    every contact (contact_id, name, email, ...; written to the CSV, not stored). With a
    persona run the JSON has top_tier_by_persona (see avatar personas). With --input a
    prospect file is scored without importing it: the CSV is the file with those columns
    added.

    Example: [bold]buyermap avatar score --avatar icp --input leads.csv --out scored.csv[/]
    """
    source = AvatarSource(path=input, id_column=id_column)
    with unit_of_work(ctx) as session:
        found = score_avatar(session, name=avatar, version=version, source=source)
    found.table.write_csv(out)
    document = found.document.model_copy(update={"out": str(out)})
    if json_out:
        print_json(document.model_dump(mode="json"))
        return
    _print_scored(document)


def _print_personas(doc: AvatarPersonas) -> None:
    whose = "contacts" if doc.over == "contacts" else "contacts of accounts"
    table = Table(
        "persona",
        "contacts",
        f"in tier {doc.top_tier}",
        "share of the persona",
        "share of the tier",
        title=f"{whose} in tier {doc.top_tier} of {doc.avatar!r} v{doc.version}, by persona "
        f"(run {doc.persona_run})",
    )
    for p in doc.personas:
        table.add_row(
            p.name,
            f"{p.contacts:,}",
            f"{p.top_tier:,}",
            f"{p.share_in_top_tier:.0%}",
            f"{p.share_of_top_tier:.0%}",
        )
    console.print(table)


@avatar_app.command("personas")
def personas_cmd(
    ctx: typer.Context,
    avatar: Annotated[str, typer.Option("--avatar", help="The saved avatar's name.")],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="A version (default: the newest).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """How the avatar's top tier (A) splits across the personas of the active run.

    Over contacts: the contacts the avatar puts in A now. Over accounts: the contacts with a
    current position at an account its stored scores put in A. Per persona: its contacts,
    how many are in the top tier, that share, and the persona's share of the top tier.

    Example: [bold]buyermap avatar personas --avatar demo --json[/]
    """
    with unit_of_work(ctx) as session:
        doc = avatar_personas(session, name=avatar, version=version)
    if json_out:
        print_json(doc.model_dump(mode="json"))
        return
    _print_personas(doc)


@avatar_app.command("list")
def list_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """List the saved avatars, every version, newest first per name.

    Example: [bold]buyermap avatar list --json[/]
    """
    with unit_of_work(ctx) as session:
        found = [AvatarSummary.model_validate(a) for a in avatar_list(session)]
    if json_out:
        print_json([a.model_dump(mode="json") for a in found])
        return
    if not found:
        console.print("no avatars yet: learn one with [bold]buyermap avatar learn --save NAME[/]")
        return
    table = Table("name", "version", "kind", "source", "created")
    for a in found:
        table.add_row(a.name, str(a.version), a.kind, a.source, a.created_at.isoformat())
    console.print(table)
