"""The relationship map: ``/api/v1/accounts/{id}/relationship-map`` (JSON, ``.svg``,
``.png``; ``?deal=ID`` for one deal's committee) and ``/api/v1/ties`` (add, read, change
with versions, remove)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from buyermap.charts import relationship_map as draw
from buyermap.db.models import ContactRelationship
from buyermap.domain.relationships import type_label
from buyermap.schemas.relationships import MapDocument, TieCreate, TieDoc, TieUpdate
from buyermap.seams.relationship_map import relationship_map
from buyermap.services import relationships as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.api.v1.versions import CONFLICT, VERSIONED, IfMatchDep, set_etag, with_version
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["relationship map"])

DealQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Only this deal's committee")
]


def _doc(tie: ContactRelationship) -> TieDoc:
    return TieDoc(
        id=tie.id,
        from_=tie.from_contact_id,
        to=tie.to_contact_id,
        type=tie.kind,
        type_label=type_label(tie.kind),
        evidence=tie.evidence,
        source=tie.source,
        strength=tie.strength,
        version=tie.version,
    )


def _filename(doc: MapDocument, ext: str) -> str:
    tail = f"-deal-{doc.deal_id}" if doc.deal_id else ""
    return f'attachment; filename="relationship-map-{doc.account_id}{tail}.{ext}"'


@router.get(
    "/accounts/{account_id}/relationship-map",
    summary="An account's relationship map",
    response_model_by_alias=True,
)
def get_map(session: SessionDep, account_id: PathId, deal: DealQuery = None) -> MapDocument:
    """People (sized by their share of influence, coloured by attitude, with role and
    persona) and the ties between them, laid out (x, y in 0-1). The same document as
    ``buyermap committee map --json``; 422 for a deal of another account."""
    return relationship_map(session, account_id=account_id, deal_id=deal)


@router.get(
    "/accounts/{account_id}/relationship-map.svg",
    summary="An account's relationship map (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The map"}},
)
def get_map_svg(session: SessionDep, account_id: PathId, deal: DealQuery = None) -> Response:
    """The map drawn as SVG, with a legend of tie types and attitudes."""
    doc = relationship_map(session, account_id=account_id, deal_id=deal)
    return Response(
        draw.svg(doc),
        media_type="image/svg+xml",
        headers={"Content-Disposition": _filename(doc, "svg")},
    )


@router.get(
    "/accounts/{account_id}/relationship-map.png",
    summary="An account's relationship map (PNG)",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The map"}},
)
def get_map_png(session: SessionDep, account_id: PathId, deal: DealQuery = None) -> Response:
    """The map drawn as PNG (matplotlib), with a legend."""
    doc = relationship_map(session, account_id=account_id, deal_id=deal)
    return Response(
        draw.png(doc),
        media_type="image/png",
        headers={"Content-Disposition": _filename(doc, "png")},
    )


@router.post(
    "/ties",
    status_code=status.HTTP_201_CREATED,
    summary="Add a tie between two people",
    dependencies=[WRITE],
    response_model_by_alias=True,
)
def add_tie(session: SessionDep, data: TieCreate, response: Response) -> TieDoc:
    """A directed tie of a type (in words); 422 for a tie to oneself or a type that cannot
    be one, 404 for an unknown contact, 409 when the two have a tie of that type already."""
    tie = svc.add_tie(
        session,
        from_id=data.from_,
        to_id=data.to,
        data=svc.TieInput(
            type=data.type, evidence=data.evidence, source=data.source, strength=data.strength
        ),
    )
    set_etag(response, tie.version)
    return _doc(tie)


@router.get("/ties/{tie_id}", summary="A tie", responses=VERSIONED, response_model_by_alias=True)
def get_tie(session: SessionDep, tie_id: PathId, response: Response) -> TieDoc:
    """One tie; its version in the ``ETag`` header."""
    tie = svc.get_tie(session, tie_id=tie_id)
    set_etag(response, tie.version)
    return _doc(tie)


@router.patch(
    "/ties/{tie_id}",
    summary="Change a tie",
    dependencies=[WRITE],
    responses={**VERSIONED, **CONFLICT},
    response_model_by_alias=True,
)
def update_tie(
    session: SessionDep, tie_id: PathId, data: TieUpdate, version: IfMatchDep, response: Response
) -> TieDoc:
    """Change the type, evidence, source or strength; a stale version (``If-Match`` or
    ``version``) is refused with 409."""
    data = with_version(data, version)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    changes.pop("version", None)
    if changes.get("type", "") is None:
        changes.pop("type")
    tie = svc.update_tie(session, tie_id=tie_id, changes=changes, version=data.version)
    set_etag(response, tie.version)
    return _doc(tie)


@router.delete(
    "/ties/{tie_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a tie",
    dependencies=[WRITE],
    responses=CONFLICT,
)
def delete_tie(session: SessionDep, tie_id: PathId, version: IfMatchDep) -> Response:
    """Remove the tie (the people stay). With ``If-Match``, a stale version is 409."""
    svc.remove_tie(session, tie_id=tie_id, version=version)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
