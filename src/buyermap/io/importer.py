"""The import use case: read a file, map and validate its columns, then write all or nothing.

:func:`import_file` takes the session and does not commit: the caller owns the transaction,
so a crash or a kill in the middle leaves the workspace as it was.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from buyermap.db.models import ImportRun
from buyermap.domain.enums import EntityKind
from buyermap.errors import InvalidValueError
from buyermap.io import committee as committee_io
from buyermap.io import criteria as criteria_io
from buyermap.io import deals as deal_io
from buyermap.io import knowledge as knowledge_io
from buyermap.io import records as record_io
from buyermap.io import relationships as ties_io
from buyermap.io import touchpoints as touchpoint_io
from buyermap.io.bulk import import_tuning
from buyermap.io.context import Ctx
from buyermap.io.fields import ENTITY_WORD, field_specs
from buyermap.io.mapping import (
    custom_defs,
    load_mapping,
    resolve_mapping,
    save_mapping,
    suggestions,
)
from buyermap.io.presets import PRESETS, detect_preset
from buyermap.io.quality import DATE_FIELDS, reject_shifted, report_superseded, workspace_systems
from buyermap.io.readers import RawTable, read_table
from buyermap.io.report import QUARANTINE_COLUMNS, ImportReport, Rejection, write_quarantine
from buyermap.io.validate import PLACEHOLDERS, blank_placeholders, validate_frame

ON_DUPLICATE = ("update", "skip")
# Quarantine text kept in the workspace (``ImportRun.quarantine_csv``) up to this size.
MAX_QUARANTINE_TEXT = 20_000_000


@dataclass
class ImportOptions:
    encoding: str | None = None
    preset: str | None = None
    mapping: str | None = None  # a saved mapping's name or a JSON file
    columns: dict[str, str] | None = None  # an explicit mapping (wins over ``mapping``)
    save_mapping: str | None = None
    on_duplicate: str = "update"
    partial: bool = False
    dry_run: bool = False
    create_stages: bool = False
    # cells holding only one of these are blank (case-insensitive); None: the defaults
    blanks: tuple[str, ...] | None = None
    quarantine: Path | None = None
    # store an ImportRun (with its quarantine) also when the file was refused (the web's
    # report and quarantine download); the CLI rolls a refused file back instead
    record_refused: bool = False
    # progress(done, total): called while writing
    progress: Callable[[int, int], None] | None = None


def quarantine_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.quarantine.csv")


def _frame(table: RawTable, ragged: dict[int, str]) -> pl.DataFrame:
    """The rows as a frame of text columns; rows with more values than the header are
    rejected (unless the surplus is blank), shorter ones padded with blanks."""
    width = len(table.header)
    rows: list[list[str]] = table.rows
    if any(len(row) != width for row in rows):
        rows = []
        for r, row in enumerate(table.rows):
            if len(row) > width and any(c.strip() for c in row[width:]):
                ragged[r] = (
                    f"row has {len(row)} values but the header has {width} columns; "
                    f"extra values {row[width:][:3]!r}"
                )
            rows.append((row + [""] * width)[:width])
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    return pl.DataFrame(
        {
            name: pl.Series(name, col, dtype=pl.String)
            for name, col in zip(table.header, columns, strict=True)
        }
    )


def _extras(frame: pl.DataFrame, unmapped: list[str]) -> list[dict[str, str]]:
    """Per row, the non-empty cells of the columns mapped to nothing."""
    if not unmapped:
        return [{} for _ in range(frame.height)]
    cols = [(name, frame[name].to_list()) for name in unmapped]
    return [{name: vals[r] for name, vals in cols if vals[r] != ""} for r in range(frame.height)]


def _check_required(
    path: Path, entity: EntityKind, mapping: dict[str, str], header: list[str]
) -> None:
    targets = set(mapping.values())
    for spec in field_specs(entity).values():
        if spec.required and spec.name not in targets:
            aliases = ", ".join(repr(a) for a in (spec.name, *spec.aliases[:4]))
            raise InvalidValueError(
                f"{path.name!r}: no column maps to the required field {spec.name!r} of "
                f"{entity.value}; the header has {', '.join(map(repr, header))}. Name a "
                f"column {aliases}, or map one with --mapping (a JSON file "
                f'{{"your column": "{spec.name}"}})'
            )


def _new_report(
    entity: EntityKind,
    path: Path,
    table: RawTable,
    opts: ImportOptions,
    *,
    preset: str | None,
    mapping: dict[str, str],
) -> ImportReport:
    left_out = _quarantine_columns(table.header)
    report = ImportReport(
        entity=entity.value,
        file=str(path),
        rows_read=len(table.rows),
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        preset=preset,
        system=preset or "import",
        mapping=mapping,
        unmapped_columns=[h for h in table.header if h not in mapping and h not in left_out],
        dry_run=opts.dry_run,
        partial=opts.partial,
        on_duplicate=opts.on_duplicate,
        create_stages=opts.create_stages,
        blanks=list(opts.blanks) if opts.blanks is not None else None,
        notes=list(table.notes),
    )
    if left_out:
        report.notes.append(
            "a quarantine file: its columns "
            + ", ".join(sorted(left_out, key=table.header.index))
            + " (where and why rows were rejected before) were left out"
        )
    return report


def _quarantine_columns(header: list[str]) -> set[str]:
    """The columns a quarantine file added (``_row`` .. ``_reason`` at its end), when the
    header ends with them: re-importing a fixed quarantine file does not keep them."""
    n = len(QUARANTINE_COLUMNS)
    return set(QUARANTINE_COLUMNS) if tuple(header[-n:]) == QUARANTINE_COLUMNS else set()


PLANNERS: dict[EntityKind, tuple[Callable[[Ctx], Any], Callable[[Ctx, Any], None]]] = {
    EntityKind.ACCOUNTS: (record_io.plan_accounts, record_io.write_accounts),
    EntityKind.CONTACTS: (record_io.plan_contacts, record_io.write_contacts),
    EntityKind.DEALS: (deal_io.plan_deals, deal_io.write_deals),
    EntityKind.STAGE_HISTORY: (deal_io.plan_history, deal_io.write_history),
    EntityKind.SUPPLIER_CRITERIA: (criteria_io.plan_criteria, criteria_io.write_criteria),
    EntityKind.COMMITTEE: (committee_io.plan_committee, committee_io.write_committee),
    EntityKind.KNOWLEDGE: (knowledge_io.plan_knowledge, knowledge_io.write_knowledge),
    EntityKind.TOUCHPOINTS: (touchpoint_io.plan_touchpoints, touchpoint_io.write_touchpoints),
    EntityKind.RELATIONSHIPS: (ties_io.plan_relationships, ties_io.write_relationships),
}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of row lists and tuples are alive: each
    collection walks all of them, so with it on the time per row grows with the file. The
    import makes no reference cycles worth collecting; reference counting frees the rest."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _choose_preset(
    session: Session, entity: EntityKind, header: list[str], forced: str | None
) -> tuple[str | None, str | None]:
    """The preset (and so the id system) of a file, and a note when the workspace decided.

    Forced with ``--preset``; else detected from the headers only one CRM writes. A file
    that shows no CRM keeps to the one system earlier files of its kind came from; a file
    that looks like another CRM than those is refused, so ids of two systems never mix by
    accident."""
    if forced is not None:
        return forced, None
    detected = detect_preset(header)
    earlier = workspace_systems(session, entity)
    known = sorted(earlier & set(PRESETS))
    if detected is None:
        if len(known) == 1:
            return known[0], (
                f"kept to {known[0]}: earlier {entity.value} files of this workspace came "
                f"from {known[0]}, so this file's ids are matched as {known[0]} ids "
                "(give --preset to choose another)"
            )
        return None, None
    if known and detected not in known:
        raise InvalidValueError(
            f"this file looks like a {detected} export, but this workspace's {entity.value} "
            f"came from {', '.join(known)}: ids of the two systems would not match and the "
            f"records would be duplicated. Give --preset {detected} to import it as "
            f"{detected} records, or --preset {known[0]} to match it as {known[0]} ids"
        )
    return detected, None


def import_file(
    session: Session, *, entity: EntityKind, path: Path, options: ImportOptions | None = None
) -> ImportReport:
    """Import one file. Returns the report; when rows are rejected and ``partial`` is off,
    nothing is written (``report.ok`` is False). Does not commit."""
    with _gc_paused():
        return _import_file(session, entity=entity, path=path, options=options)


def _import_file(
    session: Session, *, entity: EntityKind, path: Path, options: ImportOptions | None
) -> ImportReport:
    opts = options or ImportOptions()
    started = time.perf_counter()
    if opts.on_duplicate not in ON_DUPLICATE:
        raise InvalidValueError(f"unknown --on-duplicate {opts.on_duplicate!r}; use update or skip")
    if opts.preset is not None and opts.preset not in PRESETS:
        raise InvalidValueError(f"unknown preset {opts.preset!r}; valid: {', '.join(PRESETS)}")
    table = read_table(path, encoding=opts.encoding)
    if not table.header:  # an empty file: nothing to map, nothing to import
        report = _new_report(entity, path, table, opts, preset=opts.preset, mapping={})
        report.seconds = round(time.perf_counter() - started, 3)
        return report
    preset, preset_note = _choose_preset(session, entity, table.header, opts.preset)
    customs = custom_defs(session, entity)
    explicit = dict(opts.columns) if opts.columns else None
    if explicit is None and opts.mapping:
        explicit = load_mapping(session, entity=entity, ref=opts.mapping)
    mapping = resolve_mapping(
        entity, table.header, preset=preset, explicit=explicit, customs=customs
    )
    _check_required(path, entity, mapping, table.header)
    specs = field_specs(entity)
    report = _new_report(entity, path, table, opts, preset=preset, mapping=mapping)
    if preset_note:
        report.notes.append(preset_note)
    report.date_columns = {
        target: column for column, target in mapping.items() if target in DATE_FIELDS
    }
    report.suggestions = suggestions(entity, report.unmapped_columns, customs)
    ragged: dict[int, str] = {}
    frame = blank_placeholders(
        _frame(table, ragged), PLACEHOLDERS if opts.blanks is None else opts.blanks
    )
    validated = validate_frame(frame, mapping=mapping, specs=specs, customs=customs)
    for r, reason in ragged.items():
        validated.errors.setdefault(r, []).append(("", reason))
    reject_shifted(validated, mapping)
    extras = _extras(frame, report.unmapped_columns)
    del frame
    total = len(table.rows)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if opts.progress is not None:
            opts.progress(min(done, total), total)

    ctx = Ctx(
        session=session,
        entity=ENTITY_WORD[entity],
        system=report.system,
        on_duplicate=opts.on_duplicate,
        n=total,
        v=validated,
        extra=extras,
        advance=advance,
        headers={target: column for column, target in mapping.items()},
        create_stages=opts.create_stages,
    )
    plan_fn, write_fn = PLANNERS[entity]
    plan = plan_fn(ctx)
    report.notes.extend(ctx.notes)
    quarantined = report_superseded(ctx, table, report)
    errors = validated.errors
    report.rejected = len(errors)
    report.errors = [
        Rejection(row=i + 1, line=table.lines[i], column=c or None, reason=r)
        for i in sorted(errors)[:200]
        for c, r in errors[i]
    ]
    reasons: dict[str, int] = {}
    for reason in ctx.skipped.values():
        key = next((k for k in ("superseded", "duplicate") if reason.startswith(k)), reason)
        reasons[key] = reasons.get(key, 0) + 1
    report.skipped_reasons = reasons
    writes = not opts.dry_run and (report.rejected == 0 or opts.partial)
    if report.rejected and not opts.partial:
        report.skipped = total - report.rejected
    else:
        report.imported = len(plan.inserts)
        report.updated = len(plan.updates)
        report.skipped = len(ctx.skipped)
    if writes:
        with import_tuning(session):
            write_fn(ctx, plan)
        if opts.save_mapping:
            save_mapping(session, name=opts.save_mapping, entity=entity, columns=mapping)
        report.committed = True
    qtext: str | None = None
    if (errors or quarantined) and not opts.dry_run:
        qpath = opts.quarantine or quarantine_path_for(path)
        qtext = write_quarantine(qpath, table, {**quarantined, **errors})
        report.quarantine_path = str(qpath)
        if len(qtext) > MAX_QUARANTINE_TEXT:
            report.notes.append(
                f"the quarantine ({len(qtext):,} characters) is too large to keep in the "
                f"workspace; it is in {qpath.name!r} only"
            )
            qtext = None
    report.seconds = round(time.perf_counter() - started, 3)
    report.check()
    if writes or (opts.record_refused and not opts.dry_run):
        run = ImportRun(
            entity=entity.value,
            file_name=path.name[:500],
            file_sha256=table.sha256,
            rows_read=report.rows_read,
            imported=report.imported,
            updated=report.updated,
            skipped=report.skipped,
            rejected=report.rejected,
            report=report.to_dict(),
            quarantine_csv=qtext,
        )
        session.add(run)
        session.flush()
        report.import_run_id = run.id
    return report
