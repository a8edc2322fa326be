"""Personas in the workspace: runs stored in the database, contacts carrying their persona.

A discovery on the workspace's contacts (:func:`discover_workspace`) is stored as a
:class:`~buyermap.db.models.PersonaRun` with its inputs hash, settings, version, the full
result and the fitted model; its personas go to ``personas`` and every contact's persona
(with the posterior probability) to ``persona_assignments``. One run is *active*: the one
pages, the API and the contacts show. Functions take the session and never commit.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from buyermap import __version__
from buyermap.analytics.personas.discover import (
    DiscoverQuery,
    PersonaResult,
    discover,
)
from buyermap.analytics.personas.loading import CONTACT_ID, contacts_table, table_hash
from buyermap.analytics.personas.runs import RUN_FORMAT, assign, run_document
from buyermap.analytics.personas.selection import ProgressFn
from buyermap.db.models import (
    Contact,
    Note,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
    SurveyAnswer,
)
from buyermap.errors import NotFoundError
from buyermap.services.listing import Listed, ListQuery, run_list

WORKSPACE = "workspace"
# Light settings for the demo: fit on a sample, fewer restarts and resamples.
DEMO_QUERY = DiscoverQuery(id_column=CONTACT_ID, n_init=5, n_boot=5, fit_rows=3000, seed=7)


@dataclass(frozen=True, slots=True)
class ContactPersona:
    """A contact's persona in a run and the probability of belonging to it."""

    contact_id: int
    run_id: int
    run_key: str
    persona_key: str
    name: str
    title: str
    probability: float


def _unique_key(session: Session, base: str) -> str:
    key, suffix = base, 1
    while session.scalar(select(PersonaRun.id).where(PersonaRun.run_key == key)) is not None:
        suffix += 1
        key = f"{base}-{suffix}"
    return key


def save_run(
    session: Session, *, result: PersonaResult, source: str = WORKSPACE, activate: bool = True
) -> PersonaRun:
    """Store a result as a run; with ``source="workspace"`` its rows are contacts, so each
    contact's persona and probability are stored too. ``activate`` makes it the shown run."""
    doc = run_document(result, source=source)
    run = PersonaRun(
        run_key=_unique_key(session, doc["run_id"]),
        source=source,
        inputs_hash=result.provenance.inputs_hash,
        settings=doc["settings"],
        version=doc["version"],
        k=result.k,
        n=result.n,
        result=doc["result"],
        model=doc["models"],
        is_active=False,
    )
    session.add(run)
    session.flush()
    for p in result.personas:
        session.add(
            PersonaRow(
                run_id=run.id,
                key=p.key,
                name=p.name,
                title=p.title[:500],
                size=p.size,
                share=p.share,
                stability=p.stability,
                bucket=p.bucket,
                low_evidence=p.low_evidence,
            )
        )
    if source == WORKSPACE:
        _store_assignments(
            session,
            run_id=run.id,
            ids=result.assignments.ids.to_list(),
            keys=result.assignments.persona.tolist(),
            probs=result.assignments.probability.tolist(),
        )
    session.flush()
    if activate:
        activate_run(session, run_id=run.id)
    return run


def _store_assignments(
    session: Session, *, run_id: int, ids: list[Any], keys: list[Any], probs: list[float]
) -> int:
    rows = [
        {
            "run_id": run_id,
            "contact_id": int(i),
            "persona_key": str(k),
            "probability": round(float(p), 4),
        }
        for i, k, p in zip(ids, keys, probs, strict=True)
        if k is not None and i is not None
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(PersonaAssignment), rows[start : start + 5000])
    return len(rows)


def discover_workspace(
    session: Session,
    *,
    query: DiscoverQuery | None = None,
    progress: ProgressFn | None = None,
    activate: bool = True,
) -> PersonaRun:
    """Discover personas in the workspace's contacts and store the run (see docs/personas.md).

    Refuses (:class:`~buyermap.analytics.personas.InsufficientEvidenceError`) when the
    contacts are too few for the variables."""
    q = query or DiscoverQuery(id_column=CONTACT_ID)
    if q.id_column != CONTACT_ID:
        q = DiscoverQuery(**{**q.settings(), "id_column": CONTACT_ID})
    table = contacts_table(session)
    result = discover(table, q, inputs_hash=table_hash(table), progress=progress)
    return save_run(session, result=result, source=WORKSPACE, activate=activate)


def activate_run(session: Session, *, run_id: int) -> PersonaRun:
    """Make a run the one the workspace shows (the others become inactive)."""
    run = get_run(session, ref=run_id)
    session.execute(update(PersonaRun).where(PersonaRun.id != run.id).values(is_active=False))
    run.is_active = True
    session.flush()
    return run


def list_runs(session: Session) -> list[PersonaRun]:
    """Runs, newest first."""
    return list(session.scalars(select(PersonaRun).order_by(PersonaRun.id.desc())))


def find_run(session: Session, *, ref: int | str) -> PersonaRun | None:
    """A run by id, run key or unique prefix of a run key; None when there is none."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        run = session.get(PersonaRun, int(ref))
        if run is not None:
            return run
    text = str(ref)
    exact = session.scalar(select(PersonaRun).where(PersonaRun.run_key == text))
    if exact is not None:
        return exact
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = list(
        session.scalars(
            select(PersonaRun).where(PersonaRun.run_key.like(f"{escaped}%", escape="\\")).limit(2)
        )
    )
    return found[0] if len(found) == 1 else None


def get_run(session: Session, *, ref: int | str) -> PersonaRun:
    run = find_run(session, ref=ref)
    if run is None:
        raise NotFoundError(f"no persona run {ref!r}; list them with GET /api/v1/personas/runs")
    return run


def active_run(session: Session) -> PersonaRun | None:
    """The run the workspace shows: the active one, else the newest."""
    run = session.scalar(select(PersonaRun).where(PersonaRun.is_active.is_(True)).limit(1))
    if run is None:
        run = session.scalar(select(PersonaRun).order_by(PersonaRun.id.desc()).limit(1))
    return run


def require_run(session: Session, *, ref: int | str | None = None) -> PersonaRun:
    """The given run, or the active one; NotFoundError when the workspace has none."""
    if ref is not None:
        return get_run(session, ref=ref)
    run = active_run(session)
    if run is None:
        raise NotFoundError(
            "the workspace has no persona run yet; run `buyermap personas discover` "
            "or POST /api/v1/personas/runs"
        )
    return run


def run_doc(run: PersonaRun) -> dict[str, Any]:
    """The run in the format of a run file, for assign/compare/export."""
    return {
        "format": RUN_FORMAT,
        "run_id": run.run_key,
        "source": run.source,
        "version": run.version,
        "provenance": run.result.get("provenance", {}),
        "settings": run.settings,
        "result": run.result,
        "models": run.model,
    }


def persona_dict(run: PersonaRun, key: str) -> dict[str, Any]:
    """A persona of the run as in the result (traits, descriptors, ...)."""
    for p in run.result.get("personas", []):
        if p["key"] == key:
            out: dict[str, Any] = p
            return out
    keys = ", ".join(p["key"] for p in run.result.get("personas", []))
    raise NotFoundError(f"no persona {key!r} in run {run.run_key}; personas: {keys}")


def persona_of_contact(
    session: Session, *, contact_id: int, run: PersonaRun | None = None
) -> ContactPersona | None:
    """The contact's persona in ``run`` (default: the active run), or None."""
    run = run or active_run(session)
    if run is None:
        return None
    found = personas_of_contacts(session, contact_ids=[contact_id], run=run)
    return found.get(contact_id)


def personas_of_contacts(
    session: Session, *, contact_ids: list[int], run: PersonaRun | None = None
) -> dict[int, ContactPersona]:
    """Persona and probability per contact id (those without an assignment are left out)."""
    run = run or active_run(session)
    if run is None or not contact_ids:
        return {}
    names = {p.key: p for p in run.personas}
    rows = session.execute(
        select(PersonaAssignment).where(
            PersonaAssignment.run_id == run.id, PersonaAssignment.contact_id.in_(contact_ids)
        )
    ).scalars()
    out: dict[int, ContactPersona] = {}
    for a in rows:
        p = names.get(a.persona_key)
        out[a.contact_id] = ContactPersona(
            contact_id=a.contact_id,
            run_id=run.id,
            run_key=run.run_key,
            persona_key=a.persona_key,
            name=p.name if p else a.persona_key,
            title=p.title if p else "",
            probability=a.probability,
        )
    return out


PERSONA_CONTACT_SORTS = {
    "probability": PersonaAssignment.probability,
    "last_name": Contact.last_name,
    "first_name": Contact.first_name,
    "job_title": Contact.job_title,
    "seniority": Contact.seniority,
    "id": Contact.id,
}


def contacts_of_persona(
    session: Session, *, run: PersonaRun, key: str, query: ListQuery
) -> Listed[tuple[Contact, float]]:
    """The persona's contacts with their membership probability, most certain first."""
    persona_dict(run, key)
    stmt = (
        select(Contact)
        .join(PersonaAssignment, PersonaAssignment.contact_id == Contact.id)
        .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
    )
    listed = run_list(
        session,
        stmt,
        query=query,
        sortable=PERSONA_CONTACT_SORTS,
        searchable=[Contact.first_name, Contact.last_name, Contact.email, Contact.job_title],
        default_sort="-probability",
        tiebreak=Contact.id,
    )
    found = personas_of_contacts(session, contact_ids=[c.id for c in listed.items], run=run)
    return Listed(
        items=[(c, found[c.id].probability) for c in listed.items],
        total=listed.total,
        page=listed.page,
        page_size=listed.page_size,
    )


def top_members(session: Session, *, run: PersonaRun, key: str, limit: int) -> list[int]:
    """Ids of the persona's contacts with the highest membership probability."""
    return list(
        session.scalars(
            select(PersonaAssignment.contact_id)
            .where(PersonaAssignment.run_id == run.id, PersonaAssignment.persona_key == key)
            .order_by(PersonaAssignment.probability.desc(), PersonaAssignment.contact_id)
            .limit(limit)
        )
    )


def assignment_counts(session: Session, *, run: PersonaRun) -> dict[str, int]:
    rows = session.execute(
        select(PersonaAssignment.persona_key, func.count())
        .where(PersonaAssignment.run_id == run.id)
        .group_by(PersonaAssignment.persona_key)
    ).all()
    return {str(k): int(n) for k, n in rows}


def assign_contacts(session: Session, *, run: PersonaRun, only_missing: bool = True) -> int:
    """Assign contacts (by default those the run has not assigned yet, e.g. new ones) to the
    run's personas with the stored model; returns how many were assigned."""
    if run.source != WORKSPACE:
        raise NotFoundError(f"run {run.run_key} was not discovered on the workspace contacts")
    table = contacts_table(session)
    if only_missing:
        done = set(
            session.scalars(
                select(PersonaAssignment.contact_id).where(PersonaAssignment.run_id == run.id)
            )
        )
        table = table.filter(~pl.col(CONTACT_ID).is_in(list(done)))
    else:
        session.execute(delete(PersonaAssignment).where(PersonaAssignment.run_id == run.id))
    if table.height == 0:
        return 0
    for v in run.result["variables"]["bases"]:
        if v["name"] not in table.columns:
            dtype = pl.Float64 if v["kind"] in ("count", "continuous") else pl.Utf8
            table = table.with_columns(pl.lit(None, dtype=dtype).alias(v["name"]))
    result = assign(run_doc(run), table, id_column=CONTACT_ID)
    n = _store_assignments(
        session,
        run_id=run.id,
        ids=result.ids.to_list(),
        keys=result.persona.tolist(),
        probs=result.probability.tolist(),
    )
    session.flush()
    return n


def version_matches(run: PersonaRun) -> bool:
    return run.version == __version__


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
    source: str  # "interview", "note" or "survey: <name>"
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
    (kind note or interview) and open-text survey answers; distinct texts, one per person
    first, so a single talkative contact does not fill the card."""
    members = top_members(session, run=run, key=key, limit=pool)
    if not members:
        return []
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
    out: list[PersonaQuote] = []
    seen: set[str] = set()
    for round_ in range(3):
        for cid in members:
            mine = [q for q in found.get(cid, []) if q.text not in seen]
            if len(mine) > 0 and len([q for q in out if q.contact_id == cid]) == round_:
                out.append(mine[0])
                seen.add(mine[0].text)
            if len(out) >= limit:
                return out
    return out
