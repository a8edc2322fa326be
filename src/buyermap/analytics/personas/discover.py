"""The use case: a frozen query in, evidence-backed personas out (or a refusal)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.base import Provenance, hash_settings
from buyermap.analytics.personas.encoding import Encoded, encode
from buyermap.analytics.personas.model import LCAModel, posterior, single_threaded_blas
from buyermap.analytics.personas.profile import Persona, build_personas
from buyermap.analytics.personas.selection import (
    UNTRUSTED,
    Candidate,
    ProgressFn,
    choose_k,
)
from buyermap.analytics.personas.variables import Selection, choose_variables
from buyermap.errors import InsufficientEvidenceError, PersonaInputError

ANALYSIS = "personas.discover"
ROWS_PER_VARIABLE = 10  # hard floor
MIN_ROWS = 100  # hard floor
RECOMMENDED_PER_VARIABLE = 70  # Dolnicar, Grün, Leisch & Schmidt (2014)


@dataclass(frozen=True)
class DiscoverQuery:
    """What to discover personas from and how; data, so it can be saved and replayed."""

    id_column: str | None = None
    variables: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    describe: tuple[str, ...] = ()
    role_column: str | None = None
    k: int | None = None
    k_max: int = 8
    min_share: float = 0.05
    quote_column: str | None = None
    seed: int = 0
    force: bool = False
    n_init: int = 10
    n_boot: int = 10
    fit_rows: int = 20_000
    stability_rows: int = 3_000

    def settings(self) -> dict[str, Any]:
        return asdict(self)


def required_rows(n_variables: int) -> int:
    return max(MIN_ROWS, ROWS_PER_VARIABLE * n_variables)


def refusal_message(n_variables: int, n_rows: int, where: str = "the input") -> str:
    return (
        f"persona discovery needs at least {required_rows(n_variables)} rows for "
        f"{n_variables} segmentation variables ({ROWS_PER_VARIABLE} per variable, at least "
        f"{MIN_ROWS}); {where} has {n_rows}. Add rows, segment on fewer variables "
        "(--variables), or use --force to run anyway with every persona marked low-evidence"
    )


@dataclass
class BucketResult:
    """Personas of one role bucket (or of all rows when there is no role column)."""

    bucket: str | None
    n: int
    k: int = 0
    personas: list[Persona] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    model: LCAModel | None = None
    refused: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "n": self.n,
            "k": self.k,
            "refused": self.refused,
            "reason": self.reason,
            "warnings": self.warnings,
            "personas": [p.to_dict() for p in self.personas],
            "selection": [c.to_dict() for c in self.candidates],
        }


@dataclass
class Assignments:
    """Per input row: its id, persona key (None when not assigned) and probability."""

    ids: pl.Series
    persona: np.ndarray  # object array of keys (None when not assigned)
    probability: np.ndarray
    warnings: list[str] = field(default_factory=list)

    def frame(self, id_column: str) -> pl.DataFrame:
        return pl.DataFrame(
            {
                id_column: self.ids,
                "persona": pl.Series(self.persona.tolist(), dtype=pl.Utf8),
                "probability": np.round(self.probability, 4),
            }
        )


@dataclass
class PersonaResult:
    """Personas, the evidence for k, warnings, and provenance (inputs hash, settings, version)."""

    query: DiscoverQuery
    provenance: Provenance
    variables: Selection
    n: int
    buckets: list[BucketResult]
    warnings: list[str]
    assignments: Assignments

    @property
    def personas(self) -> list[Persona]:
        return [p for b in self.buckets for p in b.personas]

    @property
    def k(self) -> int:
        return len(self.personas)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "k": self.k,
            "n": self.n,
            "personas": [p.to_dict() for p in self.personas],
            "selection": [
                {"bucket": b.bucket, **c.to_dict()} for b in self.buckets for c in b.candidates
            ],
            "reason": "; ".join(b.reason for b in self.buckets if b.reason),
            "warnings": self.warnings,
            "variables": self.variables.to_dict(),
            "provenance": self.provenance.to_dict(),
            "settings": self.query.settings(),
        }
        if self.query.role_column:
            out["buckets"] = [b.to_dict() for b in self.buckets]
        return out


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "bucket"


def _check_columns(table: pl.DataFrame, query: DiscoverQuery) -> None:
    for label, col in (
        ("--id-column", query.id_column),
        ("--role-column", query.role_column),
        ("--quote-column", query.quote_column),
    ):
        if col is not None and col not in table.columns:
            raise PersonaInputError(
                f"{label} {col!r} is not a column of the input; columns: {', '.join(table.columns)}"
            )
    if query.k is not None and not 1 <= query.k <= 20:
        raise PersonaInputError(f"--k must be 'auto' or between 1 and 20, not {query.k}")
    if not 0 <= query.min_share < 0.5:
        raise PersonaInputError(f"--min-share must be in [0, 0.5), not {query.min_share}")


def _fit_bucket(
    rows: pl.DataFrame,
    bucket: str | None,
    sel: Selection,
    query: DiscoverQuery,
    progress: ProgressFn | None,
    taken_names: set[str],
) -> tuple[BucketResult, np.ndarray, np.ndarray]:
    m = len(sel.bases)
    n = rows.height
    where = "the input" if bucket is None else f"bucket {bucket!r}"
    res = BucketResult(bucket=bucket, n=n)
    below_floor = n < required_rows(m)
    if below_floor and not query.force:
        raise InsufficientEvidenceError(
            refusal_message(m, n, where), details={"needed": required_rows(m), "rows": n}
        )
    if below_floor:
        res.warnings.append(
            f"{where}: forced below the evidence floor ({n} rows, {required_rows(m)} needed); "
            "every persona is marked low-evidence"
        )
    elif n < RECOMMENDED_PER_VARIABLE * m:
        res.warnings.append(
            f"{where}: {n} rows for {m} segmentation variables is under the "
            f"{RECOMMENDED_PER_VARIABLE} rows per variable ({RECOMMENDED_PER_VARIABLE * m}) "
            "recommended by Dolnicar et al. (2014); treat these personas as tentative"
        )
    enc = encode(rows, sel.bases)
    for name, count in enc.unseen.items():
        res.warnings.append(f"{where}: {count} values of {name!r} were unusable and left missing")
    rng = np.random.default_rng(query.seed)
    fit_enc: Encoded = enc
    if enc.n > query.fit_rows:
        fit_enc = enc.take(np.sort(rng.choice(enc.n, size=query.fit_rows, replace=False)))
        res.warnings.append(
            f"{where}: the model was fitted on a random sample of {query.fit_rows} of {n} rows; "
            "every row is assigned with the fitted model"
        )
    k_cap = max(1, min(query.k_max, n // 10))
    ks = [query.k] if query.k is not None else list(range(1, k_cap + 1))
    choice = choose_k(
        fit_enc,
        ks=ks,
        min_share=query.min_share,
        seed=query.seed,
        n_init=query.n_init,
        n_boot=query.n_boot,
        stability_rows=query.stability_rows,
        progress=progress,
    )
    res.warnings.extend(f"{where}: {w}" for w in choice.warnings)
    resp, _ = posterior(choice.model, enc)
    labels = resp.argmax(1)
    prob = resp[np.arange(n), labels]
    desc = encode(rows, sel.descriptors) if sel.descriptors else None
    quotes = rows[query.quote_column].cast(pl.Utf8).to_list() if query.quote_column else None
    res.personas = build_personas(
        enc=enc,
        descriptors=desc,
        labels=labels,
        prob=prob,
        k=choice.k,
        stability=choice.chosen.stability,
        quotes=quotes,
        key_prefix=f"{slug(bucket)}-" if bucket is not None else "",
        bucket=bucket,
        taken_names=taken_names,
    )
    for p in res.personas:
        p.low_evidence = below_floor or (p.stability is not None and p.stability < UNTRUSTED)
    res.k, res.candidates, res.reason, res.model = (
        choice.k,
        choice.candidates,
        choice.reason,
        choice.model,
    )
    return res, labels, prob


def discover(
    table: pl.DataFrame,
    query: DiscoverQuery,
    *,
    inputs_hash: str,
    progress: ProgressFn | None = None,
) -> PersonaResult:
    """Discover personas in ``table`` (refuses with exit code 2 when evidence is too thin)."""
    _check_columns(table, query)
    reserved = [c for c in (query.role_column, query.quote_column) if c]
    n = table.height
    try:
        sel = choose_variables(
            table,
            id_column=query.id_column,
            variables=query.variables,
            exclude=query.exclude,
            describe=query.describe,
            reserved=reserved,
        )
    except PersonaInputError as exc:
        if n >= MIN_ROWS or not exc.message.startswith("no column can segment"):
            raise
        skip = {query.id_column, *reserved, *query.exclude}
        m = len([c for c in table.columns if c not in skip]) or 1
        raise InsufficientEvidenceError(refusal_message(m, n)) from exc
    work = table.with_row_index("__row")
    warnings: list[str] = []
    groups: list[tuple[str | None, pl.DataFrame]]
    if query.role_column is None:
        groups = [(None, work)]
    else:
        role = work[query.role_column].cast(pl.Utf8).str.strip_chars()
        work = work.with_columns(role.alias("__role"))
        missing = int(work["__role"].is_null().sum())
        if missing:
            warnings.append(f"{missing} rows have no {query.role_column!r} and are left out")
        values = sorted(str(v) for v in work["__role"].drop_nulls().unique().to_list())
        groups = [(v, work.filter(pl.col("__role") == v)) for v in values]
    keys = np.full(n, None, dtype=object)
    probs = np.zeros(n)
    buckets: list[BucketResult] = []
    refusals: list[InsufficientEvidenceError] = []
    taken: set[str] = set()
    for bucket, rows in groups:
        try:
            with single_threaded_blas():
                res, labels, prob = _fit_bucket(rows, bucket, sel, query, progress, taken)
        except InsufficientEvidenceError as exc:
            if query.role_column is None:
                raise
            refusals.append(exc)
            buckets.append(BucketResult(bucket=bucket, n=rows.height, refused=True))
            buckets[-1].reason = exc.message
            warnings.append(f"no personas for bucket {bucket!r}: {exc.message}")
            continue
        buckets.append(res)
        warnings.extend(res.warnings)
        index = rows["__row"].to_numpy()
        keys[index] = np.array([p.key for p in res.personas], dtype=object)[labels]
        probs[index] = prob
    if refusals and all(b.refused for b in buckets):
        if len(refusals) == 1:
            raise refusals[0]
        raise InsufficientEvidenceError(
            "every role bucket is too small: " + "; ".join(r.message for r in refusals)
        )
    ids = (
        table[query.id_column]
        if query.id_column
        else pl.Series("row", np.arange(1, n + 1), dtype=pl.Int64)
    )
    provenance = Provenance(
        analysis=ANALYSIS, inputs_hash=inputs_hash, settings_hash=hash_settings(query.settings())
    )
    return PersonaResult(
        query=query,
        provenance=provenance,
        variables=sel,
        n=n,
        buckets=buckets,
        warnings=warnings,
        assignments=Assignments(ids, keys, probs),
    )
