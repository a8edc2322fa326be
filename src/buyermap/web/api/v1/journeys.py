"""Journey maps and the content library: ``/api/v1/journeys`` (maps, lines, versions,
gaps) and ``/api/v1/content`` (assets). Writes are validated (422 naming the bad value),
edits carry the ``version`` they read (409 when the record moved on)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from buyermap.schemas.journeys import (
    AssetCreate,
    AssetLink,
    AssetUpdate,
    JourneyCreate,
    KeywordRule,
    LineCreate,
    LineMove,
    LineUpdate,
    QuestionMap,
)
from buyermap.seams import form_answers as form_seam
from buyermap.seams import journeys as seam
from buyermap.services import content as content_svc
from buyermap.services import form_answers as form_svc
from buyermap.services import journeys as svc
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import WRITE, SessionDep

router = APIRouter(tags=["journeys"])

PersonaKey = Annotated[str, Path(min_length=1, max_length=80, description="A persona's key")]
Doc = dict[str, Any]


@router.get("/journeys", summary="Personas and their journey maps")
def list_journeys(session: SessionDep) -> list[Doc]:
    """Every persona with its map's template, status (none, draft or published) and size."""
    return seam.overview(session)


@router.get("/journeys/gaps", summary="Gaps of the persona x stage matrix")
def journey_gaps(
    session: SessionDep,
    persona: Annotated[str | None, Query(max_length=80, description="Only this persona")] = None,
) -> Doc:
    """``cells``, ``unanswered_objections``, ``unanswered_questions``, ``priorities`` (with
    the weights and how they were chosen), as ``buyermap journeys gaps --json``."""
    return seam.gaps(session, persona=persona).to_dict()


@router.get("/journeys/answers", summary="Form answers kept as evidence")
def journey_answers(
    session: SessionDep,
    persona: Annotated[str | None, Query(max_length=80, description="Only this persona")] = None,
    question: Annotated[
        str | None, Query(max_length=500, description="Only the answers to this question")
    ] = None,
) -> Doc:
    """The kept form answers, oldest first, as ``buyermap journeys answers list --json``
    (404 for an unknown persona)."""
    return form_seam.answers_document(session, persona=persona, question=question)


@router.post(
    "/journeys/answers/map",
    summary="Say where a form question's answers belong",
    dependencies=[WRITE],
)
def map_question(session: SessionDep, data: QuestionMap) -> Doc:
    """The question's journey stage and objection; its kept answers are filed there too
    (422 naming a stage or objection no map has)."""
    mapped = form_svc.map_questions(session, [(1, data.question, data.stage, data.objection)])
    return mapped[0]


@router.get("/journeys/answers/questions", summary="Form questions and where they belong")
def answer_questions(session: SessionDep) -> list[Doc]:
    """Every question with kept answers or a mapping: ``question``, ``answers`` (count),
    ``stage`` and ``objection`` (empty when not mapped), the most answered first."""
    return form_svc.questions(session)


def _keyword_doc(k: Any) -> Doc:
    return {"id": k.id, "kind": k.kind, "key": k.key, "word": k.word}


@router.get("/journeys/answers/keywords", summary="Keyword rules of the form themes")
def list_keywords(session: SessionDep) -> list[Doc]:
    """The keyword rules (``id``, ``kind``, ``key``, ``word``), objections first."""
    return [_keyword_doc(k) for k in form_svc.keywords(session)]


@router.post(
    "/journeys/answers/keywords",
    status_code=status.HTTP_201_CREATED,
    summary="Add a keyword rule",
    dependencies=[WRITE],
)
def add_keyword(session: SessionDep, data: KeywordRule) -> Doc:
    """Keep a keyword rule (422 naming a stage or objection no map has); ``added`` is
    false when the same rule was already kept."""
    added = form_svc.set_keywords(session, [(1, data.kind, data.key, data.word)])
    return {"added": bool(added), "rules": [_keyword_doc(k) for k in form_svc.keywords(session)]}


@router.delete(
    "/journeys/answers/keywords/{keyword_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a keyword rule",
    dependencies=[WRITE],
)
def delete_keyword(session: SessionDep, keyword_id: PathId) -> Response:
    """Remove one keyword rule (404 when there is none of that id)."""
    form_svc.remove_keyword(session, keyword_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/journeys/themes", summary="Themes of the kept form answers")
def journey_themes(
    session: SessionDep,
    persona: Annotated[str | None, Query(max_length=80, description="Only this persona")] = None,
    clusters: Annotated[
        int, Query(ge=1, le=20, description="At most this many clusters")
    ] = form_seam.MAX_CLUSTERS,
) -> Doc:
    """Keyword themes, then clusters of the rest, each with its suggested stage or
    objection, as ``buyermap journeys themes --json``."""
    return form_seam.themes_document(session, persona=persona, max_clusters=clusters)


@router.get("/journeys/{persona}", summary="A persona's journey map")
def get_journey(session: SessionDep, persona: PersonaKey) -> Doc:
    """The map's head, its stages in words with their lines by kind, and content."""
    return seam.journey_document(session, persona=persona)


@router.post(
    "/journeys/{persona}",
    status_code=status.HTTP_201_CREATED,
    summary="Start a persona's journey map",
    dependencies=[WRITE],
)
def create_journey(session: SessionDep, persona: PersonaKey, data: JourneyCreate) -> Doc:
    """An empty draft on a template (a persona no run has is made by hand); a persona with
    a map on another template is refused (422)."""
    svc.ensure_journey(session, persona=persona, template=data.template.value, stages=data.stages)
    return seam.journey_document(session, persona=persona)


@router.post(
    "/journeys/{persona}/lines",
    status_code=status.HTTP_201_CREATED,
    summary="Add a line to a persona's map",
    dependencies=[WRITE],
)
def add_line(session: SessionDep, persona: PersonaKey, data: LineCreate) -> Doc:
    """Add a task, question, channel, objection (with a key), answer (with the ref of an
    objection) or content line at the end of its cell."""
    line = svc.add_line(session, persona=persona, **{**data.model_dump(), "kind": data.kind.value})
    return seam.line_dict(line)


@router.patch("/journey-lines/{line_id}", summary="Change a journey line", dependencies=[WRITE])
def update_line(session: SessionDep, line_id: PathId, data: LineUpdate) -> Doc:
    """Change a line's text, an answer's objection or the evidence; 409 when ``version``
    is not the line's."""
    line = svc.update_line(session, line_id=line_id, **data.model_dump(exclude_unset=True))
    return seam.line_dict(line)


@router.post(
    "/journey-lines/{line_id}/move", summary="Reorder a journey line", dependencies=[WRITE]
)
def move_line(session: SessionDep, line_id: PathId, data: LineMove) -> Doc:
    """Move a line up (negative ``by``) or down within its cell."""
    return seam.line_dict(svc.move_line(session, line_id=line_id, by=data.by))


@router.delete(
    "/journey-lines/{line_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a journey line",
    dependencies=[WRITE],
)
def delete_line(session: SessionDep, line_id: PathId) -> Response:
    """Remove a line (an objection with the answers that refer to it)."""
    svc.delete_line(session, line_id=line_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/journeys/{persona}/publish", summary="Publish a persona's map", dependencies=[WRITE])
def publish_journey(session: SessionDep, persona: PersonaKey) -> Doc:
    """Publish the draft as the next numbered version."""
    version = svc.publish(session, persona=persona)
    return {"persona": persona, "version": version.number, "lines": len(version.lines)}


@router.get("/journeys/{persona}/history", summary="A map's published versions")
def journey_history(session: SessionDep, persona: PersonaKey) -> Doc:
    """The published versions, oldest first, with their dates and sizes."""
    return seam.history_document(session, persona=persona)


@router.get("/journeys/{persona}/diff", summary="What changed in a persona's map")
def journey_diff(
    session: SessionDep,
    persona: PersonaKey,
    from_version: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    to_version: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> Doc:
    """Lines added, removed and changed between two versions (numbers or ``draft``); by
    default from the last published version to the draft."""
    return seam.diff_document(
        session, persona=persona, from_version=from_version, to_version=to_version
    )


@router.get("/content", summary="The content library")
def list_content(
    session: SessionDep,
    persona: Annotated[str | None, Query(max_length=80)] = None,
    stage: Annotated[str | None, Query(max_length=80)] = None,
    type: Annotated[str | None, Query(max_length=80)] = None,
    direction: Annotated[str | None, Query(pattern="^(inbound|outbound)$")] = None,
) -> list[Doc]:
    """Assets by title, filtered (an asset naming no persona or stage is for all)."""
    return seam.content_documents(
        session, persona=persona, stage=stage, type=type, direction=direction
    )


@router.post(
    "/content",
    status_code=status.HTTP_201_CREATED,
    summary="Add a content asset",
    dependencies=[WRITE],
)
def add_asset(session: SessionDep, data: AssetCreate) -> Doc:
    """Add an asset; 409 when the library has one at that URL."""
    return seam.asset_dict(content_svc.add_asset(session, data=data.model_dump()))


@router.patch("/content/{asset_id}", summary="Change a content asset", dependencies=[WRITE])
def update_asset(session: SessionDep, asset_id: PathId, data: AssetUpdate) -> Doc:
    """Change an asset's fields; 409 when ``version`` is not the asset's."""
    changes = data.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    asset = content_svc.update_asset(session, asset_id=asset_id, changes=changes, version=version)
    return seam.asset_dict(asset)


@router.post(
    "/content/{asset_id}/link", summary="Link an asset to a journey cell", dependencies=[WRITE]
)
def link_asset(session: SessionDep, asset_id: PathId, data: AssetLink) -> Doc:
    """Add the persona and the stage to the asset's."""
    asset = content_svc.link_asset(
        session, asset_id=asset_id, persona=data.persona, stage=data.stage
    )
    return seam.asset_dict(asset)


@router.delete(
    "/content/{asset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a content asset",
    dependencies=[WRITE],
)
def delete_asset(session: SessionDep, asset_id: PathId) -> Response:
    """Remove an asset from the library."""
    content_svc.delete_asset(session, asset_id=asset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
