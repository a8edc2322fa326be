"""The customer avatar in the web: ``/avatars`` (saved avatars, learn from my accounts),
``/avatars/{name}`` (what it learned, with charts; score all accounts; the scores and a
prospect file scored without importing it) and ``/avatars/mutual`` (they fit us against
we fit them, one point per account).

Thin over the seams (:mod:`buyermap.seams.avatar`, :mod:`buyermap.seams.avatar_views`,
:mod:`buyermap.seams.mutual`): learning posts the same :class:`LearnRequest` the CLI and
``POST /api/v1/avatars/learn`` build, and refuses with the same words.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import AfterValidator
from sqlalchemy.orm import Session

from buyermap.charts import avatar as charts
from buyermap.charts.render import to_svg
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.io.list_exports import MEDIA
from buyermap.io.prospects import scored_bytes
from buyermap.schemas.common import valid_text
from buyermap.seams.avatar import LearnRequest, build_request, learn_avatar, score_avatar
from buyermap.seams.avatar_views import (
    avatar_columns,
    avatar_rows,
    overview,
    preview_prospects,
    score_prospects,
)
from buyermap.seams.mutual import mutual
from buyermap.settings import Settings
from buyermap.web.deps import COMPUTES_ONLY, WRITE, SessionDep, SettingsDep
from buyermap.web.forms import FormRejectedError
from buyermap.web.pages.editing import FormDep
from buyermap.web.pages.imports import ENCODINGS
from buyermap.web.templating import render
from buyermap.web.uploads import Upload, find_upload, save_upload

router = APIRouter()

NameParam = Annotated[str, AfterValidator(valid_text)]
VersionParam = Annotated[int | None, Query(ge=1, le=1_000_000)]

CHARTS: dict[str, tuple[Any, str]] = {
    "traits": (charts.traits, "Traits that separate buyers, by their effect on the odds"),
    "tiers": (charts.tiers, "Share of accounts that bought in each tier, with the lift"),
    "reliability": (charts.reliability, "Predicted chance of buying against the share that did"),
    "drift": (charts.drift, "Base rate of the accounts learned from and of those scored"),
}
TIER_WORDS = {
    "A": "A: among the best-fitting 20%",
    "B": "B: the next 30%",
    "C": "C: the next 30%",
    "D": "D: the bottom 20%",
}


def tier_words(tier: str | None) -> str:
    if tier is None:
        return "not scored"
    if tier.startswith("disqualified"):
        return tier.replace("disqualified", "Disqualified", 1)
    return TIER_WORDS.get(tier, tier)


def auc_words(auc: float, interval: list[float]) -> str:
    """Cross-validated AUC as a chance of ranking a buyer above a non-buyer."""
    low, high = (round(100 * v) for v in interval)
    return (
        f"Ranks a buyer above an account that did not buy {round(100 * auc)} times in 100 "
        f"(95% interval {low} to {high}; 50 is a coin toss), checked on accounts it did not "
        "learn from (cross-validated)"
    )


def drift_words(drift: dict[str, Any]) -> str:
    training = float(drift.get("training_rate") or 0.0)
    scored = drift.get("scored_rate")
    if scored is None:
        return f"{100 * training:.0f}% of the accounts learned from bought; none scored yet."
    gap = 100 * (scored - training)
    return (
        f"{100 * training:.0f}% of the accounts learned from bought; the "
        f"{drift.get('scored_n', 0):,} accounts scored are expected to buy at "
        f"{100 * scored:.0f}% ({gap:+.0f} percentage points)"
        + (
            ": they look unlike the accounts learned from."
            if abs(gap) >= 10
            else ": close to the accounts learned from."
        )
    )


def _list_page(
    request: Request, session: Session, *, message: str | None = None, name: str = "icp"
) -> dict[str, Any]:
    return {"avatars": avatar_rows(session), "message": message, "learn_name": name}


@router.get("/avatars", summary="Customer avatars")
def avatars_page(request: Request, session: SessionDep) -> Response:
    """The saved avatars (name, kind, version, learned when and from what: n, buyers, AUC
    with its interval), and a form to learn one from the workspace's accounts."""
    return render(request, "avatars.html", _list_page(request, session))


@router.post("/avatars/learn", summary="Learn the avatar from my accounts", dependencies=[WRITE])
def learn_page(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Learn from the workspace's accounts (buyers: a won deal; the others: every deal
    lost) and save under the name given; refused with the evidence guard's words."""
    name = str(form.get("name") or "").strip()
    try:
        learn_request: LearnRequest = build_request(
            save=name or None, force=form.get("force") is not None
        )
        if not name:
            raise InvalidValueError("give the avatar a name to save it under, e.g. icp")
        learned = learn_avatar(session, learn_request)
    except BuyermapError as exc:
        context = _list_page(request, session, message=exc.message, name=name)
        status = exc.http_status if exc.http_status >= 400 else 422
        raise FormRejectedError(
            render(request, "avatars.html", context, status_code=status)
        ) from exc
    assert learned.avatar is not None
    return RedirectResponse(f"/avatars/{quote(learned.avatar.name)}", status_code=303)


@router.get("/avatars/mutual", summary="Fit both ways")
def mutual_page(request: Request, session: SessionDep) -> Response:
    """Every account with supplier criteria: how well they fit us (the avatar's fit)
    against how well we fit them (their criteria we meet), as a quadrant chart and a
    table; the document ``GET /api/v1/avatar/mutual`` answers."""
    doc = mutual(session)
    data = doc.model_dump(mode="json")
    titles = {
        a.account_id: (
            f"{a.name}: they fit us {a.fit:.0f} of 100, we fit them {a.we_fit_them:.0f} of 100"
        )
        for a in doc.accounts
        if a.fit is not None and a.we_fit_them is not None
    }
    svg = charts.point_titles(
        to_svg(charts.quadrant(data), title="They fit us against we fit them"), titles
    )
    rows = [
        (
            a,
            charts.quadrant_of(a.fit, a.we_fit_them)
            if a.fit is not None and a.we_fit_them is not None
            else None,
        )
        for a in doc.accounts
    ]
    return render(
        request,
        "avatar_mutual.html",
        {"doc": doc, "svg": svg, "rows": rows, "plotted": len(titles), "tier_words": tier_words},
    )


def _overview_context(
    session: Session, name: str, version: int | None, **extra: Any
) -> dict[str, Any]:
    found = overview(session, name=name, version=version)
    doc = found.document
    svgs: dict[str, str] = {}
    if doc is not None:
        data = doc.model_dump(mode="json")
        svgs = {key: to_svg(draw(data), title=title) for key, (draw, title) in CHARTS.items()}
    return {
        "o": found,
        "columns": avatar_columns(found.avatar),
        "a": found.avatar,
        "doc": doc,
        "svgs": svgs,
        "auc_words": auc_words(doc.auc, doc.auc_interval) if doc else None,
        "drift_words": drift_words(doc.drift) if doc else None,
        "trait_label": charts.trait_label,
        "odds_words": charts.odds_words,
        "tier_words": tier_words,
        "encodings": ENCODINGS,
        "version_q": "" if version is None else f"?version={version}",
        "prospect_message": None,
        **extra,
    }


@router.get("/avatars/{name}", summary="A customer avatar")
def avatar_page(
    request: Request, session: SessionDep, name: NameParam, version: VersionParam = None
) -> Response:
    """What the avatar learned: traits with their effects, buyers and lift by tier,
    reliability, base-rate drift, the cross-validated AUC in words, warnings and the
    rules it proposes; score all accounts; download the scores; score a prospect file."""
    return render(request, "avatar.html", _overview_context(session, name, version))


@router.post("/avatars/{name}/score", summary="Score all accounts", dependencies=[WRITE])
def score_page(session: SessionDep, name: NameParam, version: VersionParam = None) -> Response:
    """Score every account with the avatar (stored; the accounts list shows it); back to
    the avatar's page."""
    scored = score_avatar(session, name=name, version=version)
    query = f"?version={version}" if version is not None else ""
    return RedirectResponse(
        f"/avatars/{quote(scored.document.avatar)}{query}#scores", status_code=303
    )


def _prospect_context(
    session: Session,
    settings: Settings,
    name: str,
    version: int | None,
    upload: Upload,
    encoding: str,
    id_column: str,
    message: str | None = None,
) -> dict[str, Any]:
    context = _overview_context(session, name, version)
    read = preview_prospects(
        session,
        avatar=name,
        version=version,
        path=upload.path,
        name=upload.name,
        encoding=encoding or None,
    )
    context.update(
        {
            "upload": upload,
            "prospects": read.file,
            "used": read.used,
            "missing": read.missing,
            "encoding": encoding,
            "id_column": id_column,
            "message": message,
        }
    )
    return context


def _refuse_upload(
    request: Request, session: Session, name: str, version: int | None, exc: BuyermapError
) -> FormRejectedError:
    context = _overview_context(session, name, version, prospect_message=exc.message)
    return FormRejectedError(render(request, "avatar.html", context, status_code=exc.http_status))


@router.post(
    "/avatars/{name}/prospects",
    summary="Upload a prospect file to score",
    dependencies=[COMPUTES_ONLY],
)
async def prospects_upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: NameParam,
    file: UploadFile,
    version: VersionParam = None,
) -> Response:
    """Step 1: keep the file and show its columns and first rows; choose the id column."""
    form = await request.form()
    encoding = str(form.get("encoding") or "")
    try:
        upload = await save_upload(settings, file)
        context = _prospect_context(session, settings, name, version, upload, encoding, "")
    except BuyermapError as exc:
        raise _refuse_upload(request, session, name, version, exc) from exc
    return render(request, "avatar_prospects.html", context)


@router.post(
    "/avatars/{name}/prospects/{token}",
    summary="Download a prospect file scored",
    dependencies=[COMPUTES_ONLY],
)
async def prospects_scored(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: NameParam,
    token: str,
    form: FormDep,
    version: VersionParam = None,
) -> Response:
    """Step 2: the same file with fit, probability, tier and reasons added, as CSV or
    XLSX (``format``); nothing is imported. A bad choice shows the preview again."""
    encoding = str(form.get("encoding") or "")
    id_column = str(form.get("id_column") or "")
    fmt = "xlsx" if form.get("format") == "xlsx" else "csv"
    try:
        upload = find_upload(settings, token)
    except BuyermapError as exc:
        raise _refuse_upload(request, session, name, version, exc) from exc
    try:
        scored = score_prospects(
            session,
            avatar=name,
            version=version,
            path=upload.path,
            name=upload.name,
            encoding=encoding or None,
            id_column=id_column or None,
        )
    except BuyermapError as exc:
        context = _prospect_context(
            session, settings, name, version, upload, encoding, id_column, exc.message
        )
        raise FormRejectedError(
            render(request, "avatar_prospects.html", context, status_code=exc.http_status)
        ) from exc
    stem = upload.name.rsplit(".", 1)[0] or "prospects"
    filename = f"{stem}-scored.{fmt}"
    return Response(
        scored_bytes(scored.table, fmt, title="Scored"),
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="scored.{fmt}"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )
