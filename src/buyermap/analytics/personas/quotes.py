"""What a persona's members say: tags of their notes and real quotes from notes and
open-text survey answers. Functions take the session and never commit."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.analytics.personas.members import top_members
from buyermap.db.models import (
    Contact,
    FormAnswer,
    Note,
    PersonaAssignment,
    PersonaRun,
    SurveyAnswer,
)


def tag_counts(
    session: Session, *, run: PersonaRun, prefixes: tuple[str, ...]
) -> tuple[dict[str, Counter[str]], Counter[str], dict[str, int], int]:
    """Per persona: how many members have a note with each tag (``goal:*``, ...); the same
    over all assigned contacts; members and contacts with any tagged note."""
    persona_of = dict(
        session.execute(
            select(PersonaAssignment.contact_id, PersonaAssignment.persona_key).where(
                PersonaAssignment.run_id == run.id
            )
        ).all()
    )
    tags_of: dict[int, set[str]] = defaultdict(set)
    for contact_id, note_tags in session.execute(
        select(Note.contact_id, Note.tags).where(Note.contact_id.is_not(None))
    ):
        for t in note_tags or []:
            if isinstance(t, str) and t.split(":", 1)[0] in prefixes:
                tags_of[int(contact_id or 0)].add(t)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    with_tags: dict[str, int] = Counter()
    total = 0
    for cid, tags in tags_of.items():
        key = persona_of.get(cid)
        if key is None:
            continue
        total += 1
        with_tags[key] += 1
        per[key].update(tags)
        overall.update(tags)
    return dict(per), overall, dict(with_tags), total


QUOTE_KINDS = ("note", "interview")
_QUOTED = re.compile(r'"([^"]{12,400})"')


@dataclass(frozen=True, slots=True)
class PersonaQuote:
    """Something a member of the persona said, with where it comes from."""

    text: str
    contact_id: int
    contact_name: str
    probability: float
    source: str  # "interview", "note", "survey: <name>" or "form: <question>"
    tags: tuple[str, ...] = ()


def _sentences(body: str) -> list[str]:
    quoted = _QUOTED.findall(body)
    if quoted:
        return [" ".join(q.split()) for q in quoted]
    clean = " ".join(body.split())
    return [clean[:280]] if clean else []


def quotes_for_persona(
    session: Session, *, run: PersonaRun, key: str, limit: int = 4, pool: int = 60
) -> list[PersonaQuote]:
    """Real quotes of the persona's most certain members: what they said in notes
    (kind note or interview), open-text survey answers and form answers; distinct texts,
    one per person first, so a single talkative contact does not fill the card; then form
    answers kept under the persona from respondents who are not members."""
    members = top_members(session, run=run, key=key, limit=pool)
    heard = _form_quotes(session, key=key, members=members)
    if not members:
        return heard[:limit]
    prob = dict(
        session.execute(
            select(PersonaAssignment.contact_id, PersonaAssignment.probability).where(
                PersonaAssignment.run_id == run.id, PersonaAssignment.contact_id.in_(members)
            )
        ).all()
    )
    names = {
        c.id: c.full_name for c in session.scalars(select(Contact).where(Contact.id.in_(members)))
    }
    found: dict[int, list[PersonaQuote]] = defaultdict(list)
    notes = session.scalars(
        select(Note)
        .where(Note.contact_id.in_(members), Note.kind.in_(QUOTE_KINDS))
        .order_by(Note.occurred_at.desc(), Note.id)
    )
    for note in notes:
        cid = int(note.contact_id or 0)
        for text in _sentences(note.body):
            found[cid].append(
                PersonaQuote(
                    text, cid, names.get(cid, ""), prob[cid], note.kind, tuple(note.tags or ())
                )
            )
    answers = session.scalars(
        select(SurveyAnswer)
        .where(SurveyAnswer.contact_id.in_(members), SurveyAnswer.value_text.is_not(None))
        .order_by(SurveyAnswer.id)
    )
    for a in answers:
        text = " ".join((a.value_text or "").split())
        if len(text) < 25 or len(text.split()) < 5:  # labels such as a channel, not an answer
            continue
        cid = int(a.contact_id or 0)
        found[cid].append(
            PersonaQuote(text, cid, names.get(cid, ""), prob[cid], f"survey: {a.survey}")
        )
    for q in heard:
        if q.contact_id in prob:
            found[q.contact_id].append(
                PersonaQuote(
                    q.text, q.contact_id, names.get(q.contact_id, ""), prob[q.contact_id], q.source
                )
            )
    out: list[PersonaQuote] = []
    seen: set[str] = set()
    # when others answered a form for this persona, the last place is theirs
    room = limit - 1 if limit > 1 and any(q.contact_id not in prob for q in heard) else limit
    for round_ in range(3):
        for cid in members:
            mine = [q for q in found.get(cid, []) if q.text not in seen]
            if len(mine) > 0 and len([q for q in out if q.contact_id == cid]) == round_:
                out.append(mine[0])
                seen.add(mine[0].text)
            if len(out) >= room:
                break
        if len(out) >= room:
            break
    # answers of respondents who are not among the members (anonymous forms, people the
    # team filed under the persona) fill what is left
    for q in heard:
        if q.contact_id not in prob and q.text not in seen and len(out) < limit:
            out.append(q)
            seen.add(q.text)
    return out


def _form_quotes(session: Session, *, key: str, members: list[int]) -> list[PersonaQuote]:
    """Open form answers kept under persona ``key`` (``journeys answers import``), newest
    first: a member's with their name, anyone else's as "a form respondent" (``probability``
    1: the team filed them under this persona)."""
    rows = session.scalars(
        select(FormAnswer)
        .where(FormAnswer.persona_key == key)
        .order_by(FormAnswer.answered_at.desc(), FormAnswer.id)
    )
    out = []
    for a in rows:
        if len(a.answer.split()) < 3:  # "Google", "Cena": a label, not something said
            continue
        cid = int(a.contact_id or 0)
        # not the respondent's email: cards are shared across departments
        who = "" if cid in members else "a form respondent"
        out.append(PersonaQuote(a.answer, cid, who, 1.0, f"form: {a.question}"))
    return out
