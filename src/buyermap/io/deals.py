"""Planning and writing deals and stage history.

Dates come from the file, never from the clock: a new deal's ``opened_at`` is its opening
date or unknown (None). A closed deal gets one stage change into its won or lost stage at
its close date; an open deal one into its stage at its opening date. When the file does not
say when, the change is a *snapshot* (``is_snapshot``) at the import time: the deal was in
that stage then, since when is unknown, and analytics leave such times out of durations.
Importing a deal's stage history later replaces the snapshot and the single change made
from a deal file; from-stages, current stage, status and close date are then derived by
:func:`buyermap.services.deals.refresh_deal_state`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, or_, select

from buyermap.db.models import Contact, Deal, DealContact, LostReason, Stage, StageChange
from buyermap.db.types import utcnow
from buyermap.domain.enums import StageKind
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
    first_id,
    load_by_id,
    load_refs,
    split_ids,
    supersede,
)
from buyermap.io.stages import NewStage, Resolved, Stages
from buyermap.services.deals import refresh_deal_state
from buyermap.services.pipelines import get_or_create_lost_reason

DEAL_FIELDS = ("name", "amount", "currency", "source", "channel", "expected_close", "opened_at")


@dataclass
class DealPlan:
    stages: Stages
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    stage: dict[int, Resolved] = field(default_factory=dict)
    before: dict[int, Resolved] = field(default_factory=dict)  # open stage before closing
    account: dict[int, int | None] = field(default_factory=dict)
    contacts: dict[int, list[int]] = field(default_factory=dict)


def _accounts(ctx: Ctx, plan: DealPlan) -> None:
    fields = ("account_external_id", "account_domain", "account_name")
    if not any(ctx.has(f) for f in fields):
        return
    index = AccountIndex.load(ctx.session, system=ctx.system, any_system=True)
    ext, dom, name = (ctx.col(f) for f in fields)
    ext = ctx.v.columns["account_external_id"] = [first_id(v) for v in ext]
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
    """When a won or lost deal closed: its closed-at column, else its close date."""
    if kind == StageKind.OPEN.value:
        return None
    closed: datetime | None = ctx.col("closed_at")[i]
    if closed is not None:
        return closed
    close: date | None = ctx.col("expected_close")[i]
    return datetime.combine(close, time()) if close else None


def outcome_kinds(ctx: Ctx) -> list[StageKind | None]:
    """The outcome each row states beside its stage: a status column (open, won, lost), or
    Salesforce's ``IsWon``/``IsClosed``; None when the file says nothing."""
    status, won, closed = ctx.col("status"), ctx.col("is_won"), ctx.col("is_closed")
    out: list[StageKind | None] = []
    for i in range(ctx.n):
        if status[i]:
            out.append(StageKind(status[i]))
        elif won[i] is True:
            out.append(StageKind.WON)
        elif closed[i] is True:
            out.append(StageKind.LOST)
        elif closed[i] is False:
            out.append(StageKind.OPEN)
        else:
            out.append(None)
    return out


def _contacts(ctx: Ctx, plan: DealPlan) -> None:
    """The people each deal names (ids or emails, several separated by ``;``)."""
    if not (ctx.has("contact_external_id") or ctx.has("contact_email")):
        return
    refs = load_refs(ctx.session, entity="contact", system=ctx.system, any_system=True)
    by_email = {
        mail: cid
        for cid, mail in ctx.session.execute(select(Contact.id, Contact.email))
        if mail is not None
    }
    ids, mails = ctx.col("contact_external_id"), ctx.col("contact_email")
    for i in ctx.valid_rows():
        found: list[int] = []
        missing: list[str] = []
        for value in split_ids(ids[i]):
            if value in refs:
                found.append(refs[value])
            else:
                missing.append(value)
        if mails[i]:
            cid = by_email.get(mails[i])
            if cid is None:
                missing.append(mails[i])
            else:
                found.append(cid)
        if found:
            plan.contacts[i] = list(dict.fromkeys(found))
        if missing:
            # Kept with the deal, never dropped: the people may be imported later.
            ctx.extra[i] = {**ctx.extra[i], "contacts not in the workspace": "; ".join(missing)}


def plan_deals(ctx: Ctx) -> DealPlan:
    s = ctx.session
    stages = Stages(s, create=ctx.create_stages)
    plan = DealPlan(stages=stages)
    pipe_col, stage_col = ctx.col("pipeline"), ctx.col("stage")
    outcomes = outcome_kinds(ctx)
    for i in ctx.valid_rows():
        try:
            pipeline = stages.pipeline(pipe_col[i])
        except LookupError as exc:
            ctx.reject(i, "pipeline", str(exc.args[0]))
            continue
        st = stages.stage(pipeline, stage_col[i], kind=outcomes[i])
        if isinstance(st, str):
            ctx.reject(i, "stage", st)
            continue
        plan.stage[i] = st
        if outcomes[i] in (StageKind.WON, StageKind.LOST):
            before = stages.open_stage_of(pipeline, stage_col[i])
            if isinstance(before, Stage | NewStage):
                plan.before[i] = before
    _accounts(ctx, plan)
    _contacts(ctx, plan)
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
    linked = _linked_contacts(ctx, list(matched.values())) if plan.contacts else set()
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
        st = plan.stage[i]
        if (stage_col[i] or outcomes[i] is not None) and (
            isinstance(st, NewStage) or st.id != deal.stage_id
        ):
            changes["stage_id"] = -1
        lost = ctx.col("lost_reason")[i]
        if lost and reasons.get(" ".join(lost.split()).lower(), -1) != deal.lost_reason_id:
            changes["lost_reason_id"] = -1
        if i in plan.contacts:
            plan.contacts[i] = [c for c in plan.contacts[i] if (rid, c) not in linked]
            if not plan.contacts[i]:
                del plan.contacts[i]
        changes.update(ctx.json_changes(i, deal))
        if changes or i in plan.contacts:
            plan.updates[i], plan.changes[i] = rid, changes
        else:
            ctx.skipped[i] = "unchanged"
    ctx.notes.extend(stages.planned)
    return plan


def _linked_contacts(ctx: Ctx, deal_ids: list[int]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for part in chunks(sorted(set(deal_ids))):
        stmt = select(DealContact.deal_id, DealContact.contact_id).where(
            DealContact.deal_id.in_(part)
        )
        out.update((d, c) for d, c in ctx.session.execute(stmt))
    return out


def _move(
    deal_id: int, stage_id: int, at: datetime, amount: Any, *, snapshot: bool
) -> dict[str, Any]:
    return {
        "deal_id": deal_id,
        "to_stage_id": stage_id,
        "changed_at": at,
        "amount": amount,
        "from_stage_id": None,
        "changed_by_id": None,
        "is_snapshot": snapshot,
    }


def _moves_of_new_deal(
    ctx: Ctx, plan: DealPlan, i: int, deal_id: int, opened: datetime | None, now: datetime
) -> list[dict[str, Any]]:
    """The history a deal file gives a new deal. A closed deal enters its won or lost stage
    at its close date (after the open stage the file names, at the opening date, when it
    names one); an open deal enters its stage at its opening date. Without that date the
    change is a snapshot at the import time: the deal was there then, since when is unknown."""
    st = plan.stages.stored(plan.stage[i])
    amount = ctx.col("amount")[i]
    if st.kind == StageKind.OPEN.value:
        return [_move(deal_id, st.id, opened or now, amount, snapshot=opened is None)]
    closed = _terminal_time(ctx, i, st.kind)
    moves = []
    before = plan.before.get(i)
    if before is not None and opened is not None and (closed is None or opened < closed):
        moves.append(_move(deal_id, plan.stages.stored(before).id, opened, amount, snapshot=False))
    moves.append(_move(deal_id, st.id, closed or now, amount, snapshot=closed is None))
    return moves


def write_deals(ctx: Ctx, plan: DealPlan) -> None:
    s, now, users = ctx.session, utcnow(), Users(ctx.session)
    plan.stages.create()
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
    stage = [plan.stages.stored(plan.stage[i]) for i in new]
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
    for k, (i, did) in enumerate(zip(new, ids, strict=True)):
        moves += _moves_of_new_deal(ctx, plan, i, did, columns["opened_at"][k], now)
    updates = []
    for i, did in plan.updates.items():
        changes = dict(plan.changes[i])
        if changes.get("owner_id") == -1:
            changes["owner_id"] = users.ensure(owners[i])
        if changes.get("lost_reason_id") == -1:
            changes["lost_reason_id"] = reason_id(lost[i])
        if changes.pop("stage_id", None) is not None:
            st = plan.stages.stored(plan.stage[i])
            changes["pipeline_id"] = st.pipeline_id
            at = _terminal_time(ctx, i, st.kind)
            moves.append(_move(did, st.id, at or now, ctx.col("amount")[i], snapshot=at is None))
        if changes:
            updates.append({"id": did, **changes, "updated_at": now})
    bulk_update(s, Deal, updates)
    bulk_insert(s, StageChange, moves)
    refresh_deal_state(s, deal_ids=[*ids, *plan.updates.values()])
    deal_of = dict(zip(plan.inserts, ids, strict=True)) | plan.updates
    links = []
    for i, contact_ids in plan.contacts.items():
        if i in deal_of:
            links += [
                {"deal_id": deal_of[i], "contact_id": c, "role": None, "is_primary": k == 0}
                for k, c in enumerate(contact_ids)
            ]
    bulk_insert(s, DealContact, links)
    refs = load_refs(s, entity="deal", system=ctx.system)
    ext = ctx.col("external_id")
    add_refs(ctx, [(str(ext[i]), did) for i, did in deal_of.items() if ext[i]], refs)
    account_ext = ctx.col("account_external_id")
    company_refs = [
        (str(account_ext[i]), aid)
        for i, aid in plan.account.items()
        if account_ext[i] and aid is not None and i in deal_of
    ]
    if company_refs:
        known = load_refs(s, entity="account", system=ctx.system)
        add_refs(ctx, company_refs, known, entity="account")


@dataclass
class HistoryPlan:
    stages: Stages
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)
    deal: dict[int, int] = field(default_factory=dict)
    stage: dict[int, Resolved] = field(default_factory=dict)
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # merged, when changed


def _positions(ctx: Ctx) -> list[float | None]:
    """Each row's place in its deal's history (0 first .. 1 last), by time: the evidence for
    the order of stages the workspace does not know yet."""
    deal_col, at_col = ctx.col("deal"), ctx.col("changed_at")
    by_deal: dict[Any, list[int]] = {}
    for i in ctx.valid_rows():
        by_deal.setdefault(deal_col[i], []).append(i)
    out: list[float | None] = [None] * ctx.n
    for rows in by_deal.values():
        rows.sort(key=lambda i: (at_col[i], i))
        for rank, i in enumerate(rows):
            out[i] = rank / max(len(rows) - 1, 1)
    return out


def plan_history(ctx: Ctx) -> HistoryPlan:
    s = ctx.session
    stages = Stages(s, create=ctx.create_stages)
    plan = HistoryPlan(stages=stages)
    refs = load_refs(s, entity="deal", system=ctx.system, any_system=True)
    pipeline_of = dict(s.execute(select(Deal.id, Deal.pipeline_id)).all())
    deal_col, stage_col, at_col = ctx.col("deal"), ctx.col("stage"), ctx.col("changed_at")
    positions = _positions(ctx)
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
        st = stages.stage(stages.by_id[pipeline_of[did]], stage_col[i], position=positions[i])
        if isinstance(st, str):
            ctx.reject(i, "stage", st)
            continue
        plan.deal[i], plan.stage[i] = did, st
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

    def key(i: int) -> tuple[int, Any, Any] | None:
        if i not in plan.deal:
            return None
        st = plan.stage[i]
        return (plan.deal[i], st.id if isinstance(st, Stage) else (st.pipeline, st.name), at_col[i])

    keys = [key(i) for i in range(ctx.n)]
    change_keys: list[Hashable | None] = list(keys)
    amount, by = ctx.col("amount"), ctx.col("changed_by")
    for i in supersede(ctx, ctx.valid_rows(), [change_keys]):
        k = keys[i]
        found = existing.get(k) if k is not None and isinstance(k[1], int) else None
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
    ctx.notes.extend(stages.planned)
    return plan


def write_history(ctx: Ctx, plan: HistoryPlan) -> None:
    s, users = ctx.session, Users(ctx.session)
    plan.stages.create()
    stage_id = {i: plan.stages.stored(st).id for i, st in plan.stage.items()}
    amount, by, at = ctx.col("amount"), ctx.col("changed_by"), ctx.col("changed_at")
    snapshot = ctx.col("is_snapshot")
    rows = [
        {
            "deal_id": plan.deal[i],
            "to_stage_id": stage_id[i],
            "changed_at": at[i],
            "amount": amount[i],
            "changed_by_id": users.ensure(by[i]),
            "from_stage_id": None,
            "is_snapshot": bool(snapshot[i]),
            "extra": ctx.extra[i],
        }
        for i in plan.inserts
    ]
    deal_ids = sorted({plan.deal[i] for i in plan.inserts})
    in_file = {(plan.deal[i], stage_id[i], at[i]) for i in plan.deal if ctx.ok(i)}
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
    """A history file replaces what a deal file could only guess: the deal's snapshot
    changes, and a lone change into its current stage (made when the deal was imported)."""
    s = ctx.session
    for part in chunks(deal_ids):
        stmt = (
            select(StageChange.deal_id, func.min(StageChange.id), func.count())
            .where(StageChange.deal_id.in_(part))
            .group_by(StageChange.deal_id)
        )
        lone = [cid for _did, cid, n in s.execute(stmt) if n == 1]
        q = (
            select(
                StageChange.id,
                StageChange.deal_id,
                StageChange.to_stage_id,
                StageChange.changed_at,
                StageChange.is_snapshot,
                Deal.stage_id,
            )
            .join(Deal, Deal.id == StageChange.deal_id)
            .where(
                StageChange.deal_id.in_(part),
                or_(StageChange.is_snapshot, StageChange.id.in_(lone)),
            )
        )
        doomed = [
            cid
            for cid, did, sid, when, snapshot, current in s.execute(q)
            if (snapshot or sid == current) and (did, sid, when) not in incoming
        ]
        if doomed:
            s.execute(delete(StageChange).where(StageChange.id.in_(doomed)))
