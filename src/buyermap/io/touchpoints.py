"""Import of touchpoints (``buyermap import touchpoints FILE``).

One touch per row: ``contact_email`` (a contact the workspace knows), ``url`` (an asset of
the content library: ``buyermap content import`` first), ``at`` (when; the date layouts CRMs
and Excel write: ``2024-05-07 10:26``, ``07.05.2024``, ``5/7/24 10:26 AM``, ...) and
optionally ``channel`` (email, search, webinar, ...).

A URL is matched to the library ignoring case, blanks and a trailing ``/``. A touch is
identified by its contact, asset and moment, so importing the file again changes nothing
and a changed channel updates the touch. Unknown emails and URLs the library does not have
are rejected with the value and what to do (the importer quarantines those rows): a touch
of a page that is not in the library could not say which journey stage it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from buyermap.db.models import Contact, ContentAsset, Touchpoint
from buyermap.db.types import utcnow
from buyermap.io.bulk import bulk_update, chunks, insert_columns
from buyermap.io.context import Ctx, supersede

Key = tuple[int, int, Any]  # (contact id, asset id, at)


@dataclass
class TouchpointPlan:
    inserts: list[int] = field(default_factory=list)
    updates: dict[int, int] = field(default_factory=dict)  # row -> stored touchpoint id
    keys: dict[int, Key] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)


def url_key(url: str) -> str:
    """``HTTPS://Example.com/Guide/`` and ``https://example.com/guide`` are one asset."""
    return "".join(url.split()).casefold().rstrip("/")


def _emails(ctx: Ctx) -> dict[str, int]:
    wanted = sorted({str(v).lower() for v in ctx.col("contact_email") if v})
    out: dict[str, int] = {}
    for part in chunks(wanted):
        for cid, email in ctx.session.execute(
            select(Contact.id, func.lower(Contact.email)).where(func.lower(Contact.email).in_(part))
        ):
            out[email] = cid
    return out


def plan_touchpoints(ctx: Ctx) -> TouchpointPlan:
    plan = TouchpointPlan()
    emails = _emails(ctx)
    assets = {
        url_key(u): aid for aid, u in ctx.session.execute(select(ContentAsset.id, ContentAsset.url))
    }
    rows: list[int] = []
    keys: list[Key | None] = [None] * ctx.n
    for i in ctx.valid_rows():
        email, url = ctx.col("contact_email")[i], ctx.col("url")[i]
        contact = emails.get(str(email).lower())
        if contact is None:
            ctx.reject(
                i,
                "contact_email",
                f"no contact with email {email!r}: import the contacts first (buyermap "
                "import contacts), or fix the address",
            )
        asset = assets.get(url_key(str(url)))
        if asset is None:
            ctx.reject(
                i,
                "url",
                f"no content asset with url {url!r}: add it to the content library first "
                f"(buyermap content import; {len(assets)} assets known), or fix the url",
            )
        if contact is None or asset is None:
            continue
        keys[i] = (contact, asset, ctx.col("at")[i])
        plan.channels[i] = " ".join(str(ctx.col("channel")[i] or "").split())
        rows.append(i)
    rows = supersede(ctx, rows, [keys])
    stored: dict[Key, Touchpoint] = {}
    contacts = sorted({k[0] for k in keys if k is not None})
    for part in chunks(contacts):
        for t in ctx.session.scalars(select(Touchpoint).where(Touchpoint.contact_id.in_(part))):
            stored[(t.contact_id, t.asset_id, t.at)] = t
    for i in rows:
        key = keys[i]
        assert key is not None
        plan.keys[i] = key
        record = stored.get(key)
        if record is None:
            plan.inserts.append(i)
        elif ctx.on_duplicate == "skip":
            ctx.skipped[i] = "touched already (--on-duplicate skip)"
        elif plan.channels[i] and plan.channels[i] != record.channel:
            plan.updates[i] = record.id
        else:
            ctx.skipped[i] = "unchanged"
    return plan


def write_touchpoints(ctx: Ctx, plan: TouchpointPlan) -> None:
    now = utcnow()
    rows = plan.inserts
    columns: dict[str, list[Any]] = {
        "contact_id": [plan.keys[i][0] for i in rows],
        "asset_id": [plan.keys[i][1] for i in rows],
        "at": [plan.keys[i][2] for i in rows],
        "channel": [plan.channels[i] for i in rows],
        "source": [ctx.system] * len(rows),
        "created_at": [now] * len(rows),
    }
    insert_columns(ctx.session, Touchpoint, columns)
    ctx.advance(len(rows))
    bulk_update(
        ctx.session,
        Touchpoint,
        [{"id": rid, "channel": plan.channels[i]} for i, rid in plan.updates.items()],
    )
    ctx.advance(len(plan.updates))
