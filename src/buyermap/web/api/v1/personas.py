"""``/api/v1/personas``: persona runs, personas (cards), and each contact's persona."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator

from buyermap.analytics.personas import members as persona_contacts
from buyermap.analytics.personas import stored as svc
from buyermap.analytics.personas.cards import card_image_of, persona_card
from buyermap.db.models import PersonaRun
from buyermap.errors import NotFoundError
from buyermap.io.list_exports import MEDIA as MEDIA_OF_TABLES
from buyermap.io.list_exports import encode, persona_contacts_table
from buyermap.schemas.common import valid_text
from buyermap.schemas.persona_profiles import (
    Department,
    PersonaProfileCreate,
    PersonaProfilePublic,
    PersonaProfileUpdate,
    PersonaSheet,
)
from buyermap.schemas.personas import (
    AssignedPublic,
    ContactPersonaPublic,
    PersonaList,
    PersonaPublic,
    PersonaRunPublic,
    PersonaRunSummary,
    PersonaSummary,
)
from buyermap.seams import persona_profiles as words
from buyermap.seams.personas import (
    DiscoverRequest,
    PersonaDiscovery,
    card_document,
    discover_personas,
    persona_list,
)
from buyermap.services.contacts import get_contact
from buyermap.web.analyses import CacheDep
from buyermap.web.api.v1.params import PathId
from buyermap.web.api.v1.responses import FILE_MEDIA
from buyermap.web.deps import WRITE, SessionDep

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


@router.post(
    "/personas/discover",
    status_code=status.HTTP_201_CREATED,
    summary="Discover personas (the CLI's document)",
    dependencies=[WRITE],
)
def discover(session: SessionDep, request: DiscoverRequest) -> PersonaDiscovery:
    """Discover personas in the workspace's contacts (synchronous) and store the run; the
    answer is the document ``buyermap personas discover --json`` prints.

    Refuses with 422 as the CLI does with exit code 2 (``insufficient_evidence`` when there
    are too few contacts for the variables; see docs/personas.md)."""
    return discover_personas(session, request).document


@router.post(
    "/personas/runs",
    status_code=status.HTTP_201_CREATED,
    summary="Discover personas",
    dependencies=[WRITE],
)
def create_run(session: SessionDep, options: DiscoverRequest) -> PersonaRunPublic:
    """Discover personas in the workspace's contacts (synchronous) and store the run; the
    answer is the stored run (``POST /personas/discover`` gives the discovery document).

    Refuses with 422 ``insufficient_evidence`` when there are too few contacts for the
    variables (see docs/personas.md); every contact gets its persona and probability.
    """
    found = discover_personas(session, options)
    assert found.run is not None  # a workspace discovery stores its run
    return _run_public(found.run)


@router.get("/personas/runs/{run_id}", summary="Get a persona run")
def get_run(session: SessionDep, run_id: str) -> PersonaRunPublic:
    """A run by id or run key: provenance, settings, personas, the choice of k, warnings."""
    return _run_public(svc.get_run(session, ref=run_id))


@router.post(
    "/personas/runs/{run_id}/activate", summary="Activate a persona run", dependencies=[WRITE]
)
def activate_run(session: SessionDep, run_id: str) -> PersonaRunSummary:
    """Make this run the one pages, the API and contacts show."""
    run = svc.get_run(session, ref=run_id)
    return PersonaRunSummary.model_validate(svc.activate_run(session, run_id=run.id))


@router.post("/personas/runs/{run_id}/assign", summary="Assign new contacts", dependencies=[WRITE])
def assign_contacts(session: SessionDep, run_id: str) -> AssignedPublic:
    """Assign the contacts the run has not assigned yet (e.g. added since) with its model;
    the same as ``buyermap personas assign --new-only``."""
    run = svc.get_run(session, ref=run_id)
    report = persona_contacts.assign_contacts(session, run=run, only_missing=True)
    return AssignedPublic.model_validate(asdict(report))


@router.get("/personas", summary="List personas")
def list_personas(session: SessionDep, cache: CacheDep, run: RunParam = None) -> PersonaList:
    """The personas of the active run (or of ``run``), largest first."""
    return persona_list(session, run=run, cache=cache)


@router.get("/personas/hand-made", summary="List hand-made personas")
def list_hand_made(session: SessionDep) -> list[PersonaProfilePublic]:
    """Personas made by hand (workshops), oldest first; each says it is not backed by data."""
    return words.hand_made_personas(session)


@router.post(
    "/personas",
    status_code=status.HTTP_201_CREATED,
    summary="Make a persona by hand",
    dependencies=[WRITE],
)
def create_persona(session: SessionDep, body: PersonaProfileCreate) -> PersonaProfilePublic:
    """A hand-made persona (name, description, demographics, goals, frustrations, behaviour
    online and offline, buyer or end user, messages, channels, objections with our
    answers, support questions): ``origin`` ``hand_made``, ``backed_by_data`` false."""
    return words.create_persona(session, body)


@router.patch("/personas/{key}", summary="Edit a persona's words", dependencies=[WRITE])
def edit_persona(
    session: SessionDep, key: str, body: PersonaProfileUpdate, run: RunParam = None
) -> PersonaProfilePublic:
    """Edit a hand-made persona, or rename and describe a discovered one (its run's
    numbers stay in ``evidence``). Send the ``version`` you read: a stale one is 409."""
    return words.edit_persona(session, key=key, body=body, run=run)


@router.get("/personas/pack.pdf", summary="Workshop pack (PDF)")
def workshop_pack(session: SessionDep, run: RunParam = None) -> Response:
    """Every persona (the active run's and the hand-made ones) with its four department
    sheets and its journey map, as one PDF."""
    data, _ = words.workshop_pack(session, run=run)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="personas-workshop.pdf"'},
    )


@router.get("/personas/pack.pptx", summary="Workshop pack (PowerPoint)")
def workshop_pack_pptx(session: SessionDep, run: RunParam = None) -> Response:
    """The workshop pack as an editable PowerPoint deck: a slide per department sheet and
    journey map."""
    data, _ = words.workshop_pack(session, run=run, format="pptx")
    return Response(
        data,
        media_type=FILE_MEDIA[".pptx"],
        headers={"Content-Disposition": 'attachment; filename="personas-workshop.pptx"'},
    )


@router.get("/personas/{key}/profile", summary="A persona in words")
def get_profile(session: SessionDep, key: str, run: RunParam = None) -> PersonaProfilePublic:
    """A persona in words with its ``origin`` (hand_made or discovered) and, for a
    discovered one, its ``evidence`` (what ``buyermap personas show KEY --json`` prints)."""
    return words.show_persona(session, key=key, run=run)


@router.get("/personas/{key}/sheets/{department}.pdf", summary="A department sheet as PDF")
def get_sheet_pdf(
    session: SessionDep, key: str, department: Department, run: RunParam = None
) -> Response:
    """The department sheet as a one-page A4 PDF."""
    data = words.sheet_file(session, key=key, department=department, fmt="pdf", run=run)
    return Response(
        data,
        media_type="application/pdf",
        headers={  # a hand-made persona's key may be any text a journeys file gave
            "Content-Disposition": f'inline; filename="{department}.pdf"; '
            f"filename*=UTF-8''{quote(f'{key}-{department}.pdf')}"
        },
    )


@router.get("/personas/{key}/sheets/{department}", summary="A persona's department sheet")
def get_sheet(
    session: SessionDep, key: str, department: Department, run: RunParam = None
) -> PersonaSheet:
    """The persona as marketing, sales, product or support needs it."""
    return words.persona_sheet(session, key=key, department=department, run=run)


@router.get("/personas/{key}", summary="Get a persona card")
def get_persona(
    session: SessionDep, cache: CacheDep, key: str, run: RunParam = None
) -> PersonaPublic:
    """A persona's card: traits (value, population value, lift, 95% interval, n), themes
    from note tags, channels, descriptors and real quotes of its most certain members."""
    return card_document(session, key=key, run=run, cache=cache)


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


def _contacts(session: SessionDep, key: str, run: str | None, fmt: str) -> Response:
    found = svc.require_run(session, ref=run)
    table = persona_contacts_table(session, run=found, key=key)
    name = f"persona-{key}-contacts.{fmt}"
    return Response(
        encode(table, fmt),
        media_type=MEDIA_OF_TABLES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/personas/{key}/contacts.csv", summary="A persona's contacts as CSV")
def persona_contacts_csv(session: SessionDep, key: str, run: RunParam = None) -> Response:
    """The persona's contacts (name, company, email, job title, department, seniority in
    words) with their membership probability, most certain first; UTF-8 with a BOM."""
    return _contacts(session, key, run, "csv")


@router.get("/personas/{key}/contacts.xlsx", summary="A persona's contacts as Excel")
def persona_contacts_xlsx(session: SessionDep, key: str, run: RunParam = None) -> Response:
    """The persona's contacts as XLSX: headers in words, the probability as a percentage
    number, a frozen header row."""
    return _contacts(session, key, run, "xlsx")


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
