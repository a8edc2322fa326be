"""Planning and writing deals and stage history.

A new deal gets one stage change into its stage (at its close time when the stage is won or
lost, else at its open time). Importing a deal's stage history later replaces that single
snapshot change when the file does not contain it; from-stages, current stage, status and
close date are then derived by :func:`buyermap.services.deals.refresh_deal_state`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from buyermap.db.models import Deal, LostReason, Pipeline, Stage, StageChange
from buyermap.db.types import utcnow
from buyermap.domain.enums import StageKind
from buyermap.domain.pipeline import stage_kind_from_name
from buyermap.errors import NotFoundError
from buyermap.io.bulk import (
    bulk_insert,
    bulk_update,
    chunks,
    insert_columns_returning_ids,
    insert_returning_ids,
)
from buyermap.io.context import (
    AccountIndex,
    Ctx,
    Users,
    add_refs,
    load_by_id,
    load_refs,
    supersede,
)
from buyermap.services.deals import refresh_deal_state
from buyermap.services.pipelines import (
    default_pipeline,
    find_stage,
    get_or_create_lost_reason,
)

# Names CRMs give their default pipeline (HubSpot "Sales Pipeline", Pipedrive "Pipeline").
DEFAULT_PIPELINE_NAMES = ("default", "sales pipeline", "pipeline", "sales")
DEAL_FIELDS = ("name", "amount", "currency", "source", "channel", "expected_close", "opened_at")


class Stages:
    """Pipelines and stages by name; won/lost recognised by their usual CRM names."""

    def __init__(self, ctx: Ctx) -> None:
        s = self.session = ctx.session
        pipelines = list(
            s.scalars(select(Pipeline).options(selectinload(Pipeline.stages)).order_by(Pipeline.id))
        )
        if not pipelines:
            pipelines = [default_pipeline(s)]
        self.default = next((p for p in pipelines if p.is_default), pipelines[0])
        self.pipelines = {p.name.lower(): p for p in pipelines}
        self.by_id = {p.id: p for p in pipelines}
        self.kinds = {st.id: st.kind for p in pipelines for st in p.stages}
        self.names = {st.id: st.name for p in pipelines for st in p.stages}

    def pipeline(self, text: str | None) -> Pipeline | str:
        if not text:
            return self.default
        key = " ".join(text.lower().split())
        for candidate in (key, key.removesuffix(" pipeline")):
            if candidate in self.pipelines:
                return self.pipelines[candidate]
        if key in DEFAULT_PIPELINE_NAMES:
            return self.default
        valid = ", ".join(p.name for p in self.by_id.values())
        return f"unknown pipeline {text!r}; valid pipelines: {valid}"

    def stage(self, pipeline: Pipeline, text: str | None) -> Stage | str:
        if not text:
            return pipeline.stages[0]
        try:
            return find_stage(self.session, pipeline=pipeline, name=text)
        except NotFoundError as exc:
            kind = stage_kind_from_name(text)
            if kind != StageKind.OPEN:
                for st in pipeline.stages:
                    if st.kind == kind.value:
                        return st
            return exc.message


@dataclass
class DealPlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    stage: dict[int, Stage] = field(default_factory=dict)
    account: dict[int, int | None] = field(default_factory=dict)


def _accounts(ctx: Ctx, plan: DealPlan) -> None:
    fields = ("account_external_id", "account_domain", "account_name")
    if not any(ctx.has(f) for f in fields):
        return
    index = AccountIndex.load(ctx.session, system=ctx.system, any_system=True)
    ext, dom, name = (ctx.col(f) for f in fields)
    for i in ctx.valid_rows():
        if not (ext[i] or dom[i] or name[i]):
            continue
        aid = index.find(ext[i], dom[i], name[i])
        if aid is None:
            what = ext[i] or dom[i] or name[i]
            column = fields[0] if ext[i] else fields[1] if dom[i] else fields[2]
            ctx.reject(i, column, f"no account matches {what!r}; import the accounts first")
        plan.account[i] = aid


def _terminal_time(ctx: Ctx, i: int, kind: str) -> datetime | None:
    if kind == StageKind.OPEN.value:
        return None
    closed: datetime | None = ctx.col("closed_at")[i]
    if closed is not None:
        return closed
    close: date | None = ctx.col("expected_close")[i]
    return datetime.combine(close, time()) if close else None


def plan_deals(ctx: Ctx) -> DealPlan:
    s = ctx.session
    plan = DealPlan()
    stages = Stages(ctx)
    pipe_col, stage_col = ctx.col("pipeline"), ctx.col("stage")
    for i in ctx.valid_rows():
        pipeline = stages.pipeline(pipe_col[i])
        if isinstance(pipeline, str):
            ctx.reject(i, "pipeline", pipeline)
            continue
        st = stages.stage(pipeline, stage_col[i])
        if isinstance(st, str):
            ctx.reject(i, "stage", st)
            continue
        plan.stage[i] = st
    _accounts(ctx, plan)
    refs = load_refs(s, entity="deal", system=ctx.system)
    by_name: dict[tuple[str, int | None], int] = {}
    for did, name, aid in s.execute(select(Deal.id, Deal.name, Deal.account_id).order_by(Deal.id)):
        by_name.setdefault((name.lower(), aid), did)
    ext, names = ctx.col("external_id"), ctx.col("name")
    name_keys: list[Hashable | None] = [
        None if ext[i] or not names[i] else (names[i].lower(), plan.account.get(i))
        for i in range(ctx.n)
    ]
    matched: dict[int, int] = {}
    for i in supersede(ctx, ctx.valid_rows(), [ext, name_keys]):
        rid = refs.get(ext[i]) if ext[i] else by_name.get((names[i].lower(), plan.account.get(i)))
        if rid is None:
            plan.inserts.append(i)
        else:
            matched[i] = rid
    users = Users(s)
    reasons = {r.lower(): r_id for r_id, r in s.execute(select(LostReason.id, LostReason.name))}
    stored = load_by_id(s, Deal, matched.values())
    for i, rid in matched.items():
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "exists already (--on-duplicate skip)"
            continue
        deal = stored[rid]
        changes = {f: v for f, v in ctx.values(i, DEAL_FIELDS).items() if getattr(deal, f) != v}
        if i in plan.account and plan.account[i] != deal.account_id:
            changes["account_id"] = plan.account[i]
        if ctx.has("owner") and ctx.col("owner")[i] is not None:
            owner = users.find(ctx.col("owner")[i]) or -1
            if owner != deal.owner_id:
                changes["owner_id"] = owner
        if ctx.has("stage") and stage_col[i] and plan.stage[i].id != deal.stage_id:
            changes["stage_id"] = plan.stage[i].id
            changes["pipeline_id"] = plan.stage[i].pipeline_id
        lost = ctx.col("lost_reason")[i]
        if lost and reasons.get(" ".join(lost.split()).lower(), -1) != deal.lost_reason_id:
            changes["lost_reason_id"] = -1
        changes.update(ctx.json_changes(i, deal))
        if changes:
            plan.updates[i], plan.changes[i] = rid, changes
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_deals(ctx: Ctx, plan: DealPlan) -> None:
    s, now, users = ctx.session, utcnow(), Users(ctx.session)
    owners, lost = ctx.col("owner"), ctx.col("lost_reason")
    reason_ids: dict[str, int] = {}

    def reason_id(text: str | None) -> int | None:
        if not text:
            return None
        if text not in reason_ids:
            reason_ids[text] = get_or_create_lost_reason(s, name=text).id
        return reason_ids[text]

    new = plan.inserts
    columns = ctx.new_records(new, DEAL_FIELDS, now)
    columns["currency"] = [c or "USD" for c in columns["currency"]]
    columns["opened_at"] = [t or now for t in columns["opened_at"]]
    stage = [plan.stage[i] for i in new]
    columns.update(
        account_id=[plan.account.get(i) for i in new],
        pipeline_id=[st.pipeline_id for st in stage],
        stage_id=[st.id for st in stage],
        owner_id=[users.ensure(owners[i]) for i in new],
        lost_reason_id=[reason_id(lost[i]) for i in new],
        status=[st.kind for st in stage],
    )
    ids = insert_columns_returning_ids(s, Deal, columns, ctx.advance)
    moves = []
    for k, (i, did, st) in enumerate(zip(new, ids, stage, strict=True)):
        opened = columns["opened_at"][k]
        at = _terminal_time(ctx, i, st.kind) or opened
        moves.append(
            {
                "deal_id": did,
                "to_stage_id": st.id,
                "changed_at": max(at, opened),
                "amount": columns["amount"][k],
                "from_stage_id": None,
                "changed_by_id": None,
            }
        )
    updates = []
    for i, did in plan.updates.items():
        changes = dict(plan.changes[i])
        if changes.get("owner_id") == -1:
            changes["owner_id"] = users.ensure(owners[i])
        if changes.get("lost_reason_id") == -1:
            changes["lost_reason_id"] = reason_id(lost[i])
        stage_id = changes.pop("stage_id", None)
        if stage_id is not None:
            st = plan.stage[i]
            moves.append(
                {
                    "deal_id": did,
                    "to_stage_id": stage_id,
                    "changed_at": _terminal_time(ctx, i, st.kind) or now,
                    "amount": ctx.col("amount")[i],
                    "from_stage_id": None,
                    "changed_by_id": None,
                }
            )
        updates.append({"id": did, **changes, "updated_at": now})
    bulk_update(s, Deal, updates)
    bulk_insert(s, StageChange, moves)
    refresh_deal_state(s, deal_ids=[*ids, *plan.updates.values()])
    refs = load_refs(s, entity="deal", system=ctx.system)
    ext = ctx.col("external_id")
    pairs = [(str(ext[i]), did) for i, did in zip(plan.inserts, ids, strict=True) if ext[i]]
    add_refs(ctx, pairs + [(str(ext[i]), did) for i, did in plan.updates.items() if ext[i]], refs)


@dataclass
class HistoryPlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)
    deal: dict[int, int] = field(default_factory=dict)
    stage: dict[int, int] = field(default_factory=dict)
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # merged, when changed


def plan_history(ctx: Ctx) -> HistoryPlan:
    s = ctx.session
    plan = HistoryPlan()
    stages = Stages(ctx)
    refs = load_refs(s, entity="deal", system=ctx.system, any_system=True)
    pipeline_of = dict(s.execute(select(Deal.id, Deal.pipeline_id)).all())
    deal_col, stage_col, at_col = ctx.col("deal"), ctx.col("stage"), ctx.col("changed_at")
    users = Users(s)
    for i in ctx.valid_rows():
        ref = str(deal_col[i])
        did = refs.get(ref)
        if did is None and ref.isdigit() and int(ref) in pipeline_of:
            did = int(ref)
        if did is None:
            ctx.reject(
                i,
                "deal",
                f"no deal with {ctx.system} id or deal id {ref!r}; import the deals first",
            )
            continue
        st = stages.stage(stages.by_id[pipeline_of[did]], stage_col[i])
        if isinstance(st, str):
            ctx.reject(i, "stage", st)
            continue
        plan.deal[i], plan.stage[i] = did, st.id
    existing: dict[
        tuple[int, int, datetime], tuple[int, float | None, int | None, dict[str, Any]]
    ] = {}
    for part in chunks(sorted(set(plan.deal.values()))):
        stmt = select(
            StageChange.id,
            StageChange.deal_id,
            StageChange.to_stage_id,
            StageChange.changed_at,
            StageChange.amount,
            StageChange.changed_by_id,
            StageChange.extra,
        ).where(StageChange.deal_id.in_(part))
        for cid, did, sid, at, stored_amount, stored_by, stored_extra in s.execute(stmt):
            existing[(did, sid, at)] = (cid, stored_amount, stored_by, stored_extra or {})

    change_keys: list[Hashable | None] = [
        (plan.deal[i], plan.stage[i], at_col[i]) if i in plan.deal else None for i in range(ctx.n)
    ]
    amount, by = ctx.col("amount"), ctx.col("changed_by")
    for i in supersede(ctx, ctx.valid_rows(), [change_keys]):
        found = existing.get((plan.deal[i], plan.stage[i], at_col[i]))
        if found is None:
            plan.inserts.append(i)
            continue
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "exists already (--on-duplicate skip)"
            continue
        cid, stored_amount, stored_by, stored_extra = found
        new_by = users.find(by[i]) if by[i] else stored_by
        merged = {**stored_extra, **ctx.extra[i]}
        if merged != stored_extra:
            plan.extra[i] = merged
        if (
            (amount[i] is not None and amount[i] != stored_amount)
            or (by[i] and new_by != stored_by)
            or i in plan.extra
        ):
            plan.updates[i] = cid
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_history(ctx: Ctx, plan: HistoryPlan) -> None:
    s, users = ctx.session, Users(ctx.session)
    amount, by, at = ctx.col("amount"), ctx.col("changed_by"), ctx.col("changed_at")
    rows = [
        {
            "deal_id": plan.deal[i],
            "to_stage_id": plan.stage[i],
            "changed_at": at[i],
            "amount": amount[i],
            "changed_by_id": users.ensure(by[i]),
            "from_stage_id": None,
            "extra": ctx.extra[i],
        }
        for i in plan.inserts
    ]
    deal_ids = sorted({plan.deal[i] for i in plan.inserts})
    in_file = {(plan.deal[i], plan.stage[i], at[i]) for i in plan.deal if ctx.ok(i)}
    _drop_snapshots(ctx, deal_ids, in_file)
    insert_returning_ids(s, StageChange, rows, ctx.advance)
    updates = []
    for i, cid in plan.updates.items():
        values: dict[str, Any] = {"id": cid}
        if amount[i] is not None:
            values["amount"] = amount[i]
        if by[i]:
            values["changed_by_id"] = users.ensure(by[i])
        if i in plan.extra:
            values["extra"] = plan.extra[i]
        updates.append(values)
    bulk_update(s, StageChange, updates)
    refresh_deal_state(s, deal_ids=deal_ids + [plan.deal[i] for i in plan.updates])


def _drop_snapshots(
    ctx: Ctx, deal_ids: list[int], incoming: set[tuple[int, int, datetime]]
) -> None:
    """A deal whose whole history is the one change made when it was imported gets the file's."""
    s = ctx.session
    for part in chunks(deal_ids):
        stmt = (
            select(StageChange.deal_id, func.min(StageChange.id), func.count())
            .where(StageChange.deal_id.in_(part))
            .group_by(StageChange.deal_id)
        )
        lone = [cid for _did, cid, n in s.execute(stmt) if n == 1]
        doomed = []
        for part2 in chunks(lone):
            q = (
                select(
                    StageChange.id,
                    StageChange.deal_id,
                    StageChange.to_stage_id,
                    StageChange.changed_at,
                    Deal.stage_id,
                )
                .join(Deal, Deal.id == StageChange.deal_id)
                .where(StageChange.id.in_(part2))
            )
            for cid, did, sid, when, current in s.execute(q):
                if sid == current and (did, sid, when) not in incoming:
                    doomed.append(cid)
        if doomed:
            s.execute(delete(StageChange).where(StageChange.id.in_(doomed)))
