"""``/import``: upload a file, preview its mapping (the import's dry run), import it, read
the report and download the rejected rows (quarantine) of any past import.

The uploaded file is kept between the preview and the import under a random token
(:mod:`buyermap.web.uploads`); the client sends back only the token. The import runs in
the request's transaction: a refused file (rows rejected, "import the valid rows" off)
writes no record, only its :class:`~buyermap.db.models.ImportRun` with the quarantine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from buyermap.db.models import ImportRun
from buyermap.domain.enums import EntityKind
from buyermap.errors import BuyermapError, InvalidValueError
from buyermap.io.importer import ON_DUPLICATE, ImportOptions, import_file
from buyermap.io.mapping import IGNORE, list_mappings
from buyermap.io.presets import PRESETS
from buyermap.io.preview import field_words, preview_file
from buyermap.io.readers import RawTable
from buyermap.io.retry import every_row_quarantine, retry_options, retry_table, retry_text
from buyermap.io.validate import PLACEHOLDERS
from buyermap.services.import_runs import get_import_run, list_import_runs
from buyermap.settings import Settings
from buyermap.web.deps import WRITE, SessionDep, SettingsDep
from buyermap.web.templating import render
from buyermap.web.uploads import Upload, discard, find_upload, save_upload, store_text

router = APIRouter()

ENTITIES = {
    EntityKind.ACCOUNTS: "Accounts (companies)",
    EntityKind.CONTACTS: "Contacts (people)",
    EntityKind.DEALS: "Deals",
    EntityKind.STAGE_HISTORY: "Stage history (moves of deals between stages)",
    EntityKind.SUPPLIER_CRITERIA: "Supplier criteria of buyers (what they ask of a supplier)",
    EntityKind.COMMITTEE: "Buying committees (who decides on a deal or at an account)",
    EntityKind.KNOWLEDGE: "Account knowledge (what we know of a company and its decision makers)",
    EntityKind.TOUCHPOINTS: "Touchpoints (who read or watched which content, and when)",
    EntityKind.RELATIONSHIPS: "Ties between people (reports to, ally, rival, ...)",
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


def _text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default


def choices_of(form: FormData, *, mapping: bool = False) -> Choices:
    """What the user chose on the upload or preview form (``mapping``: the upload form's
    saved mapping; the preview sends a choice per column instead)."""
    return Choices(
        entity=_text(form, "entity"),
        preset=_text(form, "preset"),
        encoding=_text(form, "encoding"),
        on_duplicate=_text(form, "on_duplicate", "update"),
        partial=form.get("partial") is not None,
        create_stages=form.get("create_stages") is not None,
        blanks=_text(form, "blanks"),
        mapping=_text(form, "mapping") if mapping else "",
        save_mapping="" if mapping else _text(form, "save_mapping"),
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


@router.post("/import", summary="Upload a file to import", dependencies=[WRITE])
async def upload_file(
    request: Request, session: SessionDep, settings: SettingsDep, file: UploadFile
) -> Response:
    """Step 1: keep the file under a token and show its mapping preview (a dry run)."""
    choices = choices_of(await request.form(), mapping=True)
    try:
        upload = await save_upload(settings, file)
        return _show_preview(request, session, settings, upload, choices, None)
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)


def _columns(form: FormData) -> dict[str, str]:
    """The per-column choices of the preview (``map_<i>``: a field or ``-``)."""
    raw = _text(form, "columns_n", "0")
    header_size = int(raw) if raw.isdigit() else 0
    chosen: dict[str, str] = {}
    for i in range(header_size):
        value = form.get(f"map_{i}")
        column = form.get(f"col_{i}")
        if isinstance(value, str) and isinstance(column, str):
            chosen[column] = value or IGNORE
    return chosen


@router.post("/import/{token}/preview", summary="Preview again", dependencies=[WRITE])
async def repreview(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """The preview with the user's mapping (a select per column) and options."""
    form = await request.form()
    choices = choices_of(form)
    try:
        upload = find_upload(settings, token)
        return _show_preview(request, session, settings, upload, choices, _columns(form))
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)


def _import_upload(
    session: Session, upload: Upload, entity: str, options: ImportOptions
) -> ImportRun:
    """Import a kept upload (the report's run keeps the file's name); the upload goes."""
    options.record_refused = True
    options.quarantine = upload.path.parent / "quarantine.csv"
    report = import_file(session, entity=_entity(entity), path=upload.path, options=options)
    assert report.import_run_id is not None
    run = get_import_run(session, run_id=report.import_run_id)
    run.file_name = upload.name[:500]
    discard(upload)
    return run


@router.post("/import/{token}/run", summary="Import the file", dependencies=[WRITE])
async def run_import(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """Step 2: import the file with the previewed mapping; then its report."""
    form = await request.form()
    choices = choices_of(form)
    try:
        upload = find_upload(settings, token)
        run = _import_upload(session, upload, choices.entity, choices.options(_columns(form)))
    except BuyermapError as exc:
        return _refused(request, session, settings, exc, choices)
    return RedirectResponse(f"/import/runs/{run.id}", status_code=303)


@router.get("/import/runs/{run_id}", summary="Import report")
def report_page(request: Request, session: SessionDep, run_id: int) -> Response:
    """What an import did: counts, the mapping, the rejected rows with their reasons, and
    those rows as a table to fix in place and import again."""
    run = get_import_run(session, run_id=run_id)
    retry = None
    if run.quarantine_csv:
        retry = retry_table(run.quarantine_csv, run.report.get("errors", []))
    return render(
        request,
        "import_report.html",
        {
            "run": run,
            "report": run.report,
            "entity_words": ENTITIES.get(EntityKind(run.entity), run.entity),
            "field_words": field_words,
            "retry": retry,
        },
    )


@router.post("/import/runs/{run_id}/retry", summary="Import fixed rows", dependencies=[WRITE])
async def retry_rows(
    request: Request, session: SessionDep, settings: SettingsDep, run_id: int
) -> Response:
    """Import the rejected rows as fixed in the report's table (``cell.<row>.<column>``)
    as a file of their own, with the original import's kind and options; then its report,
    where rows still bad come back in the same table."""
    run = get_import_run(session, run_id=run_id)
    if not run.quarantine_csv:
        raise InvalidValueError(
            f"import {run_id} ({run.file_name}) has no rejected rows kept to fix; "
            "upload the file again at /import"
        )
    table = retry_table(run.quarantine_csv, run.report.get("errors", []))
    form = await request.form()
    rows = [
        [_text(form, f"cell.{r}.{c}", cell).strip() for c, cell in enumerate(row.cells)]
        for r, row in enumerate(table.rows)
    ]
    stem = run.file_name.rsplit(".", 1)[0] or "import"
    upload = store_text(settings, f"{stem} (fixed rows).csv", retry_text(table.header, rows))
    fixed = _import_upload(session, upload, run.entity, retry_options(run.report))
    if not fixed.report.get("committed") and fixed.rejected:
        # refused as a whole: every row comes back to the table, the bad ones marked
        fixed.quarantine_csv = every_row_quarantine(
            RawTable(table.header, rows, lines=list(range(2, len(rows) + 2)), format="csv"),
            fixed.report.get("errors", []),
        )
    return RedirectResponse(f"/import/runs/{fixed.id}", status_code=303)


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
