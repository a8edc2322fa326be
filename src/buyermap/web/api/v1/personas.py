"""``/api/v1/personas``: persona runs, personas (cards), and each contact's persona."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator

from buyermap.analytics.personas import members as persona_contacts
from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.cards import card_image_of, persona_card
from buyermap.analytics.personas.discover import DiscoverQuery
from buyermap.analytics.personas.loading import CONTACT_ID
from buyermap.db.models import PersonaRun
from buyermap.errors import NotFoundError
from buyermap.schemas.common import valid_text
from buyermap.schemas.personas import (
    AssignedPublic,
    ContactPersonaPublic,
    DiscoverOptions,
    PersonaList,
    PersonaPublic,
    PersonaRunPublic,
    PersonaRunSummary,
    PersonaSummary,
    QuotePublic,
    ThemePublic,
)
from buyermap.services.contacts import get_contact
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import SessionDep

router = APIRouter(tags=["personas"])

RunParam = Annotated[
    str | None,
    Query(max_length=80, description="Run id or run key; default: the active run."),
    AfterValidator(valid_text),
]
MEDIA = {"png": "image/png", "pdf": "application/pdf"}


def _run_public(run: PersonaRun) -> PersonaRunPublic:
    return PersonaRunPublic.model_validate(
        {
            **PersonaRunSummary.model_validate(run).model_dump(),
            "personas": [PersonaSummary.model_validate(p) for p in run.personas],
            "result": run.result,
        }
    )


@router.get("/personas/runs", summary="List persona runs")
def list_runs(session: SessionDep) -> list[PersonaRunSummary]:
    """Persona runs stored in the workspace, newest first; ``is_active`` marks the one shown."""
    return [PersonaRunSummary.model_validate(r) for r in svc.list_runs(session)]


@router.post("/personas/runs", status_code=status.HTTP_201_CREATED, summary="Discover personas")
def create_run(session: SessionDep, options: DiscoverOptions) -> PersonaRunPublic:
    """Discover personas in the workspace's contacts (synchronous) and store the run.

    Refuses with 422 ``insufficient_evidence`` when there are too few contacts for the
    variables (see docs/personas.md); every contact gets its persona and probability.
    """
    query = DiscoverQuery(
        id_column=CONTACT_ID,
        variables=tuple(options.variables),
        exclude=tuple(options.exclude),
        describe=tuple(options.describe),
        role_column=options.role_column,
        k=options.k,
        k_max=options.k_max,
        min_share=options.min_share,
        seed=options.seed,
        force=options.force,
        n_init=options.restarts,
        n_boot=options.bootstrap,
        fit_rows=options.fit_rows,
    )
    run = svc.discover_workspace(session, query=query, activate=options.activate)
    return _run_public(run)


@router.get("/personas/runs/{run_id}", summary="Get a persona run")
def get_run(session: SessionDep, run_id: str) -> PersonaRunPublic:
    """A run by id or run key: provenance, settings, personas, the choice of k, warnings."""
    return _run_public(svc.get_run(session, ref=run_id))


@router.post("/personas/runs/{run_id}/activate", summary="Activate a persona run")
def activate_run(session: SessionDep, run_id: str) -> PersonaRunSummary:
    """Make this run the one pages, the API and contacts show."""
    run = svc.get_run(session, ref=run_id)
    return PersonaRunSummary.model_validate(svc.activate_run(session, run_id=run.id))


@router.post("/personas/runs/{run_id}/assign", summary="Assign new contacts")
def assign_contacts(session: SessionDep, run_id: str) -> AssignedPublic:
    """Assign the contacts the run has not assigned yet (e.g. added since) with its model;
    the same as ``buyermap personas assign --new-only``."""
    run = svc.get_run(session, ref=run_id)
    report = persona_contacts.assign_contacts(session, run=run, only_missing=True)
    return AssignedPublic.model_validate(asdict(report))


@router.get("/personas", summary="List personas")
def list_personas(session: SessionDep, run: RunParam = None) -> PersonaList:
    """The personas of the active run (or of ``run``), largest first."""
    found = svc.require_run(session, ref=run)
    return PersonaList(
        run=PersonaRunSummary.model_validate(found),
        personas=[PersonaSummary.model_validate(p) for p in found.personas],
    )


@router.get("/personas/{key}", summary="Get a persona card")
def get_persona(session: SessionDep, key: str, run: RunParam = None) -> PersonaPublic:
    """A persona's card: traits (value, population value, lift, 95% interval, n), themes
    from note tags, channels, descriptors and real quotes of its most certain members."""
    found = svc.require_run(session, ref=run)
    card = persona_card(session, run=found, key=key)
    p = card.persona
    return PersonaPublic(
        run_key=found.run_key,
        key=card.key,
        name=p["name"],
        title=p["title"],
        bucket=p.get("bucket"),
        size=p["size"],
        share=p["share"],
        share_ci=card.share_ci,
        stability=p.get("stability"),
        mean_probability=p.get("mean_probability"),
        low_evidence=p.get("low_evidence", False),
        traits=p["traits"],
        descriptors=p.get("descriptors", []),
        themes={
            kind: [
                ThemePublic(
                    tag=t.tag,
                    kind=t.kind,
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
                text=q.text, contact_id=q.contact_id, probability=q.probability, source=q.source
            )
            for q in card.quotes
        ],
        contacts_url=f"/personas/{card.key}/contacts?run={found.run_key}",
    )


def _card(session: SessionDep, key: str, run: str | None, fmt: str) -> Response:
    found = svc.require_run(session, ref=run)
    card = persona_card(session, run=found, key=key)
    return Response(
        card_image_of(card, fmt=fmt),
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'inline; filename="persona-{card.key}.{fmt}"'},
    )


@router.get("/personas/{key}/card.png", summary="Persona card as PNG")
def card_png(session: SessionDep, key: str, run: RunParam = None) -> Response:
    """The printable card as a PNG image (avatar, share, top traits with intervals, quotes)."""
    return _card(session, key, run, "png")


@router.get("/personas/{key}/card.pdf", summary="Persona card as PDF")
def card_pdf(session: SessionDep, key: str, run: RunParam = None) -> Response:
    """The printable card as a one-page A4 PDF."""
    return _card(session, key, run, "pdf")


@router.get("/contacts/{contact_id}/persona", summary="A contact's persona")
def contact_persona(
    session: SessionDep, contact_id: PathId, run: RunParam = None
) -> ContactPersonaPublic:
    """The contact's persona in the active run (or ``run``) and its probability; 404 when
    the contact does not exist or has no persona."""
    get_contact(session, contact_id=contact_id)
    found = svc.require_run(session, ref=run)
    assigned = persona_contacts.persona_of_contact(session, contact_id=contact_id, run=found)
    if assigned is None:
        raise NotFoundError(
            f"contact {contact_id} has no persona in run {found.run_key}; "
            f"assign new contacts with POST /api/v1/personas/runs/{found.run_key}/assign"
        )
    return ContactPersonaPublic.model_validate(asdict(assigned))
