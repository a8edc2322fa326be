"""``/import``: upload a file, preview its mapping (the import's dry run), import it, read
the report and download the rejected rows (quarantine) of any past import.

The uploaded file is kept between the preview and the import under a random token
(:mod:`buyermap.web.uploads`); the client sends back only the token. The import runs in
the request's transaction: a refused file (rows rejected, "import the valid rows" off)
writes no record, only its :class:`~buyermap.db.models.ImportRun` with the quarantine.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from buyermap.domain.enums import EntityKind
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.io.importer import ON_DUPLICATE, ImportOptions, import_file
from buyermap.io.mapping import IGNORE, list_mappings
from buyermap.io.presets import PRESETS
from buyermap.io.preview import field_words, preview_file
from buyermap.io.validate import PLACEHOLDERS
from buyermap.services.import_runs import get_import_run, list_import_runs
from buyermap.settings import Settings
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.templating import render
from buyermap.web.uploads import Upload, discard, find_upload, save_upload

router = APIRouter()

ENTITIES = {
    EntityKind.ACCOUNTS: "Accounts (companies)",
    EntityKind.CONTACTS: "Contacts (people)",
    EntityKind.DEALS: "Deals",
    EntityKind.STAGE_HISTORY: "Stage history (moves of deals between stages)",
    EntityKind.SUPPLIER_CRITERIA: "Supplier criteria of buyers (what they ask of a supplier)",
}
PRESET_WORDS = {"": "Detect from the columns", **{p: p.capitalize() for p in PRESETS}}
PRESET_WORDS = {k: ("HubSpot" if k == "hubspot" else v) for k, v in PRESET_WORDS.items()}
ENCODINGS = {
    "": "Detect",
    "utf-8": "UTF-8 (also with BOM)",
    "cp1250": "Windows Central European (cp1250)",
    "cp1252": "Windows Western (cp1252)",
    "iso-8859-2": "ISO Latin-2 (iso-8859-2)",
    "cp1257": "Windows Baltic (cp1257)",
    "utf-16": "UTF-16",
}
DUPLICATE_WORDS = {"update": "Update them with the file's values", "skip": "Leave them as they are"}
ACTIONS = {"imported": "added", "updated": "updated", "skipped": "unchanged or skipped"}


def _entity(value: str) -> EntityKind:
    try:
        return EntityKind(value)
    except ValueError:
        raise InvalidValueError(
            f"unknown kind of records {value!r}; choose one of "
            + ", ".join(e.value for e in EntityKind)
        ) from None


class Choices:
    """What the user chose on the form (kept across preview and import)."""

    def __init__(
        self,
        *,
        entity: str,
        preset: str,
        encoding: str,
        on_duplicate: str,
        partial: bool,
        create_stages: bool,
        blanks: str,
        mapping: str = "",
        save_mapping: str = "",
    ) -> None:
        self.entity = entity
        self.preset = preset
        self.encoding = encoding
        self.on_duplicate = on_duplicate
        self.partial = partial
        self.create_stages = create_stages
        self.blanks = blanks
        self.mapping = mapping
        self.save_mapping = save_mapping

    def options(self, columns: dict[str, str] | None = None) -> ImportOptions:
        if self.on_duplicate not in ON_DUPLICATE:
            raise InvalidValueError(
                f"unknown choice for existing records {self.on_duplicate!r}; use update or skip"
            )
        blanks = None
        if self.blanks.strip():
            blanks = tuple(b.strip() for b in self.blanks.split(",") if b.strip())
        return ImportOptions(
            encoding=self.encoding or None,
            preset=self.preset or None,
            mapping=None if columns else (self.mapping or None),
            columns=columns or None,
            save_mapping=self.save_mapping.strip() or None,
            on_duplicate=self.on_duplicate,
            partial=self.partial,
            create_stages=self.create_stages,
            blanks=blanks,
        )


def _form_context(session: Session, settings: Settings) -> dict[str, Any]:
    return {
        "entities": ENTITIES,
        "presets": PRESET_WORDS,
        "encodings": ENCODINGS,
        "duplicates": DUPLICATE_WORDS,
        "default_blanks": ", ".join(PLACEHOLDERS),
        "saved_mappings": list_mappings(session),
        "runs": list_import_runs(session),
        "limit_mb": settings.upload_max_mb,
        "actions": ACTIONS,
    }


def _choices(
    entity: str,
    preset: str,
    encoding: str,
    on_duplicate: str,
    partial: str | None,
    create_stages: str | None,
    blanks: str,
    mapping: str = "",
    save_mapping: str = "",
) -> Choices:
    return Choices(
        entity=entity,
        preset=preset,
        encoding=encoding,
        on_duplicate=on_duplicate,
        partial=partial is not None,
        create_stages=create_stages is not None,
        blanks=blanks,
        mapping=mapping,
        save_mapping=save_mapping,
    )


@router.get("/import", summary="Import")
def import_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Upload a CSV or XLSX export and choose what it holds; the list of past imports."""
    context = _form_context(session, settings)
    context.update({"choices": None, "message": None})
    return render(request, "imports.html", context)


def _show_preview(
    request: Request,
    session: Session,
    settings: Settings,
    upload: Upload,
    choices: Choices,
    columns: dict[str, str] | None,
) -> Response:
    entity = _entity(choices.entity)
    preview = preview_file(
        session, entity=entity, path=upload.path, options=choices.options(columns)
    )
    context = _form_context(session, settings)
    context.update(
        {
            "upload": upload,
            "choices": choices,
            "entity_words": ENTITIES[entity],
            "preview": preview,
            "report": preview.report,
            "ignore": IGNORE,
            "field_words": field_words,
            "message": None,
        }
    )
    return render(request, "import_preview.html", context)


def _refused(
    request: Request, session: Session, settings: Settings, exc: BuyermapError, choices: Any
) -> Response:
    context = _form_context(session, settings)
    context.update({"choices": choices, "message": exc.message})
    return render(request, "imports.html", context, status_code=exc.http_status)


Choice = Annotated[str, Form()]
Check = Annotated[str | None, Form()]


@router.post("/import", summary="Upload a file to import", dependencies=[WRITE])
async def upload_file(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile,
    entity: Choice,
    preset: Choice = "",
    encoding: Choice = "",
    on_duplicate: Choice = "update",
    blanks: Choice = "",
    mapping: Choice = "",
    partial: Check = None,
    create_stages: Check = None,
) -> Response:
    """Step 1: keep the file under a token and show its mapping preview (a dry run)."""
    choices = _choices(
        entity, preset, encoding, on_duplicate, partial, create_stages, blanks, mapping
    )
    try:
        upload = await save_upload(settings, file)
        return _show_preview(request, session, settings, upload, choices, None)
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)


async def _columns(request: Request, header_size: int) -> dict[str, str]:
    """The per-column choices of the preview (``map_<i>``: a field or ``-``)."""
    form = await request.form()
    chosen: dict[str, str] = {}
    for i in range(header_size):
        value = form.get(f"map_{i}")
        column = form.get(f"col_{i}")
        if isinstance(value, str) and isinstance(column, str):
            chosen[column] = value or IGNORE
    return chosen


@router.post("/import/{token}/preview", summary="Preview again", dependencies=[WRITE])
async def repreview(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    entity: Choice,
    preset: Choice = "",
    encoding: Choice = "",
    on_duplicate: Choice = "update",
    blanks: Choice = "",
    columns_n: Annotated[int, Form()] = 0,
    partial: Check = None,
    create_stages: Check = None,
    save_mapping: Choice = "",
) -> Response:
    """The preview with the user's mapping (a select per column) and options."""
    choices = _choices(
        entity, preset, encoding, on_duplicate, partial, create_stages, blanks, "", save_mapping
    )
    try:
        upload = find_upload(settings, token)
        columns = await _columns(request, columns_n)
        return _show_preview(request, session, settings, upload, choices, columns)
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)


@router.post("/import/{token}/run", summary="Import the file", dependencies=[WRITE])
async def run_import(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    entity: Choice,
    preset: Choice = "",
    encoding: Choice = "",
    on_duplicate: Choice = "update",
    blanks: Choice = "",
    columns_n: Annotated[int, Form()] = 0,
    partial: Check = None,
    create_stages: Check = None,
    save_mapping: Choice = "",
) -> Response:
    """Step 2: import the file with the previewed mapping; then its report."""
    choices = _choices(
        entity, preset, encoding, on_duplicate, partial, create_stages, blanks, "", save_mapping
    )
    try:
        upload = find_upload(settings, token)
        columns = await _columns(request, columns_n)
        options = choices.options(columns)
        options.record_refused = True
        options.quarantine = upload.path.parent / "quarantine.csv"
        report = import_file(session, entity=_entity(entity), path=upload.path, options=options)
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)
    assert report.import_run_id is not None
    run = get_import_run(session, run_id=report.import_run_id)
    run.file_name = upload.name[:500]
    discard(upload)
    return RedirectResponse(f"/import/runs/{run.id}", status_code=303)


@router.get("/import/runs/{run_id}", summary="Import report")
def report_page(request: Request, session: SessionDep, run_id: int) -> Response:
    """What an import did: counts, the mapping, the rejected rows with their reasons."""
    run = get_import_run(session, run_id=run_id)
    return render(
        request,
        "import_report.html",
        {
            "run": run,
            "report": run.report,
            "entity_words": ENTITIES.get(EntityKind(run.entity), run.entity),
            "field_words": field_words,
        },
    )


@router.get("/import/runs/{run_id}/quarantine.csv", summary="Rejected rows of an import")
def quarantine_csv(session: SessionDep, run_id: int) -> Response:
    """The rejected rows as read plus where and why (``_row``, ``_line``, ``_column``,
    ``_reason``): fix them and upload the file again; those columns are left out then."""
    run = get_import_run(session, run_id=run_id)
    if run.quarantine_csv is None:
        raise InvalidValueError(
            f"import {run_id} ({run.file_name}) rejected no rows, so it has no quarantine file"
        )
    stem = run.file_name.rsplit(".", 1)[0] or "import"
    return Response(
        "\ufeff" + run.quarantine_csv,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="quarantine.csv"; '
            f"filename*=UTF-8''{quote(stem + '.quarantine.csv')}"
        },
    )
