"""``/api/v1/avatars``: learn the customer avatar, the saved avatars, scores (docs/avatar.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Response, UploadFile, status
from pydantic import AfterValidator

from buyermap.charts import avatar as charts
from buyermap.charts.render import to_png
from buyermap.errors import InvalidValueError
from buyermap.io.list_exports import MEDIA
from buyermap.io.prospects import scored_bytes
from buyermap.schemas.avatars import AvatarPublic, AvatarSummary
from buyermap.schemas.common import valid_text
from buyermap.seams.avatar import (
    AvatarLearned,
    AvatarPersonas,
    AvatarScored,
    AvatarSource,
    LearnRequest,
    avatar_list,
    avatar_of,
    avatar_personas,
    learn_avatar,
    score_avatar,
)
from buyermap.seams.avatar_views import AccountFit, account_fit, learned_document, scores_frame
from buyermap.services.accounts import get_account
from buyermap.web.api.v1.params import PathId
from buyermap.web.deps import COMPUTES_ONLY, WRITE, SessionDep, SettingsDep
from buyermap.web.uploads import discard, save_upload

router = APIRouter(tags=["avatars"])

NameParam = Annotated[str, AfterValidator(valid_text)]
VersionParam = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="A version; default: the newest.")
]


@router.post(
    "/avatars/learn",
    status_code=status.HTTP_201_CREATED,
    summary="Learn the customer avatar (the CLI's document)",
    dependencies=[WRITE],
)
def learn(session: SessionDep, request: LearnRequest) -> AvatarLearned:
    """Learn the avatar from the workspace's accounts (buyers: accounts with a won deal;
    the others: accounts whose deals are all lost); with ``save`` store it under that name
    (a new version) with every account's score. The answer is the document
    ``buyermap avatar learn --json`` prints.

    Refuses with 422 as the CLI does with exit code 2 (``insufficient_evidence`` below 30
    positive or 30 negative accounts, naming how many it needs)."""
    return learn_avatar(session, request).document


@router.get("/avatars", summary="List saved avatars")
def list_avatars(session: SessionDep) -> list[AvatarSummary]:
    """Every saved avatar version, by name, newest version first."""
    return [AvatarSummary.model_validate(a) for a in avatar_list(session)]


@router.get("/avatars/{name}", summary="Get a saved avatar")
def get_avatar(session: SessionDep, name: NameParam, version: VersionParam = None) -> AvatarPublic:
    """The avatar (its newest version unless ``version``): settings and the learning's
    document (AUC with its interval, tiers, traits, proposed rules, warnings)."""
    return AvatarPublic.model_validate(avatar_of(session, name=name, version=version))


@router.post("/avatars/{name}/score", summary="Score the accounts", dependencies=[WRITE])
def score_accounts(
    session: SessionDep, name: NameParam, version: VersionParam = None
) -> AvatarScored:
    """Score every account of the workspace with the avatar and store the scores (accounts
    added since it was learned are scored too); the answer is the document
    ``buyermap avatar score --json`` prints (without ``out``)."""
    return score_avatar(session, name=name, version=version).document


@router.post(
    "/avatars/{name}/score.csv",
    summary="Score a prospect file (CSV out)",
    dependencies=[COMPUTES_ONLY],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The file with fit added"}},
)
async def score_file(
    session: SessionDep,
    settings: SettingsDep,
    name: NameParam,
    file: UploadFile,
    id_column: Annotated[str | None, Form(max_length=120)] = None,
    version: VersionParam = None,
) -> Response:
    """Score an uploaded CSV or XLSX of companies without importing it: the same rows with
    ``fit``, ``probability``, ``tier`` and ``reasons`` added (the id column first)."""
    upload = await save_upload(settings, file)
    try:
        found = score_avatar(
            session,
            name=name,
            version=version,
            source=AvatarSource(path=upload.path, id_column=id_column or None),
        )
    finally:
        discard(upload)
    stem = upload.name.rsplit(".", 1)[0]
    return Response(
        found.table.write_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}-scored.csv"'},
    )


@router.get("/avatars/{name}/personas", summary="The avatar's top tier across personas")
def get_avatar_personas(
    session: SessionDep, name: NameParam, version: VersionParam = None
) -> AvatarPersonas:
    """How the avatar's top tier (A) splits across the personas of the active run (over
    contacts: the contacts it scores A; over accounts: the contacts at accounts its stored
    scores put in A): the document ``buyermap avatar personas --json`` prints. 404 without
    a persona run; 422 for an avatar learned from a file or not yet scored."""
    return avatar_personas(session, name=name, version=version)


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="download"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )


@router.get(
    "/avatars/{name}/scores.csv",
    summary="The stored scores of the accounts (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per account"}},
)
def scores_csv(session: SessionDep, name: NameParam, version: VersionParam = None) -> Response:
    """Every account the avatar has scored, best fit first: ``account_id``, ``name``,
    ``domain``, ``fit``, ``probability``, ``tier``, ``reasons`` (UTF-8 with a BOM)."""
    frame = scores_frame(session, name=name, version=version)
    return _download(scored_bytes(frame, "csv"), MEDIA["csv"], f"{name}-scores.csv")


@router.get(
    "/avatars/{name}/scores.xlsx",
    summary="The stored scores of the accounts (XLSX)",
    response_class=Response,
    responses={200: {"content": {MEDIA["xlsx"]: {}}, "description": "One row per account"}},
)
def scores_xlsx(session: SessionDep, name: NameParam, version: VersionParam = None) -> Response:
    """The same rows as ``scores.csv`` in a workbook (fit and probability as numbers)."""
    frame = scores_frame(session, name=name, version=version)
    return _download(
        scored_bytes(frame, "xlsx", title="Scores"), MEDIA["xlsx"], f"{name}-scores.xlsx"
    )


AvatarChart = Literal["traits", "tiers", "reliability", "drift"]
CHARTS: dict[str, Callable[[Any], Any]] = {
    "traits": charts.traits,
    "tiers": charts.tiers,
    "reliability": charts.reliability,
    "drift": charts.drift,
}


@router.get(
    "/avatars/{name}/chart.png",
    summary="A chart of a learned avatar as PNG",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The chart"}},
)
def chart_png(
    session: SessionDep,
    name: NameParam,
    chart: Annotated[AvatarChart, Query(description="Which chart")] = "traits",
    version: VersionParam = None,
) -> Response:
    """The traits, tiers, reliability or drift chart of ``/avatars/{name}``."""
    doc = learned_document(avatar_of(session, name=name, version=version))
    if doc is None:
        raise InvalidValueError(
            f"avatar {name!r} is a rules avatar: it has no learned charts",
            details={"name": name},
        )
    figure = CHARTS[chart](doc.model_dump(mode="json"))
    return _download(to_png(figure), "image/png", f"{name}-{chart}.png")


@router.get("/accounts/{account_id}/fit", summary="An account's fit by the customer avatar")
def get_account_fit(session: SessionDep, account_id: PathId) -> AccountFit | None:
    """The fit (0-100), probability, tier and reasons of the account by the avatar that
    scored the workspace last, with its name, version and when (``scored`` false when that
    avatar has not scored this account); null when no avatar has scored yet. 404 for no
    such account. What the account page shows."""
    get_account(session, account_id=account_id)
    return account_fit(session, account_id=account_id)
