"""The seam of personas in words: hand-made personas, the words given to discovered ones,
and the department sheets and workshop pack made from either.

Keys: a hand-made persona's key starts with ``h-`` (``h-lucja-nowak``) or is the key a
journeys file gave when its import made the persona; any other key is a
discovered persona of the active run (or ``run``). Every edge (CLI ``personas
create/edit/show/sheet/pack``, ``/api/v1/personas`` POST/PATCH, the pages) calls these
functions and serialises the same typed documents (:class:`PersonaProfilePublic`,
:class:`PersonaSheet`). A hand-made persona says everywhere that it is not backed by data;
a discovered persona keeps its run's numbers (``evidence``) whatever it is renamed to.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.personas import stored as runs
from buyermap.analytics.personas.avatar import render_avatar
from buyermap.charts.persona_sheets import pack_pdf, sheet_pdf
from buyermap.charts.persona_slides import pack_pptx
from buyermap.db.models import CommitteeMember, PersonaAssignment, PersonaProfile, PersonaRun
from buyermap.domain.journeys import KIND_WORDS, KINDS, TEMPLATE_WORDS, stage_word
from buyermap.domain.labels import label
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.io.persona_sheets import sheet_html
from buyermap.schemas.persona_profiles import (
    DEPARTMENTS,
    NOT_BACKED,
    Department,
    Evidence,
    JourneyPage,
    Objection,
    PersonaProfileCreate,
    PersonaProfilePublic,
    PersonaProfileUpdate,
    PersonaSheet,
    SheetSection,
)
from buyermap.services import content as content_svc
from buyermap.services import journeys as journeys_svc
from buyermap.services import persona_profiles as svc

DISCOVERED_NOTE = "Discovered from data: the numbers come from run {run}."
ROLE_WORDS = {"buyer": "buyer", "end_user": "end user", None: "not said"}


# -- reading ------------------------------------------------------------------------------


def _public(
    profile: PersonaProfile | None,
    *,
    key: str,
    run: PersonaRun | None = None,
    persona: dict[str, Any] | None = None,
) -> PersonaProfilePublic:
    evidence = None
    if run is not None and persona is not None:
        evidence = Evidence(
            run_key=run.run_key,
            persona_key=str(persona["key"]),
            discovered_name=str(persona["name"]),
            size=int(persona["size"]),
            share=float(persona["share"]),
            stability=persona.get("stability"),
            low_evidence=bool(persona.get("low_evidence", False)),
            n=run.n,
        )
    hand = evidence is None
    query = "" if hand or run is None or run.is_active else f"?run={run.run_key}"
    words: dict[str, Any] = {
        "name": persona["name"] if persona else "",
        "description": "",
        "role": None,
        "demographics": "",
        "goals": [],
        "frustrations": [],
        "behaviour_online": "",
        "behaviour_offline": "",
        "channels": [],
        "messages": [],
        "objections": [],
        "questions": [],
    }
    if profile is not None:
        words = {field: getattr(profile, field) for field in words}
    return PersonaProfilePublic(
        key=key,
        origin="hand_made" if hand else "discovered",
        backed_by_data=not hand,
        note=NOT_BACKED if hand else DISCOVERED_NOTE.format(run=run.run_key if run else ""),
        **words,
        picture_url=f"/personas/{key}/avatar.png{query}",
        uploaded_picture=profile is not None and profile.picture is not None,
        evidence=evidence,
        version=None if profile is None else profile.version,
        created_at=None if profile is None else profile.created_at,
        updated_at=None if profile is None else profile.updated_at,
    )


def _discovered(
    session: Session, key: str, run: str | None
) -> tuple[PersonaRun, dict[str, Any], PersonaProfile | None]:
    found = runs.require_run(session, ref=run)
    persona = runs.persona_dict(found, key)
    return found, persona, svc.of_discovered(session, run_id=found.id, persona_key=key)


def show_persona(session: Session, *, key: str, run: str | None = None) -> PersonaProfilePublic:
    """A persona in words: hand-made (``h-...``) or discovered in the active run (``run``)."""
    if svc.is_hand_made(session, key=key):
        return _public(svc.get_hand_made(session, key=key), key=key)
    found, persona, profile = _discovered(session, key, run)
    return _public(profile, key=key, run=found, persona=persona)


def hand_made_personas(session: Session) -> list[PersonaProfilePublic]:
    """Every hand-made persona, oldest first."""
    return [_public(p, key=p.key) for p in svc.hand_made(session)]


def picture(session: Session, *, key: str, run: str | None = None) -> bytes | None:
    """The uploaded picture (PNG) of a persona; None when it has the generated one."""
    if svc.is_hand_made(session, key=key):
        return svc.get_hand_made(session, key=key).picture
    found = runs.require_run(session, ref=run)
    profile = svc.of_discovered(session, run_id=found.id, persona_key=key)
    return None if profile is None else profile.picture


# -- writing ------------------------------------------------------------------------------


def _dumped(body: PersonaProfileCreate | PersonaProfileUpdate) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    if "objections" in values and values["objections"] is not None:
        values["objections"] = [
            Objection.model_validate(o).model_dump() for o in values["objections"]
        ]
    return {k: v for k, v in values.items() if v is not None or k == "role"}


def create_persona(
    session: Session, body: PersonaProfileCreate, *, picture_bytes: bytes | None = None
) -> PersonaProfilePublic:
    """A new hand-made persona (not backed by data); ``picture_bytes`` an uploaded picture."""
    profile = svc.create_hand_made(session, values=_dumped(body))
    if picture_bytes:
        svc.set_picture(session, profile, data=picture_bytes)
    return _public(profile, key=profile.key)


def edit_persona(
    session: Session,
    *,
    key: str,
    body: PersonaProfileUpdate,
    run: str | None = None,
    picture_bytes: bytes | None = None,
) -> PersonaProfilePublic:
    """Edit a persona's words. A discovered persona's rename is shown everywhere (its row
    in the run is renamed too) while the run's result, numbers and discovered name stay."""
    changes = _dumped(body)
    if svc.is_hand_made(session, key=key):
        profile = svc.get_hand_made(session, key=key)
        svc.update_profile(session, profile, changes=changes)
        if picture_bytes:
            svc.set_picture(session, profile, data=picture_bytes)
        return _public(profile, key=key)
    found, persona, _ = _discovered(session, key, run)
    profile = svc.for_discovered(
        session, run_id=found.id, run_key=found.run_key, persona_key=key, name=persona["name"]
    )
    svc.update_profile(session, profile, changes=changes)
    if picture_bytes:
        svc.set_picture(session, profile, data=picture_bytes)
    for row in found.personas:
        if row.key == key:
            row.name = profile.name
    session.flush()
    return _public(profile, key=key, run=found, persona=persona)


# -- department sheets --------------------------------------------------------------------


def _committee_lines(session: Session, run: PersonaRun, key: str) -> list[str]:
    """Where the persona's assigned contacts sit in buying committees: roles, counted."""
    stmt = (
        select(CommitteeMember.role)
        .join(PersonaAssignment, PersonaAssignment.contact_id == CommitteeMember.contact_id)
        .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
    )
    roles = Counter(str(r) for r in session.scalars(stmt))
    total = sum(roles.values())
    return [
        f"{label(role)}: {n:,} of {total:,} committee seats ({100 * n / total:.0f}%)"
        for role, n in roles.most_common()
    ]


PACK_FORMATS = ("pdf", "pptx")


def _pieces(text: list[str]) -> str:
    shown = "; ".join(text[:3]) + ("; ..." if len(text) > 3 else "")
    return f"{len(text)} piece{'s' if len(text) != 1 else ''}: {shown}"


def _journey_lines(session: Session, key: str) -> list[str] | None:
    """Content per stage of the persona's journey map (its content lines and the library's
    assets for the stage); None when the persona has no map."""
    journey = journeys_svc.get_journey(session, key)
    if journey is None:
        return None
    lines = journeys_svc.ordered(journey)
    assets = content_svc.list_content(session, persona=key)
    out = []
    for stage in journey.stages:
        pieces = [ln.text for ln in lines if ln.stage == stage and ln.kind == "content"]
        pieces += [a.title for a in assets if not a.stages or stage in a.stages]
        out.append(
            f"{stage_word(stage)}: {_pieces(pieces)}"
            if pieces
            else f"{stage_word(stage)}: no content yet (a gap to fill)"
        )
    return out


def _journey_objections(session: Session, key: str) -> list[str]:
    """The objections of the persona's journey map with our answer (an answer line, else a
    content piece that addresses it)."""
    journey = journeys_svc.get_journey(session, key)
    if journey is None:
        return []
    lines = journeys_svc.ordered(journey)
    answers = {ln.ref: ln.text for ln in lines if ln.kind == "answer" and ln.ref}
    content = {
        o: f"content: {a.title}"
        for a in reversed(content_svc.list_content(session, persona=key))
        for o in a.objections
    }
    return [
        f"{ln.text} ({stage_word(ln.stage)}) -> "
        f"{answers.get(ln.key) or content.get(ln.key) or '(no answer yet)'}"
        for ln in lines
        if ln.kind == "objection"
    ]


def journey_page(session: Session, *, key: str, run: str | None = None) -> JourneyPage | None:
    """The persona's journey map as a page of the workshop pack: per stage what they must
    get done, ask, where they look, what holds them back, our answers and content; None
    when the persona has no map."""
    journey = journeys_svc.get_journey(session, key)
    if journey is None:
        return None
    p = show_persona(session, key=key, run=run)
    lines = journeys_svc.ordered(journey)
    assets = content_svc.list_content(session, persona=key)
    sections = []
    for stage in journey.stages:
        here = [ln for ln in lines if ln.stage == stage]
        rows = [
            f"{KIND_WORDS[kind]}: {ln.text}" + (f" (answers {ln.ref})" if ln.ref else "")
            for kind in KINDS
            for ln in here
            if ln.kind == kind
        ]
        titles = [a.title for a in assets if not a.stages or stage in a.stages]
        if titles:
            rows.append(f"Content in the library: {_pieces(titles)}")
        sections.append(
            SheetSection(
                heading=stage_word(stage),
                source=f"{sum(ln.evidence_count or 0 for ln in here)} pieces of evidence"
                if any(ln.evidence_count for ln in here)
                else "",
                lines=rows,
                empty="Nothing on the map for this stage yet.",
            )
        )
    return JourneyPage(
        key=p.key,
        name=p.name,
        template=TEMPLATE_WORDS.get(journey.template, journey.template),
        status=journey.status,
        backed_by_data=p.backed_by_data,
        note=p.note,
        sections=sections,
    )


def _data_lines(session: Session, run: PersonaRun, key: str) -> dict[str, list[str]]:
    from buyermap.seams.personas import card_document  # the card: goals, frustrations

    card = card_document(session, key=key, run=run.run_key)
    return {
        "goals": list(card.goals),
        "frustrations": list(card.frustrations),
        "channels": [str(c.get("label") or c.get("variable") or "") for c in card.channels],
        "portrait": [card.portrait] if card.portrait else [],
    }


def _section(heading: str, source: str, lines: list[str], empty: str) -> SheetSection:
    return SheetSection(heading=heading, source=source, lines=[x for x in lines if x], empty=empty)


def persona_sheet(
    session: Session, *, key: str, department: Department, run: str | None = None
) -> PersonaSheet:
    """The persona as one department needs it (see docs/personas.md, "Department sheets")."""
    if department not in DEPARTMENTS:
        raise InvalidValueError(f"department {department!r}; one of {', '.join(DEPARTMENTS)}")
    p = show_persona(session, key=key, run=run)
    data: dict[str, list[str]] = {}
    committee: list[str] = []
    if p.evidence is not None:
        found = runs.require_run(session, ref=p.evidence.run_key)
        data = _data_lines(session, found, key)
        committee = _committee_lines(session, found, key)
    own = "the persona's own words" + (" (made by hand)" if not p.backed_by_data else "")
    measured = f"measured in run {p.evidence.run_key}" if p.evidence else ""
    no_data = "Made by hand: nothing measured." if not p.backed_by_data else "Nothing stands out."
    role = ROLE_WORDS.get(p.role, "not said")
    answers = [
        f"{o.objection} -> {o.answer}" if o.answer else f"{o.objection} -> (no answer yet)"
        for o in p.objections
    ] + _journey_objections(session, key)
    sections: list[SheetSection]
    if department == "marketing":
        journey = _journey_lines(session, key)
        sections = [
            _section("Messages", own, p.messages, "No messages written yet."),
            _section(
                "Channels",
                own,
                [
                    *p.channels,
                    *([f"Online: {p.behaviour_online}"] if p.behaviour_online else []),
                    *([f"Offline: {p.behaviour_offline}"] if p.behaviour_offline else []),
                ],
                "No channels written yet.",
            ),
            _section("Channels in the data", measured, data.get("channels", []), no_data),
            _section(
                "Content per stage (from the journey map)",
                "journeys",
                journey or [],
                "No journey map for this persona yet: this part is filled from its journey "
                "once one exists. Until then, use the messages and channels above.",
            ),
        ]
    elif department == "sales":
        sections = [
            _section(
                "Talk track",
                own,
                [p.description, *(f"They want: {g}" for g in p.goals), *p.messages],
                "Nothing written yet: add a description, goals and messages.",
            ),
            _section("Objections and our answers", own, answers, "No objections written yet."),
            _section(
                "Where they sit in buying committees",
                measured or own,
                committee or ([f"Role: {role}"] if not p.backed_by_data else []),
                "None of this persona's contacts sits in a buying committee yet."
                if p.backed_by_data
                else "Made by hand: no contacts.",
            ),
        ]
    elif department == "product":
        sections = [
            _section("Needs and goals", own, p.goals, "No goals written yet."),
            _section("Frustrations", own, p.frustrations, "No frustrations written yet."),
            _section(
                "Goals and frustrations in the data",
                measured,
                [*data.get("goals", []), *data.get("frustrations", [])],
                no_data,
            ),
            _section("Buyer or end user", own, [f"This persona is the {role}."], ""),
        ]
    else:
        caller = {
            "buyer": "The buyer calls: questions about contract, invoices, value.",
            "end_user": "The end user calls: questions about daily use.",
        }.get(p.role or "", "Not said whether the buyer or the end user calls.")
        sections = [
            _section("What they ask", own, p.questions, "No support questions written yet."),
            _section("Who calls", own, [caller], ""),
            _section(
                "How they behave",
                own,
                [
                    *([f"Online: {p.behaviour_online}"] if p.behaviour_online else []),
                    *([f"Offline: {p.behaviour_offline}"] if p.behaviour_offline else []),
                    *(f"Frustrated by: {f}" for f in p.frustrations),
                ],
                "Nothing written yet.",
            ),
        ]
    return PersonaSheet(
        key=p.key,
        name=p.name,
        department=department,
        title=f"{p.name}: {department} sheet",
        origin=p.origin,
        backed_by_data=p.backed_by_data,
        note=p.note,
        description=p.description or " ".join(data.get("portrait", [])),
        sections=sections,
    )


def all_persona_keys(session: Session, *, run: str | None = None) -> list[str]:
    """The discovered personas of the active run (or ``run``; none without runs) and the
    hand-made ones, in that order: what a workshop pack holds."""
    keys: list[str] = []
    found = runs.find_run(session, ref=run) if run else runs.active_run(session)
    if found is not None:
        keys.extend(str(p["key"]) for p in found.result.get("personas", []))
    keys.extend(p.key for p in svc.hand_made(session))
    return keys


def workshop_sheets(session: Session, *, run: str | None = None) -> list[list[PersonaSheet]]:
    """Per persona, its four department sheets."""
    return [
        [persona_sheet(session, key=key, department=d, run=run) for d in DEPARTMENTS]
        for key in all_persona_keys(session, run=run)
    ]


# -- pictures and files -------------------------------------------------------------------


def picture_image(session: Session, *, key: str, run: str | None = None) -> Image.Image:
    """The uploaded picture, or the generated one (drawn from the discovered name and
    title, so a rename keeps the picture; a hand-made persona's from its name)."""
    uploaded = picture(session, key=key, run=run)
    if uploaded is not None:
        return Image.open(io.BytesIO(uploaded))
    if svc.is_hand_made(session, key=key):
        p = svc.get_hand_made(session, key=key)
        return render_avatar(p.name, p.description[:120] or p.name)
    found = runs.require_run(session, ref=run)
    persona = runs.persona_dict(found, key)
    return render_avatar(str(persona["name"]), str(persona["title"]))


def png_bytes(image: Image.Image, *, size: int | None = None) -> bytes:
    img = image.copy()
    if size is not None:
        img = img.resize((size, size))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def sheet_file(
    session: Session, *, key: str, department: Department, fmt: str, run: str | None = None
) -> bytes:
    """A department sheet as ``pdf`` (one A4 page) or ``html`` (a standalone page)."""
    sheet = persona_sheet(session, key=key, department=department, run=run)
    image = picture_image(session, key=key, run=run)
    if fmt == "pdf":
        return sheet_pdf(sheet, picture=image)
    if fmt == "html":
        return sheet_html(sheet, picture_png=png_bytes(image, size=192)).encode("utf-8")
    raise InvalidValueError(f"a sheet is written as .pdf or .html, not {fmt!r}")


def workshop_pack(
    session: Session, *, run: str | None = None, format: str = "pdf"
) -> tuple[bytes, int]:
    """Every persona's four department sheets and its journey map (when it has one) as one
    PDF, or as an editable PowerPoint deck (``format`` pptx), and the number of personas;
    refuses when the workspace has no persona at all."""
    if format not in PACK_FORMATS:
        raise InvalidValueError(
            f"pack format {format!r}; one of {', '.join(PACK_FORMATS)}",
            details={"field": "format"},
        )
    sheets = workshop_sheets(session, run=run)
    if not sheets:
        raise NotFoundError(
            "the workspace has no personas: discover them (`buyermap personas discover`) "
            "or make one (`buyermap personas create --name ...`)"
        )
    pages: list[tuple[PersonaSheet | JourneyPage, Image.Image]] = []
    for group in sheets:
        picture = picture_image(session, key=group[0].key, run=run)
        pages.extend((sheet, picture) for sheet in group)
        journey = journey_page(session, key=group[0].key, run=run)
        if journey is not None:
            pages.append((journey, picture))
    return (pack_pptx(pages) if format == "pptx" else pack_pdf(pages)), len(sheets)
