"""Stage history from the workspace: the same frame as the file reader produces."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from buyermap.analytics.pipeline.history import History, normalise
from buyermap.db.models import Account, Deal, LostReason, Pipeline, Stage, StageChange, User
from buyermap.errors import InvalidValueError


def load_workspace_history(
    session: Session,
    *,
    pipeline: str | None = None,
    stages: Sequence[str] = (),
    won_stages: Sequence[str] = (),
    lost_stages: Sequence[str] = (),
    personas: Mapping[int, str] | None = None,
) -> History:
    """The workspace's stage changes joined with stages, deals and accounts.

    segment = the account's industry, owner = the deal owner's name, source = deal source.
    With ``personas`` (deal id -> persona, from
    :func:`buyermap.analytics.personas.members.deal_personas`) the frame gets a ``persona``
    column too (empty for deals left out), and the inputs hash covers it.
    Stage order and kinds come from the pipeline unless overridden.

    ``opened_at`` is the deal's own opening time (null when the source did not say) and
    ``is_snapshot`` marks changes that only record the stage at an import
    (:mod:`buyermap.analytics.pipeline.history`): the analytics leave out what they cannot
    date instead of taking the import time for a move.
    """
    stmt = select(Pipeline)
    stmt = (
        stmt.where(Pipeline.name == pipeline)
        if pipeline
        else stmt.order_by(Pipeline.is_default.desc(), Pipeline.id)
    )
    pipe = session.scalars(stmt.limit(1)).first()
    if pipe is None:
        what = f"named {pipeline!r}" if pipeline else "at all"
        raise InvalidValueError(f"the workspace has no pipeline {what}")
    to_stage = aliased(Stage)
    rows = session.execute(
        select(
            StageChange.deal_id,
            to_stage.name,
            StageChange.changed_at,
            StageChange.amount,
            Account.industry,
            User.name,
            Deal.source,
            LostReason.name,
            StageChange.id,
            Deal.opened_at,
            StageChange.is_snapshot,
        )
        .join(Deal, Deal.id == StageChange.deal_id)
        .join(to_stage, to_stage.id == StageChange.to_stage_id)
        .outerjoin(Account, Account.id == Deal.account_id)
        .outerjoin(User, User.id == Deal.owner_id)
        .outerjoin(LostReason, LostReason.id == Deal.lost_reason_id)
        .where(Deal.pipeline_id == pipe.id)
        .order_by(StageChange.deal_id, StageChange.changed_at, StageChange.id)
    ).all()
    kinds = {s.name: s.kind for s in pipe.stages}
    raw = pl.DataFrame(
        {
            "deal_id": [str(r[0]) for r in rows],
            "stage": [r[1] for r in rows],
            "changed_at": [r[2] for r in rows],
            "amount": [r[3] for r in rows],
            "segment": [r[4] for r in rows],
            "owner": [r[5] for r in rows],
            "source": [r[6] for r in rows],
            "lost_reason": [r[7] if kinds.get(r[1]) == "lost" else None for r in rows],
            "opened_at": [r[9] for r in rows],
            "is_snapshot": [bool(r[10]) for r in rows],
        },
        schema={
            "deal_id": pl.String,
            "stage": pl.String,
            "changed_at": pl.Datetime("us"),
            "amount": pl.Float64,
            "segment": pl.String,
            "owner": pl.String,
            "source": pl.String,
            "lost_reason": pl.String,
            "opened_at": pl.Datetime("us"),
            "is_snapshot": pl.Boolean,
        },
    )
    digest = hashlib.sha256()
    for r in rows:
        digest.update(repr((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[9], r[10])).encode())
    if personas is not None:
        persona = [personas.get(r[0]) for r in rows]
        raw = raw.insert_column(7, pl.Series("persona", persona, dtype=pl.String))
        digest.update(repr(persona).encode())
    return normalise(
        raw,
        source="workspace",
        inputs_hash=digest.hexdigest(),
        stages=stages or [s.name for s in pipe.stages if s.kind == "open"],
        won_stages=won_stages or [s.name for s in pipe.stages if s.kind == "won"],
        lost_stages=lost_stages or [s.name for s in pipe.stages if s.kind == "lost"],
    )
