"""Import of buyers' supplier-selection criteria (``buyermap import supplier-criteria``).

One row per criterion of one buyer account: ``account_domain,criterion,operator,value,
weight,must_have``. The account is found by its domain (an unknown domain is rejected, not
created: criteria belong to a buyer the workspace knows); a criterion is identified by
account, criterion (case and blanks ignored) and operator, so importing the file again
changes nothing and a changed value or weight updates the stored criterion. Operators and
numeric values are checked and normalised by :func:`buyermap.domain.criteria.check`, the
checker the services and the rules avatar use too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from buyermap.db.models import Account, SupplierCriterion
from buyermap.db.types import utcnow
from buyermap.domain.criteria import Checked, check, fold
from buyermap.io.bulk import bulk_update, chunks, insert_columns
from buyermap.io.context import Ctx, supersede

FIELDS = ("criterion", "operator", "value", "weight", "must_have")


@dataclass
class CriteriaPlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> stored criterion id
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    account: dict[int, int] = field(default_factory=dict)  # row -> account id
    operator: dict[int, str] = field(default_factory=dict)  # row -> checked operator
    # kept for the report's shape (records.Plan has them)
    ext: list[str | None] = field(default_factory=list)


def _checked(ctx: Ctx, i: int) -> Checked:
    weight = ctx.col("weight")[i]
    return check(
        str(ctx.col("operator")[i]),
        str(ctx.col("value")[i]),
        None if weight is None else float(weight),
    )


def _row(ctx: Ctx, i: int) -> dict[str, Any]:
    checked = _checked(ctx, i)
    assert checked.operator is not None  # rows with problems were rejected in the plan
    must = ctx.col("must_have")[i]
    return {
        "criterion": str(ctx.col("criterion")[i]).strip(),
        "operator": checked.operator.value,
        "value": checked.value,
        "weight": checked.weight,
        "must_have": bool(must) if must is not None else False,
    }


def plan_criteria(ctx: Ctx) -> CriteriaPlan:
    s = ctx.session
    plan = CriteriaPlan()
    domains = ctx.col("account_domain")
    wanted = {str(d).lower() for d in domains if d}
    by_domain: dict[str, int] = {}
    for names in chunks(sorted(wanted)):
        for aid, dom in s.execute(
            select(Account.id, func.lower(Account.domain)).where(
                func.lower(Account.domain).in_(names)
            )
        ):
            by_domain[dom] = aid
    rows: list[int] = []
    for i in ctx.valid_rows():
        domain = str(domains[i]).lower()
        account = by_domain.get(domain)
        if account is None:
            ctx.reject(
                i,
                "account_domain",
                f"no account with domain {domains[i]!r}: import the account first, or fix "
                "the domain",
            )
            continue
        checked = _checked(ctx, i)
        for name, reason in checked.problems:
            ctx.reject(i, name, reason)
        if checked.operator is None or checked.problems:
            continue
        plan.account[i] = account
        plan.operator[i] = checked.operator.value
        rows.append(i)
    keys = [
        (plan.account[i], fold(str(ctx.col("criterion")[i])), plan.operator[i])
        if i in plan.account
        else None
        for i in range(ctx.n)
    ]
    rows = supersede(ctx, rows, [keys])
    stored: dict[tuple[int, str, str], SupplierCriterion] = {}
    for ids in chunks(sorted(set(plan.account.values()))):
        for c in s.scalars(select(SupplierCriterion).where(SupplierCriterion.account_id.in_(ids))):
            stored[(c.account_id, fold(c.criterion), c.operator)] = c
    for i in rows:
        key = keys[i]
        assert key is not None
        record = stored.get(key)
        if record is None:
            plan.inserts.append(i)
            continue
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "exists already (--on-duplicate skip)"
            continue
        changes = {k: v for k, v in _row(ctx, i).items() if getattr(record, k) != v}
        if changes:
            plan.updates[i] = record.id
            plan.changes[i] = changes
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_criteria(ctx: Ctx, plan: CriteriaPlan) -> None:
    now = utcnow()
    rows = [_row(ctx, i) for i in plan.inserts]
    columns: dict[str, list[Any]] = {name: [r[name] for r in rows] for name in FIELDS}
    columns["account_id"] = [plan.account[i] for i in plan.inserts]
    columns["source"] = [ctx.system] * len(rows)
    columns["created_at"] = columns["updated_at"] = [now] * len(rows)
    insert_columns(ctx.session, SupplierCriterion, columns)
    ctx.advance(len(rows))
    bulk_update(
        ctx.session,
        SupplierCriterion,
        [{"id": rid, **plan.changes[i], "updated_at": now} for i, rid in plan.updates.items()],
    )
    ctx.advance(len(plan.updates))
