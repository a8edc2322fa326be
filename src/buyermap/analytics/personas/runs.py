"""Saved runs: inputs hash, settings, version, variables and model, as one JSON file.

A run can assign new rows to its personas (``assign``) and be compared with another run
(``compare``): personas are matched by profile (Hungarian method on the distance between
their profiles) and each pair reports how much its share and profile moved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import linear_sum_assignment

from buyermap import __version__
from buyermap.analytics.personas.discover import Assignments, PersonaResult
from buyermap.analytics.personas.encoding import encode
from buyermap.analytics.personas.model import LCAModel, posterior, single_threaded_blas
from buyermap.analytics.personas.variables import Variable
from buyermap.errors import PersonaInputError

RUN_FORMAT = 1
DRIFT = 0.20


def default_runs_dir(database_url: str) -> Path:
    """``runs/`` next to a SQLite workspace file; ``./runs`` for a server database."""
    if database_url.startswith("sqlite:///"):
        return Path(database_url.removeprefix("sqlite:///")).expanduser().resolve().parent / "runs"
    return Path.cwd() / "runs"


def run_id(result: PersonaResult) -> str:
    stamp = result.provenance.created_at.replace("-", "").replace(":", "").split("+")[0]
    digest = result.provenance.inputs_hash[:6] + result.provenance.settings_hash[:6]
    return f"{stamp}-{digest}"


def run_document(result: PersonaResult, *, source: str) -> dict[str, Any]:
    rid = run_id(result)
    return {
        "format": RUN_FORMAT,
        "run_id": rid,
        "source": source,
        "version": __version__,
        "provenance": result.provenance.to_dict(),
        "settings": result.query.settings(),
        "result": result.to_dict(),
        "models": [
            {
                "bucket": b.bucket,
                "keys": [p.key for p in b.personas],
                "names": [p.name for p in b.personas],
                "model": b.model.to_dict(),
            }
            for b in result.buckets
            if b.model is not None
        ],
    }


def save_run(result: PersonaResult, *, runs_dir: Path, source: str) -> Path:
    """Write the run as ``<runs_dir>/personas-<run id>.json``; returns the path."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    doc = run_document(result, source=source)
    base = doc["run_id"]
    path = runs_dir / f"personas-{base}.json"
    suffix = 1
    while path.exists():  # same second, same inputs and settings: keep both
        suffix += 1
        doc["run_id"] = f"{base}-{suffix}"
        path = runs_dir / f"personas-{doc['run_id']}.json"
    path.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
    return path


def load_run(ref: str, *, runs_dir: Path | None = None) -> dict[str, Any]:
    """A run by file path, run id, or unique prefix of a run id in ``runs_dir``."""
    path = Path(ref)
    if not path.is_file() and runs_dir is not None:
        matches = sorted(runs_dir.glob(f"personas-{ref}*.json")) if runs_dir.is_dir() else []
        if len(matches) > 1:
            raise PersonaInputError(
                f"run {ref!r} is ambiguous in {runs_dir}: "
                + ", ".join(m.stem.removeprefix("personas-") for m in matches)
            )
        path = matches[0] if matches else path
    if not path.is_file():
        where = f" in {runs_dir}" if runs_dir is not None else ""
        raise PersonaInputError(f"no saved persona run {ref!r}{where}; give a run id or a path")
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PersonaInputError(f"cannot read run {str(path)!r}: {exc}") from exc
    if doc.get("format") != RUN_FORMAT or "models" not in doc:
        raise PersonaInputError(f"{str(path)!r} is not a persona run (format {RUN_FORMAT})")
    return doc


def assign(doc: dict[str, Any], table: pl.DataFrame, *, id_column: str) -> Assignments:
    """Assign each row of ``table`` to a persona of the run, with its posterior probability."""
    if id_column not in table.columns:
        raise PersonaInputError(
            f"id column {id_column!r} is not in the input; columns: {', '.join(table.columns)}"
        )
    bases = [Variable.from_dict(v) for v in doc["result"]["variables"]["bases"]]
    role = doc["settings"].get("role_column")
    n = table.height
    keys = np.full(n, None, dtype=object)
    probs = np.zeros(n)
    if role is not None and role not in table.columns:
        raise PersonaInputError(f"the run was split by {role!r}; the input has no such column")
    warnings: list[str] = []
    for entry in doc["models"]:
        model = LCAModel.from_dict(entry["model"])
        if role is None:
            idx = np.arange(n)
        else:
            values = table[role].cast(pl.Utf8).str.strip_chars()
            idx = np.flatnonzero((values == entry["bucket"]).fill_null(False).to_numpy())
        if idx.size == 0:
            continue
        enc = encode(table[idx], bases)
        warnings += [
            f"{count} values of {name!r} were not seen when the run was fitted; left missing"
            for name, count in enc.unseen.items()
        ]
        with single_threaded_blas():
            resp, _ = posterior(model, enc)
        labels = resp.argmax(1)
        keys[idx] = np.array(entry["keys"], dtype=object)[labels]
        probs[idx] = resp[np.arange(idx.size), labels]
    unassigned = int(sum(k is None for k in keys.tolist()))
    if unassigned:
        warnings.append(f"{unassigned} rows matched no bucket of the run and are not assigned")
    return Assignments(table[id_column], keys, probs, warnings)


def _profile_distance(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Mean over shared variables: total variation (levels) or |mean difference| / sd."""
    ta = {t["variable"]: t for t in a["traits"]}
    tb = {t["variable"]: t for t in b["traits"]}
    parts: list[float] = []
    for name in ta.keys() & tb.keys():
        x, y = ta[name], tb[name]
        if "distribution" in x and "distribution" in y:
            levels = set(x["distribution"]) | set(y["distribution"])
            tv = 0.5 * sum(
                abs((x["distribution"].get(lv) or 0.0) - (y["distribution"].get(lv) or 0.0))
                for lv in levels
            )
            parts.append(tv)
        elif x.get("persona") is not None and y.get("persona") is not None:
            sd = max(x.get("population_sd") or 0.0, y.get("population_sd") or 0.0, 1e-9)
            parts.append(min(1.0, abs(x["persona"] - y["persona"]) / sd))
    return float(np.mean(parts)) if parts else 1.0


def compare(a: dict[str, Any], b: dict[str, Any], *, drift: float = DRIFT) -> dict[str, Any]:
    """Match personas of two runs (per bucket) and report share and profile change."""
    pa: list[dict[str, Any]] = a["result"]["personas"]
    pb: list[dict[str, Any]] = b["result"]["personas"]
    pairs: list[dict[str, Any]] = []
    unmatched_a: list[str] = []
    unmatched_b: list[str] = []
    for bucket in sorted({p["bucket"] or "" for p in pa} | {p["bucket"] or "" for p in pb}):
        xa = [p for p in pa if (p["bucket"] or "") == bucket]
        xb = [p for p in pb if (p["bucket"] or "") == bucket]
        if not xa or not xb:
            unmatched_a += [p["key"] for p in xa]
            unmatched_b += [p["key"] for p in xb]
            continue
        dist = np.array([[_profile_distance(p, q) for q in xb] for p in xa])
        rows, cols = linear_sum_assignment(dist)
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
            p, q = xa[i], xb[j]
            share_change = abs(q["share"] - p["share"]) / max(p["share"], 1e-9)
            prof = float(dist[i, j])
            pairs.append(
                {
                    "bucket": bucket or None,
                    "a": p["key"],
                    "b": q["key"],
                    "name_a": p["name"],
                    "name_b": q["name"],
                    "share_a": p["share"],
                    "share_b": q["share"],
                    "share_change": round(share_change, 4),
                    "profile_change": round(prof, 4),
                    "drift": share_change > drift or prof > drift,
                }
            )
        unmatched_a += [xa[i]["key"] for i in set(range(len(xa))) - set(rows.tolist())]
        unmatched_b += [xb[j]["key"] for j in set(range(len(xb))) - set(cols.tolist())]
    return {
        "run_a": a["run_id"],
        "run_b": b["run_id"],
        "same_inputs": a["provenance"]["inputs_hash"] == b["provenance"]["inputs_hash"],
        "same_settings": a["provenance"]["settings_hash"] == b["provenance"]["settings_hash"],
        "k_a": len(pa),
        "k_b": len(pb),
        "threshold": drift,
        "pairs": pairs,
        "only_in_a": sorted(unmatched_a),
        "only_in_b": sorted(unmatched_b),
        "drift": any(p["drift"] for p in pairs) or bool(unmatched_a or unmatched_b),
    }
