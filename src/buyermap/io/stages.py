"""Which pipeline and stage each imported row names, and (with ``--create-stages``) the
pipelines and stages a file brings that the workspace does not have yet.

Planning never writes: a row resolves to a stored :class:`Stage` or to a :class:`NewStage`
(a pipeline and stage name that :meth:`Stages.create` adds when the import writes). New
stages are ordered by the CRM's standard stage set when the names come from one
(:mod:`buyermap.domain.stage_sets`), else by where they appear in the file's stage history
(the mean position in each deal's sequence), else by first appearance; open stages go before
the won and lost stages. Won and lost come from the file (``IsWon``/``IsClosed``, a status
column) or from the usual names (``Closed Won``, ``lost``...).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import Pipeline, Stage
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import StageSpec, norm, stage_kind_from_name
from buyermap.domain.stage_sets import STAGE_SETS, find_spec, stage_set_matching
from buyermap.errors import NotFoundError
from buyermap.services.pipelines import add_stage, create_pipeline, default_pipeline, find_stage

# Names CRMs give their default pipeline (HubSpot "Sales Pipeline", Pipedrive "Pipeline").
DEFAULT_PIPELINE_NAMES = ("default", "sales pipeline", "pipeline", "sales")
WON_NAME, LOST_NAME = "Closed Won", "Closed Lost"
# The stage a deal closed by a status (Pipedrive's won/lost) enters when its pipeline has none.
STATUS_STAGE = {StageKind.WON: "Won", StageKind.LOST: "Lost"}


def _key(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass(frozen=True, slots=True)
class NewStage:
    """A stage the file names that the workspace does not have yet (created on write)."""

    pipeline: str  # the pipeline's name (existing or new)
    name: str
    kind: StageKind


Resolved = Stage | NewStage


@dataclass
class _NewPipeline:
    name: str
    stages: dict[str, StageKind] = field(default_factory=dict)  # name -> kind, first seen first
    positions: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class Stages:
    """Pipelines and stages by name; unknown ones planned when ``create`` is on."""

    def __init__(self, session: Session, *, create: bool = False) -> None:
        self.session, self.create_missing = session, create
        pipelines = list(
            session.scalars(
                select(Pipeline).options(selectinload(Pipeline.stages)).order_by(Pipeline.id)
            )
        )
        if not pipelines and not create:
            pipelines = [default_pipeline(session)]
        self.default: Pipeline | None = (
            next((p for p in pipelines if p.is_default), pipelines[0]) if pipelines else None
        )
        self.pipelines = {_key(p.name): p for p in pipelines}
        self.by_id = {p.id: p for p in pipelines}
        self.new: dict[str, _NewPipeline] = {}  # pipeline key -> planned pipeline or stages
        self.created: dict[tuple[str, str], Stage] = {}

    # -- planning -------------------------------------------------------------------------

    def pipeline(self, text: str | None) -> Pipeline | str:
        """The pipeline a row names: stored, or the name of a planned new one. Raises
        :class:`LookupError` (with the message for the row) for an unknown one."""
        if not text:
            return self.default if self.default is not None else self._planned_default()
        key = _key(text)
        for candidate in (key, key.removesuffix(" pipeline")):
            if candidate in self.pipelines:
                return self.pipelines[candidate]
        if key in DEFAULT_PIPELINE_NAMES and self.default is not None:
            return self.default
        if key in self.new or self.create_missing:
            self.new.setdefault(key, _NewPipeline(" ".join(text.split())))
            return self.new[key].name
        valid = ", ".join(p.name for p in self.by_id.values()) or "(none)"
        raise LookupError(
            f"unknown pipeline {text!r}; valid pipelines: {valid}; "
            "add --create-stages to create the pipelines and stages the file names"
        )

    def _planned_default(self) -> str:
        self.new.setdefault("sales", _NewPipeline("Sales"))
        return self.new["sales"].name

    def stage(
        self,
        pipeline: Pipeline | str,
        text: str | None,
        *,
        kind: StageKind | None = None,
        position: float | None = None,
    ) -> Resolved | str:
        """The stage a row names in ``pipeline``; ``kind`` is the outcome the file states
        (IsWon, a status column), which may send a row to the won or lost stage."""
        if isinstance(pipeline, str):
            named = stage_kind_from_name(text) if text else StageKind.OPEN
            if kind in STATUS_STAGE and named != kind:  # no stage, or the open stage reached
                text = STATUS_STAGE[kind]
            return self._plan(pipeline, text or "Open", kind or named, position)
        if not text:
            if kind in STATUS_STAGE:
                return self._terminal(pipeline, kind) or self._plan(
                    pipeline.name, STATUS_STAGE[kind], kind, None
                )
            return next((st for st in pipeline.stages if st.closed_at is None), pipeline.stages[0])
        found = _find(self.session, pipeline, text)
        named = stage_kind_from_name(text)
        if found is None and named != StageKind.OPEN and kind in (None, named):
            found = self._terminal(pipeline, named)
        if found is not None:
            if kind is None or kind.value == found.kind:
                return found
            if found.kind == StageKind.OPEN.value:  # e.g. Pipedrive: stage + status "won"
                return self._terminal(pipeline, kind) or self._plan(
                    pipeline.name, STATUS_STAGE[kind], kind, None
                )
            return (
                f"stage {text!r} is a {found.kind} stage but the row says the deal is "
                f"{kind.value}; correct the stage or the status"
            )
        if not self.create_missing:
            valid = ", ".join(s.name for s in pipeline.stages)
            return (
                f"unknown stage {text!r} in pipeline {pipeline.name!r}; valid stages: {valid}; "
                "add --create-stages to create the stages the file names"
            )
        return self._plan(pipeline.name, text, kind or named, position)

    def open_stage_of(self, pipeline: Pipeline | str, text: str | None) -> Resolved | None:
        """The open stage a won or lost row also names (Pipedrive keeps the stage the deal
        reached beside its status): the stage it was in before it closed, if open."""
        if not text or stage_kind_from_name(text) != StageKind.OPEN:
            return None
        if isinstance(pipeline, Pipeline):
            found = _find(self.session, pipeline, text)
            if found is not None:
                return found if found.kind == StageKind.OPEN.value else None
            if not self.create_missing:
                return None
            planned = self._plan(pipeline.name, text, StageKind.OPEN, None)
        else:
            planned = self._plan(pipeline, text, StageKind.OPEN, None)
        return None if isinstance(planned, str) else planned

    def _terminal(self, pipeline: Pipeline, kind: StageKind) -> Stage | None:
        return next((s for s in pipeline.stages if s.kind == kind.value), None)

    def _plan(
        self, pipeline: str, name: str, kind: StageKind, position: float | None
    ) -> Resolved | str:
        key = _key(pipeline)
        planned = self.new.setdefault(key, _NewPipeline(pipeline))
        existing = self.pipelines.get(key)
        clean = " ".join(name.split())
        if len(clean) > 120:
            return f"stage name {clean[:40]!r}... is {len(clean)} characters; at most 120 fit"
        if kind == StageKind.WON:  # a pipeline has one won stage: a second name joins it
            stored = self._terminal(existing, kind) if existing is not None else None
            if stored is not None:
                return stored
            won = next((n for n, k in planned.stages.items() if k == StageKind.WON), None)
            if won is not None:
                clean = won
        for known, known_kind in planned.stages.items():
            if norm(known) == norm(clean):
                if position is not None:
                    planned.positions[known].append(position)
                return NewStage(planned.name, known, known_kind)
        planned.stages[clean] = kind
        if position is not None:
            planned.positions[clean].append(position)
        return NewStage(planned.name, clean, kind)

    @property
    def planned(self) -> list[str]:
        """What creating would add, in words (for the report)."""
        out = []
        for key, p in self.new.items():
            names = ", ".join(self._ordered(p))
            if key in self.pipelines:
                out.append(f"stages added to pipeline {p.name!r}: {names}")
            else:
                out.append(f"pipeline {p.name!r} created with stages: {names}")
        return out

    # -- writing --------------------------------------------------------------------------

    def _ordered(self, planned: _NewPipeline) -> list[str]:
        """The planned stages in pipeline order: open, then won, then lost; within each, the
        standard stage set's order, then the mean position in the file's deal histories,
        then first appearance. A new pipeline whose names come from a standard set gets the
        set's other stages too."""
        if _key(planned.name) not in self.pipelines:
            standard = _standard_set(planned.stages)
            if standard is not None:
                known = {norm(n) for n in planned.stages}
                for spec in STAGE_SETS[standard]:
                    if norm(spec.name) not in known and not (
                        spec.kind == StageKind.WON and StageKind.WON in planned.stages.values()
                    ):
                        planned.stages[spec.name] = spec.kind
        first = {n: i for i, n in enumerate(planned.stages)}
        kind_rank = {StageKind.OPEN: 0, StageKind.WON: 1, StageKind.LOST: 2}

        def rank(n: str) -> tuple[int, int, float]:
            in_set = _standard_spec(n)
            if in_set is not None:
                return (kind_rank[planned.stages[n]], 0, in_set[0])
            seen = planned.positions.get(n)
            mean = sum(seen) / len(seen) if seen else first[n] / max(len(first) - 1, 1)
            return (kind_rank[planned.stages[n]], 1, mean)

        return sorted(planned.stages, key=lambda n: (*rank(n), first[n]))

    def create(self) -> None:
        """Add the planned pipelines and stages (call once, when the import writes)."""
        for key, planned in self.new.items():
            ordered = self._ordered(planned)
            existing = self.pipelines.get(key)
            if existing is None:
                specs = [StageSpec(n, planned.stages[n], _probability(n)) for n in ordered]
                kinds = {s.kind for s in specs}
                if StageKind.OPEN not in kinds:
                    specs.insert(0, StageSpec("Open", StageKind.OPEN, None))
                if StageKind.WON not in kinds:
                    specs.append(StageSpec(WON_NAME, StageKind.WON, 1.0))
                if StageKind.LOST not in kinds:
                    specs.append(StageSpec(LOST_NAME, StageKind.LOST, 0.0))
                pipeline = create_pipeline(
                    self.session, name=planned.name, stages=specs, is_default=self.default is None
                )
                if self.default is None:
                    self.default = pipeline
                self.pipelines[key] = pipeline
                self.by_id[pipeline.id] = pipeline
            else:
                pipeline = existing
                for name in ordered:
                    spec = StageSpec(name, planned.stages[name], _probability(name))
                    add_stage(self.session, pipeline=pipeline, spec=spec)
            for stage in pipeline.stages:
                self.created[(key, _key(stage.name))] = stage
        self.new = {}

    def stored(self, resolved: Resolved) -> Stage:
        """The stored stage for a planned or stored one (after :meth:`create`)."""
        if isinstance(resolved, Stage):
            return resolved
        return self.created[(_key(resolved.pipeline), _key(resolved.name))]


def _find(session: Session, pipeline: Pipeline, text: str) -> Stage | None:
    """A stored stage by name (:func:`~buyermap.services.pipelines.find_stage`'s matching:
    HubSpot's internal values find the labelled stages), None when there is none."""
    try:
        return find_stage(session, pipeline=pipeline, name=text)
    except NotFoundError:
        return None


def _standard_set(stages: dict[str, StageKind]) -> str | None:
    """The CRM stage set a new pipeline's stages come from: its open stages must be mostly
    (at least half, and two or more) the set's; won and lost names are too common to tell."""
    open_names = [n for n, k in stages.items() if k == StageKind.OPEN]
    standard = stage_set_matching(open_names)
    if standard is None:
        return None
    hits = sum(1 for n in open_names if find_spec(standard, n) is not None)
    return standard if hits >= 2 and 2 * hits >= len(open_names) else None


def _standard_spec(name: str) -> tuple[float, StageSpec] | None:
    """Where a stage sits in the first standard stage set that names it (0..1), and its
    spec there (for the default probability)."""
    for set_name, specs in STAGE_SETS.items():
        spec = find_spec(set_name, name)
        if spec is not None:
            return specs.index(spec) / max(len(specs) - 1, 1), spec
    return None


def _probability(name: str) -> float | None:
    found = _standard_spec(name)
    return found[1].probability if found else None
