"""Touchpoints and the journey-to-funnel mapping: reading them for the alignment analysis
and editing the mapping. Keyword-only functions taking the session; the caller commits."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    ContentAsset,
    JourneyFunnelMapping,
    PersonaAssignment,
    PersonaRun,
    Pipeline,
)
from buyermap.domain.journey_funnel import check_mapping, default_mapping
from buyermap.domain.journeys import TEMPLATES
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.services import journeys as journeys_svc


def journey_stages(session: Session) -> list[str]:
    """The journey stages in order: those of every map (in the order first met), then the
    content library's other stages (in the templates' order)."""
    out: list[str] = []
    for j in journeys_svc.all_journeys(session):
        out.extend(s for s in j.stages if s not in out)
    used = {s for a in session.scalars(select(ContentAsset)) for s in a.stages}
    known = [s for stages in TEMPLATES.values() for s in stages]
    out.extend(s for s in known if s in used and s not in out)
    out.extend(sorted(used - set(out)))
    return out


def pipeline_for(session: Session, name: str | None) -> Pipeline | None:
    """The pipeline named ``name`` (NotFoundError naming the valid ones), or the default one
    (None when the workspace has no pipeline)."""
    pipelines = list(session.scalars(select(Pipeline).order_by(Pipeline.id)))
    if name is not None:
        key = " ".join(name.split()).casefold()
        for p in pipelines:
            if " ".join(p.name.split()).casefold() == key:
                return p
        valid = ", ".join(p.name for p in pipelines) or "none yet"
        raise NotFoundError(f"no pipeline named {name!r}; valid pipelines: {valid}")
    for p in pipelines:
        if p.is_default:
            return p
    return next((p for p in pipelines if p.closed_at is None), pipelines[0] if pipelines else None)


def funnel_stages(pipeline: Pipeline) -> list[tuple[str, str]]:
    return [(s.name, s.kind) for s in pipeline.stages]


def mapping_of(session: Session, *, pipeline: Pipeline) -> tuple[dict[str, list[str]], str]:
    """The pipeline's mapping and where it came from: ``declared`` (every journey stage
    someone set keeps its rows; the others their default) or ``default``."""
    journey = journey_stages(session)
    mapping = default_mapping(journey, funnel_stages(pipeline))
    rows = list(
        session.scalars(
            select(JourneyFunnelMapping).where(JourneyFunnelMapping.pipeline_id == pipeline.id)
        )
    )
    names = {s.name for s in pipeline.stages}
    for row in rows:
        mapping[row.journey_stage] = [n for n in row.funnel_stages if n in names]
    return mapping, ("declared" if rows else "default")


def set_mapping(
    session: Session, *, pipeline: Pipeline, journey_stage: str, funnel: list[str]
) -> dict[str, list[str]]:
    """Declare the funnel stages (names) of one journey stage; returns the whole mapping."""
    journey = journey_stages(session)
    names = [s.name for s in pipeline.stages]
    cleaned = [" ".join(f.split()) for f in funnel if f.strip()]
    resolved: list[str] = []
    for f in cleaned:
        hit = next((n for n in names if n.casefold() == f.casefold()), f)
        if hit not in resolved:
            resolved.append(hit)
    problems = check_mapping({journey_stage: resolved}, journey, names)
    if problems:
        raise InvalidValueError("; ".join(problems))
    row = session.scalar(
        select(JourneyFunnelMapping).where(
            JourneyFunnelMapping.pipeline_id == pipeline.id,
            JourneyFunnelMapping.journey_stage == journey_stage,
        )
    )
    if row is None:
        session.add(
            JourneyFunnelMapping(
                pipeline_id=pipeline.id, journey_stage=journey_stage, funnel_stages=resolved
            )
        )
    else:
        row.funnel_stages = resolved
    session.flush()
    return mapping_of(session, pipeline=pipeline)[0]


def reset_mapping(session: Session, *, pipeline: Pipeline) -> dict[str, list[str]]:
    """Forget the declared rows of a pipeline: its mapping is the default again."""
    session.execute(
        delete(JourneyFunnelMapping).where(JourneyFunnelMapping.pipeline_id == pipeline.id)
    )
    session.flush()
    return mapping_of(session, pipeline=pipeline)[0]


def persona_of_contacts(session: Session) -> dict[int, str]:
    """Each contact's persona: the shown run's assignment, else one in the hand-made run
    (contacts people placed in a hand-made persona)."""
    out: dict[int, str] = {}
    run = journeys_svc.active_run(session)
    hand = session.scalar(
        select(PersonaRun.id).where(PersonaRun.run_key == journeys_svc.HAND_MADE_RUN)
    )
    for run_id in (run.id if run is not None else None, hand):
        if run_id is None:
            continue
        for contact_id, key in session.execute(
            select(PersonaAssignment.contact_id, PersonaAssignment.persona_key).where(
                PersonaAssignment.run_id == run_id
            )
        ):
            out.setdefault(contact_id, key)
    return out
