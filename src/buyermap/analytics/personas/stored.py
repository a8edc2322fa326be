"""Persona runs stored in the workspace.

A discovery on the workspace's contacts (:func:`discover_workspace`) is stored as a
:class:`~buyermap.db.models.PersonaRun` with its inputs hash, settings, version, the full
result and the fitted model; its personas go to ``personas`` and every contact's persona
(with the posterior probability) to ``persona_assignments``. One run is *active*: the one
pages, the API and the contacts show. Functions take the session and never commit.

Contacts and deals carrying their persona (and assigning contacts again) are in
:mod:`buyermap.analytics.personas.members`; tags and quotes of a persona's members in
:mod:`buyermap.analytics.personas.quotes`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from buyermap.analytics.personas.discover import (
    DiscoverQuery,
    PersonaResult,
    discover,
)
from buyermap.analytics.personas.loading import CONTACT_ID, contacts_table, table_hash
from buyermap.analytics.personas.runs import RUN_FORMAT, run_document
from buyermap.analytics.personas.selection import ProgressFn
from buyermap.db.models import PersonaAssignment, PersonaRow, PersonaRun
from buyermap.errors import NotFoundError

WORKSPACE = "workspace"
FILE_SOURCE = "file:"  # a run discovered from a file: "file:" and the file's name
# Light settings for the demo: fit on a sample, fewer restarts and resamples.
DEMO_QUERY = DiscoverQuery(id_column=CONTACT_ID, n_init=5, n_boot=5, fit_rows=3000, seed=7)


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
        store_assignments(
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


def store_assignments(
    session: Session, *, run_id: int, ids: list[Any], keys: list[Any], probs: list[float]
) -> int:
    """Insert one assignment per contact id with a persona (rows without one are skipped)."""
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
        q = replace(q, id_column=CONTACT_ID)
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
    # ASCII digits only ('²' is a digit to str.isdigit, not to int); ids fit a 32-bit column
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        run = session.get(PersonaRun, int(ref)) if 0 < int(ref) <= 2_147_483_647 else None
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
    """The run the workspace shows: the active one, else the newest run on its contacts
    (a run discovered from a file is shown only when activated or named)."""
    run = session.scalar(select(PersonaRun).where(PersonaRun.is_active.is_(True)).limit(1))
    if run is None:
        newest = select(PersonaRun).where(PersonaRun.source == WORKSPACE)
        run = session.scalar(newest.order_by(PersonaRun.id.desc()).limit(1))
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
