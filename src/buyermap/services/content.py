"""The content library: assets (title, URL, type, personas, stages, objections answered,
channel, inbound or outbound, views and leads where known), added, changed, linked to a
journey cell, removed. Keyword-only; never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buyermap.db.models import ContentAsset
from buyermap.domain.journeys import DIRECTIONS, clean_text
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.versions import check_version

FIELDS = (
    "title",
    "url",
    "type",
    "personas",
    "stages",
    "objections",
    "channel",
    "direction",
    "views",
    "leads",
)


def split_values(value: str | list[str] | None) -> list[str]:
    """``a; b;;a`` -> ``[a, b]`` (several values of a cell: separated by ``;``)."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else str(value).split(";")
    out: list[str] = []
    for p in parts:
        text = clean_text(p)
        if text and text not in out:
            out.append(text)
    return out


def clean_asset(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an asset as stored; InvalidValueError names a bad value."""
    out: dict[str, Any] = {}
    for name in ("title", "url", "type", "channel"):
        if name in data and data[name] is not None:
            out[name] = clean_text(data[name])
    if "title" in out and not out["title"]:
        raise InvalidValueError("an asset needs a title", details={"field": "title"})
    if "url" in out and not out["url"]:
        raise InvalidValueError(
            "an asset needs a URL (or another unique address)", details={"field": "url"}
        )
    for name, limit in (("title", 500), ("url", 2000), ("type", 80), ("channel", 120)):
        if len(out.get(name, "")) > limit:
            raise InvalidValueError(
                f"{name} has more than {limit} characters", details={"field": name}
            )
    for name in ("personas", "stages", "objections"):
        if name in data:
            out[name] = split_values(data[name])
    if data.get("direction") is not None:
        direction = clean_text(data["direction"]).lower() or "inbound"
        if direction not in DIRECTIONS:
            raise InvalidValueError(
                f"direction {data['direction']!r} is not one of {', '.join(DIRECTIONS)}",
                details={"field": "direction"},
            )
        out["direction"] = direction
    for name in ("views", "leads"):
        if name in data:
            value = data[name]
            if value is None or value == "":
                out[name] = None
                continue
            try:
                number = int(str(value).replace(" ", "").replace("\u00a0", ""))
            except ValueError:
                raise InvalidValueError(
                    f"{name} {value!r} is not a whole number", details={"field": name}
                ) from None
            if number < 0:
                raise InvalidValueError(f"{name} {number} is negative", details={"field": name})
            out[name] = number
    return out


def list_content(
    session: Session,
    *,
    persona: str | None = None,
    stage: str | None = None,
    type: str | None = None,
    direction: str | None = None,
) -> list[ContentAsset]:
    """Assets, by title; an asset naming no persona (or stage) is for every one."""
    assets = list(
        session.scalars(select(ContentAsset).order_by(ContentAsset.title, ContentAsset.id))
    )
    return [
        a
        for a in assets
        if (persona is None or not a.personas or persona in a.personas)
        and (stage is None or not a.stages or stage in a.stages)
        and (type is None or a.type == type)
        and (direction is None or a.direction == direction)
    ]


def get_asset(session: Session, *, asset_id: int) -> ContentAsset:
    asset = session.get(ContentAsset, asset_id)
    if asset is None:
        raise NotFoundError(f"no content asset {asset_id}")
    return asset


def by_url(session: Session, url: str) -> ContentAsset | None:
    return session.scalar(select(ContentAsset).where(ContentAsset.url == url))


def add_asset(session: Session, *, data: dict[str, Any]) -> ContentAsset:
    values = clean_asset({"direction": "inbound", **data})
    if not values.get("title") or not values.get("url"):
        raise InvalidValueError("an asset needs a title and a URL", details={"field": "title"})
    if by_url(session, values["url"]) is not None:
        raise ConflictError(f"the library has an asset at {values['url']!r} already")
    asset = ContentAsset(
        **{"type": "", "channel": "", "personas": [], "stages": [], "objections": [], **values}
    )
    session.add(asset)
    session.flush()
    return asset


def update_asset(
    session: Session, *, asset_id: int, changes: dict[str, Any], version: int | None = None
) -> ContentAsset:
    asset = get_asset(session, asset_id=asset_id)
    values = clean_asset(changes)
    if "url" in values and values["url"] != asset.url and by_url(session, values["url"]):
        raise ConflictError(f"the library has an asset at {values['url']!r} already")
    check_version(asset, expected=version, changes=values, what="content asset")
    for name, value in values.items():
        setattr(asset, name, value)
    session.flush()
    return asset


def link_asset(session: Session, *, asset_id: int, persona: str, stage: str) -> ContentAsset:
    """Add the persona and stage to an asset (content linked to a journey cell); an asset
    naming no persona (or stage) is for all of them already."""
    asset = get_asset(session, asset_id=asset_id)
    if asset.personas and persona not in asset.personas:
        asset.personas = [*asset.personas, persona]
    if asset.stages and stage not in asset.stages:
        asset.stages = [*asset.stages, stage]
    session.flush()
    return asset


def delete_asset(session: Session, *, asset_id: int) -> None:
    session.delete(get_asset(session, asset_id=asset_id))
    session.flush()
