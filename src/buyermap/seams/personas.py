"""The personas seam: discovery, the persona list and the persona card.

One request schema (:class:`DiscoverRequest`, the REST body's field names; the CLI's flags
are the same names with dashes) whose ``to_query()`` is the one place a
:class:`~buyermap.analytics.personas.discover.DiscoverQuery` is built from what a user gave;
one set of refusal rules (:data:`REFUSALS`); one typed document per read
(:class:`PersonaDiscovery`, :class:`PersonaList`, :class:`PersonaPublic`) that the CLI's
``--json``, ``/api/v1/personas/...`` and the pages serialise. Reads are cached per
workspace change stamp when the edge gives a :class:`~buyermap.seams.cache.ResultCache`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.cards import persona_card
from buyermap.analytics.personas.discover import DiscoverQuery, PersonaResult, discover
from buyermap.analytics.personas.loading import (
    CONTACT_ID,
    contacts_table,
    input_hash,
    read_input,
    table_hash,
)
from buyermap.analytics.personas.portrait import (
    frustration_sentences,
    goal_sentences,
    headline,
    portrait,
)
from buyermap.analytics.personas.runs import save_run
from buyermap.analytics.personas.selection import ProgressFn
from buyermap.analytics.personas.stored import FILE_SOURCE
from buyermap.db.base import Base
from buyermap.db.models import (
    Contact,
    Note,
    PersonaAssignment,
    PersonaProfile,
    PersonaRow,
    PersonaRun,
    SurveyAnswer,
)
from buyermap.errors import InvalidValueError, PersonaInputError
from buyermap.schemas.common import Text120
from buyermap.schemas.personas import (
    MAX_DISCOVER_WORK,
    Columns,
    PersonaList,
    PersonaPublic,
    PersonaRunSummary,
    PersonaSummary,
    QuotePublic,
    ThemePublic,
)
from buyermap.seams.cache import ResultCache, change_stamp
from buyermap.seams.documents import Doc, Provenance
from buyermap.seams.requests import build
from buyermap.services.persona_profiles import of_discovered

# The tables the persona reads use: any write to one of them changes the stamp (the write
# counter covers activating a run through the app: ``persona_runs`` has no ``updated_at``).
TABLES: tuple[type[Base], ...] = (
    PersonaRun,
    PersonaRow,
    PersonaAssignment,
    PersonaProfile,
    Contact,
    Note,
    SurveyAnswer,
)

REFUSALS = """\
Persona discovery refuses, the same way at every edge (CLI: exit code 2; REST: 422):
1. a setting out of range (k and k_max 1..20, min_share in [0, 0.5), restarts 1..50,
   bootstrap 2..50, fit_rows 100..1,000,000; k 'auto' or a whole number) or an unknown
   field: the field is named (REST: ``validation_error``, CLI: ``persona_input_error``);
2. a file without the column that identifies a row (``--id-column``);
3. a column (variable, exclude, describe, role, quote) the input does not have;
4. too few rows: fewer than 100, or fewer than 10 per segmentation variable, in the
   input or in every role bucket (``insufficient_evidence``; ``force`` runs anyway with
   every persona marked low-evidence)."""


# -- the request --------------------------------------------------------------------------


class DiscoverRequest(BaseModel):
    """How to discover personas (docs/personas.md). These are the REST body's names; the
    CLI's flags are the same with dashes (``--fit-rows``), lists comma-separated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variables: Columns = Field(
        default_factory=list, description="Segmentation columns; NAME:KIND overrides a kind."
    )
    exclude: Columns = Field(default_factory=list, description="Columns never to segment on.")
    describe: Columns = Field(
        default_factory=list, description="Columns profiled but not segmented on."
    )
    role_column: Text120 | None = Field(None, description="Discover separately per value.")
    quote_column: Text120 | None = Field(None, description="Free text to quote per persona.")
    k: Annotated[int, Field(ge=1, le=20)] | None = Field(
        None, description="A number of personas; null (or 'auto'): choose k."
    )
    k_max: Annotated[int, Field(ge=1, le=20)] = Field(8, description="Largest k tried.")
    min_share: Annotated[float, Field(ge=0, lt=0.5)] = Field(
        0.05, description="Smallest share of rows a persona may hold."
    )
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = Field(
        0, description="Random seed; results are reproducible."
    )
    restarts: Annotated[int, Field(ge=1, le=50)] = Field(10, description="EM restarts per k.")
    bootstrap: Annotated[int, Field(ge=2, le=50)] = Field(
        10, description="Bootstrap resamples for stability."
    )
    fit_rows: Annotated[int, Field(ge=100, le=1_000_000)] = Field(
        20_000, description="Fit on a sample of at most this many rows."
    )
    force: bool = Field(False, description="Run below the evidence floor (low-evidence).")
    activate: bool = Field(True, description="Make the new run the one the workspace shows.")

    @model_validator(mode="after")
    def _bounded(self) -> DiscoverRequest:
        work = self.restarts * self.bootstrap * self.fit_rows
        if work > MAX_DISCOVER_WORK:
            raise ValueError(
                f"restarts x bootstrap x fit_rows is {work:,}; at most "
                f"{MAX_DISCOVER_WORK:,} per request: lower one of them"
            )
        return self

    @field_validator("k", mode="before")
    @classmethod
    def _auto(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().lower()
            if text == "auto":
                return None
            if not text.lstrip("-").isdigit():
                raise ValueError(f"k must be 'auto' or a whole number, not {value!r}")
            return int(text)
        return value

    def to_query(self, *, id_column: str | None = CONTACT_ID) -> DiscoverQuery:
        """The one place a :class:`DiscoverQuery` is built from what a user gave; the id
        column belongs to the input (the workspace's contacts: their id)."""
        return DiscoverQuery(
            id_column=id_column,
            variables=_clean(self.variables),
            exclude=_clean(self.exclude),
            describe=_clean(self.describe),
            role_column=(self.role_column or "").strip() or None,
            k=self.k,
            k_max=self.k_max,
            min_share=self.min_share,
            quote_column=(self.quote_column or "").strip() or None,
            seed=self.seed,
            force=self.force,
            n_init=self.restarts,
            n_boot=self.bootstrap,
            fit_rows=self.fit_rows,
        )


def _clean(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


def split(value: str | None) -> list[str]:
    """A comma-separated CLI option as a list."""
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def build_request(**values: Any) -> DiscoverRequest:
    """The request from the CLI's options; a bad value is refused naming the field (exit
    code 2, as the REST API's 422 names it)."""
    try:
        return build(DiscoverRequest, **values)
    except InvalidValueError as exc:
        raise PersonaInputError(exc.message, details=exc.details) from None


# -- the discovery document ---------------------------------------------------------------


class PersonaDoc(Doc):
    """A discovered persona: profile, traits (value, population, lift, interval, n)."""

    key: str
    name: str
    title: str
    bucket: str | None
    size: int
    share: float
    stability: float | None
    stable: bool | None
    mean_probability: float | None
    low_evidence: bool
    traits: list[dict[str, Any]]
    descriptors: list[dict[str, Any]]
    quotes: list[str]


class Candidate(Doc):
    """One k tried: BIC, smallest share, bootstrap stability, whether it was chosen."""

    k: int
    criterion: str
    bic: float
    loglik: float
    n_params: int
    min_share: float
    stability: float | None
    min_stability: float | None
    persona_stability: list[float] | None
    chosen: bool
    note: str


class BucketCandidate(Candidate):
    bucket: str | None


class VariableDoc(Doc):
    name: str
    kind: str
    reason: str
    levels: list[str]
    log: bool
    role: str
    stats: dict[str, float]


class Variables(Doc):
    bases: list[VariableDoc]
    descriptors: list[VariableDoc]
    ignored: list[VariableDoc]


class Settings(Doc):
    """The query the run used (replayable)."""

    id_column: str | None
    variables: list[str]
    exclude: list[str]
    describe: list[str]
    role_column: str | None
    k: int | None
    k_max: int
    min_share: float
    quote_column: str | None
    seed: int
    force: bool
    n_init: int
    n_boot: int
    fit_rows: int
    stability_rows: int


class Bucket(Doc):
    """Personas of one role value (with ``role_column``)."""

    bucket: str | None
    n: int
    k: int
    refused: bool
    reason: str
    warnings: list[str]
    personas: list[PersonaDoc]
    selection: list[Candidate]


class RunRef(Doc):
    """Where the run went: the workspace (``db_id``) or a run file (``path``)."""

    id: str = Field(description="Run key (workspace) or run id (file)")
    path: str | None = Field(description="The run file; null for a workspace run")
    db_id: int | None = None
    active: bool = False


class PersonaDiscovery(Doc):
    """A discovery's result (``buyermap personas discover --json``,
    ``POST /api/v1/personas/discover``)."""

    k: int
    n: int
    personas: list[PersonaDoc]
    selection: list[BucketCandidate]
    reason: str
    warnings: list[str]
    variables: Variables
    provenance: Provenance
    settings: Settings
    buckets: list[Bucket] | None = Field(default=None, description="With role_column only")
    run: RunRef


# -- discovering --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonaSource:
    """What to discover from: the workspace's contacts (``path`` None) or a file."""

    path: Path | None = None
    id_column: str | None = None


WORKSPACE = PersonaSource()


@dataclass(frozen=True, slots=True)
class Discovered:
    """``document`` is what every edge serialises; ``result`` has the assignments;
    ``run`` the stored run (workspace only)."""

    result: PersonaResult
    document: PersonaDiscovery
    run: PersonaRun | None


def discover_personas(
    session: Session | None,
    request: DiscoverRequest,
    *,
    source: PersonaSource = WORKSPACE,
    runs_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> Discovered:
    """Discover personas and store the run: in the workspace (its contacts get their persona
    and probability; ``activate`` makes it the shown run) or, for a file, as a run file in
    ``runs_dir``. Refuses as :data:`REFUSALS` says."""
    if source.path is not None:
        if source.id_column is None:
            raise PersonaInputError("--id-column is required with --input")
        if runs_dir is None and session is None:
            raise PersonaInputError("a file's run needs a workspace or a directory to be saved in")
        query = request.to_query(id_column=source.id_column)
        table = read_input(source.path)
        result = discover(table, query, inputs_hash=input_hash(source.path), progress=progress)
        saved = None
        if runs_dir is not None:
            saved = save_run(result, runs_dir=runs_dir, source=str(source.path))
        if session is None:
            assert saved is not None
            ref = RunRef(id=saved.stem.removeprefix("personas-"), path=str(saved))
            return Discovered(result=result, document=_document(result, ref), run=None)
        # Kept in the workspace like its own runs, with the file's name and hash; never
        # the active run (its rows are not the workspace's contacts).
        run = svc.save_run(
            session, result=result, source=FILE_SOURCE + source.path.name, activate=False
        )
        ref = RunRef(id=run.run_key, path=None if saved is None else str(saved), db_id=run.id)
        return Discovered(result=result, document=_document(result, ref), run=run)
    if session is None:
        raise PersonaInputError("no workspace and no input file to discover personas in")
    query = request.to_query(id_column=source.id_column or CONTACT_ID)
    table = contacts_table(session)
    result = discover(table, query, inputs_hash=table_hash(table), progress=progress)
    run = svc.save_run(session, result=result, source=svc.WORKSPACE, activate=request.activate)
    ref = RunRef(id=run.run_key, path=None, db_id=run.id, active=run.is_active)
    return Discovered(result=result, document=_document(result, ref), run=run)


def _document(result: PersonaResult, run: RunRef) -> PersonaDiscovery:
    return PersonaDiscovery.model_validate(result.to_dict() | {"run": run.model_dump()})


# -- reads: the persona list and a persona's card -----------------------------------------


def _key(session: Session, cache: ResultCache | None, *parts: Hashable) -> Hashable:
    stamp = change_stamp(session, TABLES) if cache is None else cache.stamp(session, TABLES)
    return (stamp, *parts)


def persona_list(
    session: Session, *, run: str | None = None, cache: ResultCache | None = None
) -> PersonaList:
    """The personas of the active run (or ``run``), largest first."""

    def compute() -> PersonaList:
        found = svc.require_run(session, ref=run)
        return PersonaList(
            run=PersonaRunSummary.model_validate(found),
            personas=[PersonaSummary.model_validate(p) for p in found.personas],
            warnings=[str(w) for w in found.result.get("warnings", [])],
        )

    if cache is None:
        return compute()
    return cache.get(_key(session, cache, "personas.list", run), compute)


def card_document(
    session: Session, *, key: str, run: str | None = None, cache: ResultCache | None = None
) -> PersonaPublic:
    """A persona's card: traits, themes from note tags, channels, descriptors, quotes."""

    def compute() -> PersonaPublic:
        found = svc.require_run(session, ref=run)
        card = persona_card(session, run=found, key=key)
        p = card.persona
        words = of_discovered(session, run_id=found.id, persona_key=card.key)
        return PersonaPublic(
            run_key=found.run_key,
            key=card.key,
            name=p["name"] if words is None else words.name,
            discovered_name=p["name"],
            description="" if words is None else words.description,
            title=p["title"],
            headline=headline(p),
            portrait=portrait(p, themes=card.themes, channels=card.channels),
            goals=goal_sentences(card.goals, card.themes),
            frustrations=frustration_sentences(card.frustrations, card.themes),
            bucket=p.get("bucket"),
            size=p["size"],
            share=p["share"],
            share_ci=card.share_ci,
            stability=p.get("stability"),
            mean_probability=p.get("mean_probability"),
            low_evidence=p.get("low_evidence", False),
            traits=p["traits"],
            distinct_traits=card.traits,
            goal_traits=card.goals,
            frustration_traits=card.frustrations,
            descriptors=p.get("descriptors", []),
            themes={
                kind: [
                    ThemePublic(
                        tag=t.tag,
                        kind=t.kind,
                        label=t.label,
                        n=t.n,
                        members=t.members,
                        share=round(t.share, 4),
                        population_share=round(t.population_share, 4),
                        lift=None if t.lift is None else round(t.lift, 3),
                        ci=(round(t.ci[0], 4), round(t.ci[1], 4)),
                    )
                    for t in items
                ]
                for kind, items in card.themes.items()
            },
            channels=card.channels,
            quotes=[
                QuotePublic(
                    text=q.text,
                    contact_id=q.contact_id,
                    contact_name=q.contact_name,
                    probability=q.probability,
                    source=q.source,
                )
                for q in card.quotes
            ],
            run_quotes=[str(q) for q in p.get("quotes", [])],
            contacts_url=f"/personas/{card.key}/contacts?run={found.run_key}",
        )

    if cache is None:
        return compute()
    return cache.get(_key(session, cache, "personas.card", key, run), compute)
