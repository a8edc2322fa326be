"""The journeys seam: one document per question, for the CLI's ``--json``, the REST API
and the pages alike.

- :func:`gaps` runs :func:`buyermap.analytics.journeys.gaps.run_gaps` on the workspace's
  maps and content library (weights from won revenue per persona when it is known);
- :func:`journey_document` is a persona's map (stages in words, lines per stage and kind);
- :func:`overview` lists the personas with their map's status;
- :func:`diff_document` and :func:`history_document` compare and list versions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from buyermap.analytics.journeys.gaps import (
    Asset,
    GapsInput,
    GapsQuery,
    GapsResult,
    MapLine,
    PersonaMap,
    run_gaps,
)
from buyermap.db.models import ContentAsset, Journey
from buyermap.domain.journeys import KIND_WORDS, KINDS, TEMPLATE_WORDS, stage_word
from buyermap.services import content as content_svc
from buyermap.services import journeys as svc


def gaps_input(session: Session) -> GapsInput:
    names = {p.key: p.name for p in svc.personas(session)}
    maps = tuple(
        PersonaMap(
            persona=j.persona_key,
            name=names.get(j.persona_key, j.persona_key),
            stages=tuple(j.stages),
            lines=tuple(
                MapLine(ln.stage, ln.kind, ln.text, ln.key, ln.ref) for ln in svc.ordered(j)
            ),
        )
        for j in svc.all_journeys(session)
    )
    assets = tuple(
        Asset(a.title, tuple(a.personas), tuple(a.stages), tuple(a.objections), a.direction)
        for a in content_svc.list_content(session)
    )
    return GapsInput(maps=maps, assets=assets, won_revenue=svc.won_revenue_by_persona(session))


def gaps(session: Session, *, persona: str | None = None) -> GapsResult:
    """The gaps of every map, or of one persona's (NotFoundError when it has no map)."""
    if persona is not None:
        svc.require_journey(session, persona)
    return run_gaps(GapsQuery(persona=persona), gaps_input(session))


def line_dict(line: Any) -> dict[str, Any]:
    return {
        "id": line.id,
        "stage": line.stage,
        "kind": line.kind,
        "key": line.key,
        "ref": line.ref,
        "text": line.text,
        "position": line.position,
        "evidence": line.evidence,
        "evidence_count": line.evidence_count,
        "version": line.version,
    }


def asset_dict(a: ContentAsset) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "url": a.url,
        "type": a.type,
        "personas": list(a.personas),
        "stages": list(a.stages),
        "objections": list(a.objections),
        "channel": a.channel,
        "direction": a.direction,
        "views": a.views,
        "leads": a.leads,
        "version": a.version,
    }


def _journey_head(j: Journey, name: str, origin: str) -> dict[str, Any]:
    return {
        "persona": j.persona_key,
        "name": name,
        "origin": origin,
        "template": j.template,
        "template_words": TEMPLATE_WORDS.get(j.template, j.template),
        "status": j.status,
        "published_version": j.published or None,
        "version": j.version,
        "lines": len(j.lines),
        "updated_at": j.updated_at.isoformat() if j.updated_at else None,
    }


def journey_document(session: Session, *, persona: str) -> dict[str, Any]:
    """A persona's map: head (template, status, versions), stages in words, and for each
    stage its lines by kind, in order; the content assets of each stage."""
    j = svc.require_journey(session, persona)
    ref = svc.find_persona(session, persona)
    lines = svc.ordered(j)
    assets = content_svc.list_content(session, persona=persona)
    doc = _journey_head(j, ref.name if ref else persona, ref.origin if ref else svc.HAND_MADE)
    doc["stages"] = [
        {
            "key": s,
            "label": stage_word(s),
            "lines": {
                k: [line_dict(ln) for ln in lines if ln.stage == s and ln.kind == k] for k in KINDS
            },
            "content": [asset_dict(a) for a in assets if not a.stages or s in a.stages],
        }
        for s in j.stages
    ]
    doc["kinds"] = [{"key": k, "label": KIND_WORDS[k]} for k in KINDS]
    doc["objections"] = sorted(svc.objection_keys(j))
    return doc


def overview(session: Session) -> list[dict[str, Any]]:
    """Every persona, with its map's head (or ``status`` none when it has no map)."""
    out: list[dict[str, Any]] = []
    for p in svc.personas(session):
        j = svc.get_journey(session, p.key)
        if j is None:
            out.append(
                {"persona": p.key, "name": p.name, "origin": p.origin, "status": "none", "lines": 0}
            )
        else:
            out.append(_journey_head(j, p.name, p.origin))
    return out


def diff_document(
    session: Session,
    *,
    persona: str,
    from_version: str | None = None,
    to_version: str | None = None,
) -> dict[str, Any]:
    start, end, changes = svc.diff(
        session, persona=persona, from_version=from_version, to_version=to_version
    )
    return {
        "persona": persona,
        "from": start,
        "to": end,
        "changes": len(changes),
        "diff": [c.to_dict() for c in changes],
    }


def history_document(session: Session, *, persona: str) -> dict[str, Any]:
    versions = svc.history(session, persona=persona)
    return {
        "persona": persona,
        "versions": [
            {"number": v.number, "published_at": v.published_at.isoformat(), "lines": len(v.lines)}
            for v in versions
        ],
    }


def content_documents(
    session: Session,
    *,
    persona: str | None = None,
    stage: str | None = None,
    type: str | None = None,
    direction: str | None = None,
) -> list[dict[str, Any]]:
    assets = content_svc.list_content(
        session, persona=persona, stage=stage, type=type, direction=direction
    )
    return [asset_dict(a) for a in assets]
