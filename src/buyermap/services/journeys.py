"""Journey maps per persona: lines added, edited, reordered and removed in the draft,
published as numbered versions, compared with a diff.

Keyword-only use cases that take the session and never commit (the caller owns the
transaction). The rules (templates, kinds, what a valid line is) are in
:mod:`buyermap.domain.journeys`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    CommitteeMember,
    Deal,
    DealContact,
    Journey,
    JourneyLine,
    JourneyVersion,
    PersonaAssignment,
    PersonaRun,
)
from buyermap.domain.journeys import (
    CUSTOM,
    DEFAULT_TEMPLATE,
    KINDS,
    TEMPLATES,
    Line,
    LineChange,
    LineKind,
    check_line,
    clean_text,
    diff_lines,
    template_stages,
)
from buyermap.errors import InvalidValueError, NotFoundError
from buyermap.services import persona_profiles as profiles_svc
from buyermap.services.versions import check_version

# The run journeys imports kept hand-made personas in before 0020 moved them to persona
# profiles; it may remain, holding contacts placed in a hand-made persona.
HAND_MADE_RUN = "hand-made"
HAND_MADE = profiles_svc.HAND_MADE
DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class PersonaRef:
    key: str
    name: str
    origin: str  # discovered | hand_made


def active_run(session: Session) -> PersonaRun | None:
    """The run the workspace shows: the active one, else the newest discovered one."""
    run = session.scalar(select(PersonaRun).where(PersonaRun.is_active.is_(True)).limit(1))
    if run is None:
        run = session.scalar(
            select(PersonaRun)
            .where(PersonaRun.run_key != HAND_MADE_RUN)
            .order_by(PersonaRun.id.desc())
            .limit(1)
        )
    return run


def won_revenue_by_persona(session: Session) -> dict[str, float]:
    """Won deals' amounts shared among their people's personas (the shown run's
    assignments; a deal's people: its CRM contacts and its buying committee): a deal with
    two people of persona A and one of B gives A 2/3."""
    run = active_run(session)
    if run is None:
        return {}
    persona_of = dict(
        session.execute(
            select(PersonaAssignment.contact_id, PersonaAssignment.persona_key).where(
                PersonaAssignment.run_id == run.id
            )
        ).all()
    )
    won = select(Deal.id).where(Deal.status == "won", Deal.amount.is_not(None))
    amount = dict(session.execute(select(Deal.id, Deal.amount).where(Deal.id.in_(won))).all())
    people: dict[int, set[int]] = {}
    for model in (DealContact, CommitteeMember):
        for deal_id, contact_id in session.execute(
            select(model.deal_id, model.contact_id).where(model.deal_id.in_(won))
        ).all():
            if deal_id is not None:
                people.setdefault(deal_id, set()).add(contact_id)
    out: dict[str, float] = {}
    for deal_id, contacts in people.items():
        keys = [persona_of[c] for c in sorted(contacts) if c in persona_of]
        for key in keys:
            out[key] = out.get(key, 0.0) + float(amount.get(deal_id) or 0.0) / len(keys)
    return out


def personas(session: Session) -> list[PersonaRef]:
    """The personas journeys are made for: the shown run's, then the hand-made ones (the
    persona profiles made by hand, in the editor or by a journeys import)."""
    out: dict[str, PersonaRef] = {}
    run = active_run(session)
    if run is not None and run.run_key != HAND_MADE_RUN:
        for p in run.personas:
            out[p.key] = PersonaRef(p.key, p.name, p.origin)
    for profile in profiles_svc.hand_made(session):
        out.setdefault(profile.key, PersonaRef(profile.key, profile.name, HAND_MADE))
    return list(out.values())


def find_persona(session: Session, key: str) -> PersonaRef | None:
    return next((p for p in personas(session) if p.key == key), None)


def ensure_persona(
    session: Session, *, key: str, name: str | None = None
) -> tuple[PersonaRef, bool]:
    """The persona ``key``; one that does not exist is made by hand (``origin``
    ``hand_made``: not backed by data) as a persona profile keeping the key as given, so
    it is the same persona in the persona pages, sheets and pack. True when made."""
    found = find_persona(session, key)
    if found is not None:
        return found, False
    if not key or len(key) > 80:
        raise InvalidValueError(
            f"persona key {key[:40]!r} must have 1 to 80 characters", details={"field": "persona"}
        )
    word = (name or key.replace("_", " ").replace("-", " ").strip().capitalize())[:120]
    profiles_svc.create_hand_made(session, values={"name": word}, key=key)
    return PersonaRef(key, word, HAND_MADE), True


def get_journey(session: Session, persona: str) -> Journey | None:
    return session.scalar(select(Journey).where(Journey.persona_key == persona))


def require_journey(session: Session, persona: str) -> Journey:
    journey = get_journey(session, persona)
    if journey is None:
        have = list(session.scalars(select(Journey.persona_key).order_by(Journey.persona_key)))
        raise NotFoundError(
            f"persona {persona!r} has no journey map; maps exist for: "
            f"{', '.join(have) or 'none yet'} (import one with buyermap journeys import)"
        )
    return journey


def stages_of(template: str, stages: list[str] | None) -> list[str]:
    if template != CUSTOM and template not in TEMPLATES:
        raise InvalidValueError(
            f"unknown template {template!r}; valid: {', '.join([*TEMPLATES, CUSTOM])}",
            details={"field": "template"},
        )
    out = template_stages(template, stages)
    if not out:
        raise InvalidValueError(
            "a custom template needs its stages (one or more)", details={"field": "stages"}
        )
    return out


def ensure_journey(
    session: Session, *, persona: str, template: str | None = None, stages: list[str] | None = None
) -> Journey:
    """The persona's map, made (empty, as a draft) when it has none. A given template that
    differs from the map's is refused: stages of another template would not fit its lines."""
    journey = get_journey(session, persona)
    if journey is not None:
        if template is not None and template != journey.template:
            raise InvalidValueError(
                f"persona {persona!r}'s journey uses the template {journey.template!r}, "
                f"not {template!r}; give --template {journey.template} (or none)",
                details={"field": "template"},
            )
        return journey
    ensure_persona(session, key=persona)
    tpl = template or DEFAULT_TEMPLATE
    journey = Journey(
        persona_key=persona, template=tpl, stages=stages_of(tpl, stages), status=DRAFT, published=0
    )
    session.add(journey)
    session.flush()
    return journey


def lines_of(journey: Journey) -> list[Line]:
    return [
        Line(
            stage=ln.stage,
            kind=ln.kind,
            text=ln.text,
            key=ln.key,
            ref=ln.ref,
            evidence=ln.evidence,
            evidence_count=ln.evidence_count,
        )
        for ln in ordered(journey)
    ]


def ordered(journey: Journey) -> list[JourneyLine]:
    """The draft's lines stage by stage (in the template's order), kind by kind, in place."""
    stage_at = {s: i for i, s in enumerate(journey.stages)}
    kind_at = {k: i for i, k in enumerate(KINDS)}
    return sorted(
        journey.lines,
        key=lambda ln: (stage_at.get(ln.stage, 99), kind_at.get(ln.kind, 99), ln.position, ln.id),
    )


def objection_keys(journey: Journey) -> set[str]:
    return {ln.key for ln in journey.lines if ln.kind == LineKind.OBJECTION and ln.key}


def all_journeys(session: Session) -> list[Journey]:
    return list(session.scalars(select(Journey).order_by(Journey.persona_key)))


def _clean(text: str, *, field: str, limit: int) -> str:
    out = clean_text(text)
    if len(out) > limit:
        raise InvalidValueError(
            f"{field} has {len(out)} characters; at most {limit}", details={"field": field}
        )
    return out


def _touch(journey: Journey) -> None:
    journey.status = DRAFT


def add_line(
    session: Session,
    *,
    persona: str,
    stage: str,
    kind: str,
    text: str,
    key: str = "",
    ref: str = "",
    evidence: str = "",
    evidence_count: int | None = None,
) -> JourneyLine:
    """Add one line at the end of its cell; refused (naming the bad value and the valid
    ones) for a stage the map has not, an unknown kind, or an answer to no objection."""
    journey = require_journey(session, persona)
    body = _clean(text, field="text", limit=2000)
    if not body:
        raise InvalidValueError("a line needs a text", details={"field": "text"})
    key, ref = _clean(key, field="key", limit=80), _clean(ref, field="ref", limit=80)
    if kind == LineKind.OBJECTION and key in objection_keys(journey):
        raise InvalidValueError(
            f"persona {persona!r} has an objection with key {key!r} already; choose another",
            details={"field": "key"},
        )
    problems = check_line(
        stage=stage,
        kind=kind,
        key=key,
        ref=ref,
        stages=journey.stages,
        objection_keys=objection_keys(journey),
    )
    if problems:
        field, message = problems[0]
        raise InvalidValueError(message, details={"field": field})
    if evidence_count is not None and evidence_count < 0:
        raise InvalidValueError(
            f"evidence count {evidence_count} is negative; give 0 or more",
            details={"field": "evidence_count"},
        )
    cell = [ln.position for ln in journey.lines if ln.stage == stage and ln.kind == kind]
    line = JourneyLine(
        journey_id=journey.id,
        stage=stage,
        kind=kind,
        key=key if kind == LineKind.OBJECTION else "",
        ref=ref if kind == LineKind.ANSWER else "",
        text=body,
        position=max(cell, default=-1) + 1,
        evidence=_clean(evidence, field="evidence", limit=2000),
        evidence_count=evidence_count,
    )
    journey.lines.append(line)
    _touch(journey)
    session.flush()
    return line


def get_line(session: Session, *, line_id: int) -> JourneyLine:
    line = session.get(JourneyLine, line_id)
    if line is None:
        raise NotFoundError(f"no journey line {line_id}")
    return line


def update_line(
    session: Session,
    *,
    line_id: int,
    text: str | None = None,
    ref: str | None = None,
    evidence: str | None = None,
    evidence_count: int | None = None,
    version: int | None = None,
) -> JourneyLine:
    """Change a line's text, an answer's objection, or its evidence (409 when it changed
    since ``version`` was read)."""
    line = get_line(session, line_id=line_id)
    changes: dict[str, object] = {}
    if text is not None:
        body = _clean(text, field="text", limit=2000)
        if not body:
            raise InvalidValueError("a line needs a text", details={"field": "text"})
        changes["text"] = body
    if ref is not None:
        if line.kind != LineKind.ANSWER:
            raise InvalidValueError(
                f"only answers refer to an objection; this line is a {line.kind}",
                details={"field": "ref"},
            )
        keys = objection_keys(line.journey)
        if ref not in keys:
            raise InvalidValueError(
                f"no objection {ref!r} in this journey; its objections: "
                f"{', '.join(sorted(keys)) or 'none yet'}",
                details={"field": "ref"},
            )
        changes["ref"] = ref
    if evidence is not None:
        changes["evidence"] = _clean(evidence, field="evidence", limit=2000)
    if evidence_count is not None:
        if evidence_count < 0:
            raise InvalidValueError(
                f"evidence count {evidence_count} is negative; give 0 or more",
                details={"field": "evidence_count"},
            )
        changes["evidence_count"] = evidence_count
    check_version(line, expected=version, changes=changes, what="journey line")
    for name, value in changes.items():
        setattr(line, name, value)
    if changes:
        _touch(line.journey)
    session.flush()
    return line


def delete_line(session: Session, *, line_id: int) -> None:
    """Remove a line; an objection goes with the answers that refer to it."""
    line = get_line(session, line_id=line_id)
    journey = line.journey
    if line.kind == LineKind.OBJECTION and line.key:
        for other in list(journey.lines):
            if other.kind == LineKind.ANSWER and other.ref == line.key:
                journey.lines.remove(other)
    journey.lines.remove(line)
    _touch(journey)
    session.flush()


def move_line(session: Session, *, line_id: int, by: int) -> JourneyLine:
    """Move a line up (``by`` < 0) or down within its cell."""
    line = get_line(session, line_id=line_id)
    cell = [ln for ln in ordered(line.journey) if ln.stage == line.stage and ln.kind == line.kind]
    at = cell.index(line)
    to = max(0, min(len(cell) - 1, at + by))
    if to != at:
        cell.insert(to, cell.pop(at))
        for i, ln in enumerate(cell):
            ln.position = i
        _touch(line.journey)
    session.flush()
    return line


def replace_lines(session: Session, *, journey: Journey, lines: list[Line]) -> list[LineChange]:
    """Make the draft hold exactly ``lines`` (already checked); lines that did not change
    keep their ids. Returns what changed (nothing when the lines are the draft's)."""
    changes = diff_lines(lines_of(journey), lines)
    if not changes and [ln.identity for ln in lines] == [ln.identity for ln in lines_of(journey)]:
        return []
    stored: dict[tuple[str, str, str, str], list[JourneyLine]] = {}
    for ln in ordered(journey):
        ident = Line(ln.stage, ln.kind, ln.text, ln.key, ln.ref).identity
        stored.setdefault(ident, []).append(ln)
    keep: list[JourneyLine] = []
    positions: dict[tuple[str, str], int] = {}
    for line in lines:
        cell = (line.stage, line.kind)
        pos = positions.get(cell, 0)
        positions[cell] = pos + 1
        same = stored.get(line.identity)
        row = same.pop(0) if same else None
        if row is None:
            row = JourneyLine(stage=line.stage, kind=line.kind)
            journey.lines.append(row)
        row.text, row.key, row.ref = line.text, line.key, line.ref
        row.evidence, row.evidence_count, row.position = line.evidence, line.evidence_count, pos
        keep.append(row)
    for rows in stored.values():
        for row in rows:
            journey.lines.remove(row)
    if changes:
        _touch(journey)
    session.flush()
    return changes


def publish(session: Session, *, persona: str) -> JourneyVersion:
    """Publish the draft as the next numbered version (the draft stays, to edit on)."""
    journey = require_journey(session, persona)
    number = journey.published + 1
    version = JourneyVersion(
        journey_id=journey.id,
        number=number,
        template=journey.template,
        stages=list(journey.stages),
        lines=[ln.to_dict() for ln in lines_of(journey)],
    )
    session.add(version)
    journey.published = number
    journey.status = "published"
    session.flush()
    return version


def history(session: Session, *, persona: str) -> list[JourneyVersion]:
    journey = require_journey(session, persona)
    return list(
        session.scalars(
            select(JourneyVersion)
            .where(JourneyVersion.journey_id == journey.id)
            .order_by(JourneyVersion.number)
        )
    )


def _version_lines(session: Session, journey: Journey, ref: str) -> list[Line]:
    if ref == DRAFT:
        return lines_of(journey)
    try:
        number = int(ref)
    except ValueError:
        number = -1
    found = session.scalar(
        select(JourneyVersion).where(
            JourneyVersion.journey_id == journey.id, JourneyVersion.number == number
        )
    )
    if found is None:
        valid = [str(n) for n in range(1, journey.published + 1)] + [DRAFT]
        raise InvalidValueError(
            f"no version {ref!r} of persona {journey.persona_key!r}'s journey; valid: "
            f"{', '.join(valid)}",
            details={"field": "version"},
        )
    return [
        Line(
            stage=str(d["stage"]),
            kind=str(d["kind"]),
            text=str(d["text"]),
            key=str(d.get("key") or ""),
            ref=str(d.get("ref") or ""),
            evidence=str(d.get("evidence") or ""),
            evidence_count=None if d.get("evidence_count") is None else int(d["evidence_count"]),
        )
        for d in found.lines
    ]


def diff(
    session: Session,
    *,
    persona: str,
    from_version: str | None = None,
    to_version: str | None = None,
) -> tuple[str, str, list[LineChange]]:
    """What changed between two versions (numbers, or ``draft``); by default from the last
    published version (nothing, when none is) to the draft."""
    journey = require_journey(session, persona)
    start = from_version or (str(journey.published) if journey.published else None)
    end = to_version or DRAFT
    before = _version_lines(session, journey, start) if start is not None else []
    return start or "nothing", end, diff_lines(before, _version_lines(session, journey, end))
