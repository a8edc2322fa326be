"""The customer-avatar seam: learning, the saved avatars, scoring (docs/avatar.md).

One request schema (:class:`LearnRequest`; the CLI's flags are the same names with
dashes) whose ``to_query()`` is the one place a :class:`LearnQuery` is built from what a
user gave; one set of refusal rules (:data:`REFUSALS`); one document per result
(:class:`AvatarLearned`, :class:`AvatarScored`) that the CLI's ``--json`` and
``/api/v1/avatars/...`` serialise and the pages will render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from buyermap.analytics.avatar import AvatarModel, AvatarResult, LearnQuery, learn, score
from buyermap.analytics.avatar.fitting import ProgressFn
from buyermap.analytics.avatar.score import ScoreResult
from buyermap.analytics.personas.loading import input_hash, read_input, table_hash
from buyermap.analytics.personas.stored import active_run
from buyermap.db.models import Avatar
from buyermap.errors import AvatarInputError, ConflictError, InvalidValueError, NotFoundError
from buyermap.schemas.common import Text120
from buyermap.seams.documents import Doc, Provenance
from buyermap.seams.requests import build
from buyermap.services import avatars as svc
from buyermap.services import contact_avatar as people
from buyermap.services.avatar_tiers import latest_scored_avatar

REFUSALS = """\
Learning an avatar refuses, the same way at every edge (CLI: exit code 2; REST: 422):
1. a setting out of range (folds 2..10, interactions 0..5, seed 0..2^32-1) or an unknown
   field: the field is named;
2. a file without its outcome or id column, or a column (exclude) the input does not have;
   an outcome that is not yes/no or 0/1 without the value that means a buyer (positive),
   or a positive value the outcome column does not hold (its values are listed);
3. fewer than 30 positive or 30 negative rows (``insufficient_evidence``, naming how many
   it needs and has; ``force`` learns anyway, marked ``forced``, when each class has 3);
4. no column usable as a trait (each column's reason is given).
Scoring refuses an avatar name the workspace does not have (the saved names are listed)
and a file that has none of the avatar's columns; columns it lacks are scored as empty
with a warning. ``over`` (accounts or contacts) is for the workspace only; without it a
workspace without accounts learns over its contacts. The top tier across personas
(:func:`avatar_personas`) refuses without a persona run, an avatar learned from a file,
and an accounts avatar whose scores are not stored yet."""

CONTACTS_SOURCE = "workspace:contacts"
"""The source of an avatar learned over the workspace's contacts (B2C)."""
TOP_TIER = "A"

Columns = Annotated[list[Text120], Field(max_length=200)]


class LearnRequest(BaseModel):
    """How to learn an avatar (docs/avatar.md). REST body names; the CLI's flags are the
    same with dashes, ``exclude`` comma-separated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    outcome: Text120 | None = Field(
        None, description="A file's outcome column; the workspace's outcome is its deals."
    )
    positive: Text120 | None = Field(
        None, description="The outcome value that means a buyer (default: yes/true/1)."
    )
    exclude: Columns = Field(default_factory=list, description="Columns never used as traits.")
    save: Text120 | None = Field(
        None, description="Save under this name (a new version when it exists)."
    )
    force: bool = Field(False, description="Learn below the evidence floor (marked forced).")
    folds: Annotated[int, Field(ge=2, le=10)] = Field(5, description="Cross-validation folds.")
    interactions: Annotated[int, Field(ge=0, le=5)] = Field(
        3, description="At most this many pairwise interactions (kept when they win out of fold)."
    )
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = Field(0, description="Random seed.")
    over: Literal["accounts", "contacts"] | None = Field(
        None,
        description="The workspace's rows to learn over: accounts (companies) or contacts "
        "(people, B2C); default accounts, contacts when the workspace has no accounts.",
    )

    def to_query(
        self,
        *,
        outcome: str,
        positive: str | None,
        id_column: str | None,
        exclude: tuple[str, ...] = (),
        labels: dict[str, str] | None = None,
    ) -> LearnQuery:
        """The one place a :class:`LearnQuery` is built from what a user gave; the
        workspace passes its own outcome (``won`` deals) and identity columns."""
        return LearnQuery(
            outcome=outcome,
            positive=positive,
            id_column=id_column,
            exclude=(*exclude, *(c.strip() for c in self.exclude if c.strip())),
            folds=self.folds,
            interactions=self.interactions,
            seed=self.seed,
            force=self.force,
            labels=labels or {},
        )


def split(value: str | None) -> list[str]:
    """A comma-separated CLI option as a list."""
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def build_request(**values: Any) -> LearnRequest:
    """The request from the CLI's options; a bad value names the field (exit code 2)."""
    try:
        return build(LearnRequest, **values)
    except InvalidValueError as exc:
        raise AvatarInputError(exc.message, details=exc.details) from None


# -- documents ----------------------------------------------------------------------------


class TierDoc(Doc):
    tier: str
    share: float = Field(description="Share of the (out-of-fold) training rows")
    positive_rate: float
    lift: float = Field(description="positive_rate / base rate")
    n: int
    min_fit: float


class TraitDoc(Doc):
    feature: str
    column: str
    value: str = Field(description="In words: 'Software', '200-2,000 employees'")
    effect: float = Field(description="Log-odds against the rest of the column")
    ratio: float = Field(description="Odds ratio, exp(effect)")
    share: float
    levels: list[str]
    low: float | None
    high: float | None


class ReliabilityDoc(Doc):
    predicted: float
    observed: float
    n: int


class ColumnDoc(Doc):
    name: str
    kind: str
    reason: str


class AvatarLearned(Doc):
    """A learning's result (``buyermap avatar learn --json``, ``POST /api/v1/avatars/learn``)."""

    avatar: str | None = Field(description="The saved name; null when not saved")
    version: int | None
    source: str
    n: int = Field(description="Rows trained on (with an outcome)")
    positives: int
    negatives: int
    unlabelled: int = Field(description="Rows without an outcome: scored, not trained on")
    base_rate: float
    auc: float = Field(description="Cross-validated (out-of-fold) AUC")
    auc_interval: list[float] = Field(description="95% interval, widened on low evidence")
    fold_aucs: list[float]
    regularisation: float = Field(description="The L2 strength C chosen by cross-validation")
    evidence: str = Field(description="ok, low (warned) or forced")
    tiers: list[TierDoc]
    traits: list[TraitDoc]
    rules: list[dict[str, Any]] = Field(description="Rules the avatar proposes, in words")
    reliability: list[ReliabilityDoc]
    drift: dict[str, Any]
    interactions: list[dict[str, Any]]
    columns: list[ColumnDoc]
    warnings: list[str]
    provenance: Provenance
    settings: dict[str, Any]
    stored_scores: int = Field(0, description="Accounts scored and stored (workspace, saved)")
    over: str = Field(
        "accounts", description="accounts or contacts (the workspace), file (learned from one)"
    )


class TierCount(Doc):
    tier: str
    n: int
    share: float


class PersonaShare(Doc):
    """How many of a persona's contacts are in the avatar's top tier."""

    persona: str = Field(description="The persona's key in the run")
    name: str
    contacts: int = Field(description="The persona's contacts (that the avatar scored)")
    top_tier: int = Field(description="Of those, in the top tier (A), or at A-tier accounts")
    share_in_top_tier: float = Field(description="top_tier / contacts")
    share_of_top_tier: float = Field(
        description="The persona's share of all top-tier contacts (adds up to 1)"
    )


class AvatarPersonas(Doc):
    """How the avatar's top tier splits across the personas of the active run
    (``buyermap avatar personas --json``, ``GET /api/v1/avatars/{name}/personas``)."""

    avatar: str
    version: int
    over: str = Field(description="contacts: the contacts' own tiers; accounts: their accounts'")
    persona_run: str
    top_tier: str
    contacts_in_top_tier: int
    personas: list[PersonaShare]


class AvatarScored(Doc):
    """A scoring's summary (``buyermap avatar score --json``,
    ``POST /api/v1/avatars/{name}/score``); the rows go to the CSV."""

    avatar: str
    version: int
    kind: str = Field("learned", description="learned or rules")
    source: str
    n: int
    tiers: list[TierCount]
    mean_fit: float | None
    drift: dict[str, Any]
    calibration: dict[str, Any] | None = Field(
        None,
        description="Rules avatars: how the probability was calibrated on closed accounts "
        "(method null: no probability, and why)",
    )
    warnings: list[str]
    stored: int = Field(description="Scores stored for the workspace's accounts (0 for a file)")
    out: str | None = Field(None, description="The CSV written (CLI)")
    over: str = Field("accounts", description="What was scored: accounts, contacts or a file")
    top_tier_by_persona: list[PersonaShare] | None = Field(
        None,
        description="The workspace with a persona run: how the top tier splits across "
        "personas (see avatar personas); null otherwise",
    )


# -- learning -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvatarSource:
    """The workspace's accounts (``path`` None) or a file with its id and outcome."""

    path: Path | None = None
    id_column: str | None = None


WORKSPACE = AvatarSource()


@dataclass(frozen=True, slots=True)
class Learned:
    result: AvatarResult
    document: AvatarLearned
    avatar: Avatar | None


def learn_avatar(
    session: Session | None,
    request: LearnRequest,
    *,
    source: AvatarSource = WORKSPACE,
    progress: ProgressFn | None = None,
) -> Learned:
    """Learn an avatar from a file or the workspace's accounts; with ``save`` store it in
    the workspace (a new version of the name) and, for the workspace, every account's
    score. Refuses as :data:`REFUSALS` says."""
    over = "file"
    if source.path is not None:
        if request.over:
            raise AvatarInputError(
                "over (accounts or contacts) is for the workspace; a file's rows are what "
                "they are: leave over out",
                details={"parameter": "over"},
            )
        if not request.outcome:
            raise AvatarInputError(
                "a file needs its outcome column (outcome) to learn from",
                details={"parameter": "outcome"},
            )
        table = read_input(source.path)
        query = request.to_query(
            outcome=request.outcome, positive=request.positive, id_column=source.id_column
        )
        result = learn(query, table, inputs_hash=input_hash(source.path), progress=progress)
        origin = source.path.name
    else:
        if session is None:
            raise AvatarInputError("no workspace and no input file to learn an avatar from")
        if request.outcome or request.positive:
            raise AvatarInputError(
                "outcome and positive are for files: in the workspace, buyers are the "
                "accounts with a won deal and the others those whose deals are all lost",
                details={"parameter": "outcome"},
            )
        over = request.over or ("accounts" if people.has_accounts(session) else "contacts")
        if over == "contacts":
            table = people.contacts_table(session)
            query = request.to_query(
                outcome=people.OUTCOME,
                positive="won",
                id_column=people.CONTACT_ID,
                exclude=("name", "email"),
                labels=people.LABELS | people.custom_contact_labels(session),
            )
            origin = CONTACTS_SOURCE
        else:
            table = svc.accounts_table(session)
            query = request.to_query(
                outcome=svc.OUTCOME,
                positive="won",
                id_column=svc.ACCOUNT_ID,
                exclude=("name", "domain"),
                labels=svc.LABELS | svc.custom_labels(session),
            )
            origin = "workspace"
        result = learn(query, table, inputs_hash=table_hash(table), progress=progress)
    saved: Avatar | None = None
    stored = 0
    if request.save:
        if session is None:
            raise AvatarInputError("saving an avatar needs a workspace")
        existing = svc.find_avatar(session, name=request.save.strip())
        if existing is not None and existing.kind != "learned":
            raise ConflictError(
                f"{existing.name!r} is a {existing.kind} avatar; save the learned avatar under "
                "a name of its own",
                details={"field": "save", "kind": existing.kind},
            )
        saved = svc.save_avatar(
            session,
            name=request.save.strip(),
            kind="learned",
            source=origin,
            source_hash=result.provenance.inputs_hash,
            settings=result.settings,
            model=result.model.to_json(),
            metrics=_metrics(result, origin, over),
        )
        if origin == "workspace":
            stored = _store_scores(session, saved, result.model, table)
    document = AvatarLearned.model_validate(
        _metrics(result, origin, over)
        | {
            "avatar": saved.name if saved else None,
            "version": saved.version if saved else None,
            "stored_scores": stored,
        }
    )
    return Learned(result=result, document=document, avatar=saved)


def _metrics(result: AvatarResult, origin: str, over: str) -> dict[str, Any]:
    return result.to_dict() | {"source": origin, "avatar": None, "version": None, "over": over}


# -- scoring ------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def align(wanted: list[str], table: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """The avatar's columns from ``table`` (names matched ignoring case and punctuation;
    ``years_on_market`` from ``founded_year``); missing ones empty, with a warning."""
    by_norm = {_norm(c): c for c in table.columns}
    warnings: list[str] = []
    cols: list[pl.Series] = []
    missing: list[str] = []
    for column in wanted:
        found = by_norm.get(_norm(column))
        if found is not None:
            cols.append(table[found].alias(column))
        elif column == "years_on_market" and "founded_year" in by_norm:
            year = table[by_norm["founded_year"]].cast(pl.Float64, strict=False)
            cols.append((datetime.now(UTC).year - year).clip(lower_bound=0).alias(column))
        else:
            missing.append(column)
            cols.append(pl.Series(column, [None] * table.height, dtype=pl.Utf8))
    if missing and len(missing) == len(wanted):
        raise AvatarInputError(
            f"the file has none of the avatar's columns ({', '.join(map(repr, wanted))})"
            f"; its columns are {', '.join(map(repr, table.columns[:20]))}",
            details={"missing": missing, "columns": table.columns},
        )
    if missing:
        warnings.append(
            f"the file has no column {', '.join(map(repr, missing))}: scored as empty, so the "
            "fit rests on the other columns"
        )
    return pl.DataFrame(cols), warnings


def _tiers(scored: ScoreResult) -> list[TierCount]:
    n = max(scored.n, 1)
    return [
        TierCount(
            tier=t,
            n=int((scored.tier == t).sum()),
            share=round(float((scored.tier == t).sum()) / n, 4),
        )
        for t in ("A", "B", "C", "D")
    ]


def _rows(scored: ScoreResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "fit": np.round(scored.fit, 1),
            "probability": np.round(scored.probability, 4),
            "tier": scored.tier.astype(str),
            "reasons": scored.reasons_text(),
        }
    )


def _store_scores(session: Session, avatar: Avatar, model: AvatarModel, table: pl.DataFrame) -> int:
    aligned, _ = align(model.columns, table)
    scored = score(model, aligned)
    ids = table[svc.ACCOUNT_ID].to_list()
    rows = [
        {
            "account_id": int(ids[i]),
            "fit": round(float(scored.fit[i]), 2),
            "probability": round(float(scored.probability[i]), 5),
            "tier": str(scored.tier[i]),
            "reasons": scored.reasons(i),
        }
        for i in range(scored.n)
    ]
    return svc.save_scores(session, avatar=avatar, rows=rows)


@dataclass(frozen=True, slots=True)
class Scored:
    document: AvatarScored
    table: pl.DataFrame  # one row per input row: id column(s), fit, probability, tier, reasons


def score_avatar(
    session: Session,
    *,
    name: str,
    version: int | None = None,
    source: AvatarSource = WORKSPACE,
    table: pl.DataFrame | None = None,
) -> Scored:
    """Score the workspace's accounts (stored: accounts added since are scored too) or a
    file (``source.path``, or an uploaded ``table``) without importing it."""
    avatar = svc.require_avatar(session, name=name, version=version)
    if avatar.kind == "rules":
        # the rules seam builds on this one's documents, so it is imported here
        from buyermap.seams.avatar_rules_score import score_rules_avatar

        return score_rules_avatar(session, avatar, source=source, table=table)
    model = AvatarModel.from_json(avatar.model)
    over = "file"
    split_by_persona: list[PersonaShare] | None = None
    if source.path is None and table is None and avatar.source == CONTACTS_SOURCE:
        contacts = people.contacts_table(session)
        aligned, warnings = align(model.columns, contacts)
        scored = score(model, aligned)
        stored = 0
        warnings.append("contact scores are not stored in the workspace: they are in the CSV")
        out = pl.concat([contacts.select(people.IDENTITY_COLUMNS), _rows(scored)], how="horizontal")
        origin, over = "workspace", "contacts"
        ids = contacts[people.CONTACT_ID].to_list()
        top = {int(ids[i]) for i in np.flatnonzero(scored.tier == TOP_TIER)}
        split_by_persona = _split(session, top=top, scored={int(i) for i in ids})
    elif source.path is None and table is None:
        accounts = svc.accounts_table(session)
        aligned, warnings = align(model.columns, accounts)
        scored = score(model, aligned)
        stored = _store_scores(session, avatar, model, accounts)
        out = pl.concat([accounts.select(svc.IDENTITY_COLUMNS), _rows(scored)], how="horizontal")
        origin, over = "workspace", "accounts"
        session.flush()
        top = people.contacts_at_accounts_in_tier(session, avatar_id=avatar.id, tier=TOP_TIER)
        split_by_persona = _split(session, top=top, scored=None)
    else:
        given = table if table is not None else read_input(source.path)  # type: ignore[arg-type]
        if source.id_column is not None and source.id_column not in given.columns:
            raise AvatarInputError(
                f"the file has no column {source.id_column!r} (given as id_column); its "
                f"columns are {', '.join(map(repr, given.columns[:20]))}",
                details={"parameter": "id_column", "column": source.id_column},
            )
        aligned, warnings = align(model.columns, given)
        scored = score(model, aligned)
        stored = 0
        rows = _rows(scored)
        kept = given.drop([c for c in rows.columns if c in given.columns])
        if source.id_column is not None:
            kept = kept.select(source.id_column, pl.exclude(source.id_column))
        out = pl.concat([kept, rows], how="horizontal")
        origin = source.path.name if source.path is not None else "upload"
    fits = scored.fit
    document = AvatarScored(
        avatar=avatar.name,
        version=avatar.version,
        source=origin,
        n=scored.n,
        tiers=_tiers(scored),
        mean_fit=round(float(fits.mean()), 2) if fits.size else None,
        drift=scored.drift,
        warnings=[*warnings, *scored.warnings],
        stored=stored,
        over=over,
        top_tier_by_persona=split_by_persona,
    )
    return Scored(document=document, table=out)


def _split(
    session: Session, *, top: set[int], scored: set[int] | None
) -> list[PersonaShare] | None:
    run = active_run(session)
    if run is None:
        return None
    rows = people.persona_split(session, run=run, top=top, scored=scored)
    return [PersonaShare.model_validate(r) for r in rows]


def avatar_personas(session: Session, *, name: str, version: int | None = None) -> AvatarPersonas:
    """How the avatar's top tier (A) splits across the personas of the active run: for an
    avatar over contacts, the contacts scored A now (not stored); for one over accounts, the
    contacts with a current position at an account its stored scores put in A."""
    avatar = svc.require_avatar(session, name=name, version=version)
    run = active_run(session)
    if run is None:
        raise NotFoundError(
            "the workspace has no persona run, so the top tier cannot be split by persona; "
            "discover personas first (buyermap personas discover, or the Personas page)",
            details={"name": name},
        )
    if avatar.source == CONTACTS_SOURCE:
        model = AvatarModel.from_json(avatar.model)
        contacts = people.contacts_table(session)
        aligned, _ = align(model.columns, contacts)
        scored = score(model, aligned)
        ids = contacts[people.CONTACT_ID].to_list()
        top = {int(ids[i]) for i in np.flatnonzero(scored.tier == TOP_TIER)}
        rows = people.persona_split(session, run=run, top=top, scored={int(i) for i in ids})
        over = "contacts"
    elif avatar.source == "workspace":
        if people.stored_account_scores(session, avatar_id=avatar.id) == 0:
            raise AvatarInputError(
                f"the avatar {avatar.name!r} version {avatar.version} has not scored the "
                f"accounts yet: run buyermap avatar score --avatar {avatar.name} --out "
                "scores.csv first",
                details={"name": avatar.name, "version": avatar.version},
            )
        top = people.contacts_at_accounts_in_tier(session, avatar_id=avatar.id, tier=TOP_TIER)
        rows = people.persona_split(session, run=run, top=top, scored=None)
        over = "accounts"
    else:
        raise AvatarInputError(
            f"the avatar {avatar.name!r} was learned from the file {avatar.source!r}: its rows "
            "are not the workspace's contacts or accounts; learn one from the workspace "
            "(buyermap avatar learn --save NAME)",
            details={"name": avatar.name, "source": avatar.source},
        )
    shares = [PersonaShare.model_validate(r) for r in rows]
    return AvatarPersonas(
        avatar=avatar.name,
        version=avatar.version,
        over=over,
        persona_run=run.run_key,
        top_tier=TOP_TIER,
        contacts_in_top_tier=sum(p.top_tier for p in shares),
        personas=shares,
    )


def avatar_list(session: Session) -> list[Avatar]:
    return svc.list_avatars(session)


def avatar_of(session: Session, *, name: str, version: int | None = None) -> Avatar:
    return svc.require_avatar(session, name=name, version=version)


def latest_top_tier_split(session: Session) -> AvatarPersonas | None:
    """The top tier across personas for the avatar that scored the accounts last; None
    when none has, or without a persona run (the personas page shows it when there is)."""
    avatar = latest_scored_avatar(session)
    if avatar is None or active_run(session) is None:
        return None
    return avatar_personas(session, name=avatar.name, version=avatar.version)
