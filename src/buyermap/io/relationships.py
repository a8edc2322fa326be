"""Import of ties between people (``buyermap import relationships FILE``): the relationship
map (docs/committee.md, "Relationship map").

One tie per row: ``from_email`` and ``to_email`` (contacts the workspace knows), ``type``
in words (reports to, influences, ally, rival, informal advisor, in English or in our
markets' languages: "podlega", "sojusznik", "rivális"; any other words are the workspace's
own type), optionally ``evidence`` (a note), ``strength`` (1-5) and ``source``.

A tie is identified by its two people and its type, so importing the file again changes
nothing and changed evidence updates the tie. Unknown emails, types that cannot be one and
a tie from a person to themselves are rejected with the bad value and what would be valid
(the importer quarantines those rows with their line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from buyermap.db.models import Contact, ContactRelationship
from buyermap.db.types import utcnow
from buyermap.domain.relationships import resolve_type, type_choices
from buyermap.io.bulk import bulk_update, chunks, insert_columns
from buyermap.io.context import Ctx, supersede
from buyermap.services.relationships import own_types

Key = tuple[int, int, str]


@dataclass
class TiePlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> stored tie id
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    values: dict[int, dict[str, Any]] = field(default_factory=dict)


def _emails(ctx: Ctx) -> dict[str, int]:
    wanted = sorted(
        {str(v).lower() for name in ("from_email", "to_email") for v in ctx.col(name) if v}
    )
    out: dict[str, int] = {}
    for part in chunks(wanted):
        for cid, email in ctx.session.execute(
            select(Contact.id, func.lower(Contact.email)).where(func.lower(Contact.email).in_(part))
        ):
            out[email] = cid
    return out


def _text(value: Any) -> str | None:
    return None if value is None else " ".join(str(value).split()) or None


def plan_relationships(ctx: Ctx) -> TiePlan:
    plan = TiePlan()
    emails = _emails(ctx)
    own = own_types(ctx.session)
    rows: list[int] = []
    keys: list[Key | None] = [None] * ctx.n
    for i in ctx.valid_rows():
        ends: list[int | None] = []
        for name in ("from_email", "to_email"):
            raw = ctx.col(name)[i]
            found = emails.get(str(raw).lower())
            if found is None:
                ctx.reject(
                    i,
                    name,
                    f"no contact with email {raw!r}: import the contacts first (buyermap "
                    "import contacts), or fix the address",
                )
            ends.append(found)
        raw_type = ctx.col("type")[i]
        kind = resolve_type(None if raw_type is None else str(raw_type), own)
        if kind is None:
            ctx.reject(
                i,
                "type",
                f"tie type {raw_type!r} is not a type: use one of {type_choices()}, or your "
                "own type in 2 to 30 letters, digits, spaces, - or _ starting with a letter",
            )
        a, b = ends
        if a is not None and a == b:
            ctx.reject(
                i,
                "to_email",
                f"a tie from {ctx.col('from_email')[i]} to themselves: a tie joins two "
                "different people",
            )
            continue
        strength = ctx.col("strength")[i]
        if strength is not None and (float(strength) != int(strength) or not 1 <= strength <= 5):
            ctx.reject(i, "strength", f"strength {strength!r} is not a whole number from 1 to 5")
            continue
        if a is None or b is None or kind is None:
            continue
        if kind not in own:
            own.append(kind)
        plan.values[i] = {
            "from_contact_id": a,
            "to_contact_id": b,
            "kind": kind,
            "evidence": _text(ctx.col("evidence")[i]),
            "source": _text(ctx.col("source")[i]),
            "strength": None if strength is None else int(strength),
        }
        keys[i] = (a, b, kind)
        rows.append(i)
    rows = supersede(ctx, rows, [keys])
    people = sorted({k[0] for k in keys if k is not None})
    stored: dict[Key, ContactRelationship] = {}
    for part in chunks(people):
        for t in ctx.session.scalars(
            select(ContactRelationship).where(ContactRelationship.from_contact_id.in_(part))
        ):
            stored[(t.from_contact_id, t.to_contact_id, t.kind)] = t
    for i in rows:
        key = keys[i]
        assert key is not None
        record = stored.get(key)
        if record is None:
            plan.inserts.append(i)
            continue
        if ctx.on_duplicate == "skip":
            ctx.skipped[i] = "the tie is stored already (--on-duplicate skip)"
            continue
        changes = {
            k: v
            for k, v in plan.values[i].items()
            if k in ("evidence", "source", "strength") and v is not None and getattr(record, k) != v
        }
        if changes:
            plan.updates[i] = record.id
            plan.changes[i] = {**changes, "version": record.version + 1}
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_relationships(ctx: Ctx, plan: TiePlan) -> None:
    now = utcnow()
    rows = [plan.values[i] for i in plan.inserts]
    names = ("from_contact_id", "to_contact_id", "kind", "evidence", "strength")
    columns: dict[str, list[Any]] = {name: [r[name] for r in rows] for name in names}
    columns["source"] = [r["source"] or ctx.system for r in rows]
    columns["version"] = [1] * len(rows)
    columns["created_at"] = columns["updated_at"] = [now] * len(rows)
    insert_columns(ctx.session, ContactRelationship, columns)
    ctx.advance(len(rows))
    bulk_update(
        ctx.session,
        ContactRelationship,
        [{"id": rid, **plan.changes[i], "updated_at": now} for i, rid in plan.updates.items()],
    )
    ctx.advance(len(plan.updates))
