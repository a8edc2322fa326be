"""Learning an avatar: outcome, features, the evidence guard, the fit and its honest metrics.

Steps (docs/avatar.md): the rows with an outcome are the training rows (positives: the
outcome equals ``positive``); the guard refuses below :data:`~.query.MIN_CLASS` positives
or negatives and warns below the comfort level; terms are learned from the raw values;
``C`` is chosen by cross-validation on a stratified sample (at most ``cv_rows``); up to
``interactions`` pairwise terms are kept when they lower the out-of-fold log-loss in every
fold; the out-of-fold logits give the AUC and its interval, the Platt calibration, the
tiers' positive rates and the reliability curve; the final fit uses every training row.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from buyermap.analytics.avatar.columns import (
    BOOLEAN,
    CATEGORY,
    FALSE_WORDS,
    NUMBER,
    TRUE_WORDS,
    ColumnKind,
    infer,
    numbers,
    texts,
)
from buyermap.analytics.avatar.fitting import (
    C_GRID,
    ProgressFn,
    cross_validate,
    design,
    fit,
    log_loss,
    platt,
    stratified_sample,
    threadpool_limits,
)
from buyermap.analytics.avatar.model import TIER_QUANTILES, TIERS, AvatarModel, sigmoid
from buyermap.analytics.avatar.query import COMFORT_MIN, COMFORT_PER_FEATURE, MIN_CLASS, LearnQuery
from buyermap.analytics.avatar.terms import Term, learn_edges, learn_levels, pair_codes
from buyermap.analytics.avatar.traits import Trait, proposed_rules, traits
from buyermap.analytics.base import Provenance, hash_settings
from buyermap.errors import AvatarInputError, InsufficientEvidenceError

INTERACTION_ROWS = 20_000
INTERACTION_MIN_ROWS = 2_000  # with fewer rows the out-of-fold gains of 15 pairs are noise
INTERACTION_CANDIDATES = 6
INTERACTION_GAIN = 0.0005  # nats per row, out of fold, and a gain in every fold
PAIR_SCALE = 0.5  # an interaction's penalty is 1 / 0.5^2 = 4 times a main effect's
MAX_PAIR_LEVELS = 400


@dataclass(frozen=True, slots=True)
class TierStats:
    tier: str
    share: float
    positive_rate: float
    lift: float
    n: int
    min_fit: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "share": round(self.share, 4),
            "positive_rate": round(self.positive_rate, 4),
            "lift": round(self.lift, 3),
            "n": self.n,
            "min_fit": round(self.min_fit, 2),
        }


@dataclass
class AvatarResult:
    model: AvatarModel
    n: int
    positives: int
    negatives: int
    unlabelled: int
    auc: float
    auc_interval: tuple[float, float]
    fold_aucs: list[float]
    c: float
    evidence: str  # ok | low | forced
    tiers: list[TierStats]
    traits: list[Trait]
    rules: list[dict[str, Any]]
    reliability: list[dict[str, float]]
    drift: dict[str, Any]
    interactions: list[dict[str, Any]]
    columns: list[ColumnKind]
    warnings: list[str]
    provenance: Provenance
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "positives": self.positives,
            "negatives": self.negatives,
            "unlabelled": self.unlabelled,
            "base_rate": round(self.positives / max(self.n, 1), 4),
            "auc": round(self.auc, 4),
            "auc_interval": [round(v, 4) for v in self.auc_interval],
            "fold_aucs": [round(v, 4) for v in self.fold_aucs],
            "regularisation": self.c,
            "evidence": self.evidence,
            "tiers": [t.to_dict() for t in self.tiers],
            "traits": [_rounded(t.to_dict()) for t in self.traits],
            "rules": self.rules,
            "reliability": self.reliability,
            "drift": self.drift,
            "interactions": self.interactions,
            "columns": [{"name": c.name, "kind": c.kind, "reason": c.reason} for c in self.columns],
            "warnings": self.warnings,
            "provenance": self.provenance.to_dict(),
            "settings": self.settings,
        }


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}


# -- the outcome --------------------------------------------------------------------------


def outcome_labels(series: pl.Series, positive: str | None) -> tuple[np.ndarray, str]:
    """1.0 / 0.0 per row, NaN where the outcome is empty; and the positive value used."""
    name = series.name
    if series.dtype.is_numeric() or series.dtype == pl.Boolean:
        x = numbers(series)
        seen = sorted({float(v) for v in np.unique(x[np.isfinite(x)])})
        if positive is None:
            if set(seen) <= {0.0, 1.0}:
                target = 1.0
            else:
                raise _need_positive(name, [number_text(v) for v in seen])
        else:
            target = numbers(pl.Series([positive]))[0]
            if not math.isfinite(target) or target not in seen:
                raise _not_a_value(name, positive, [number_text(v) for v in seen])
        y = np.where(np.isnan(x), np.nan, (x == target).astype(np.float64))
        return y, number_text(target)
    text = texts(series, CATEGORY).str.to_lowercase()
    values = sorted(str(v) for v in text.drop_nulls().unique().to_list())
    words = TRUE_WORDS | FALSE_WORDS
    yes_no = bool(values) and all(v in words for v in values)
    if positive is None:
        if not yes_no:
            raise _need_positive(name, values)
        chosen, wanted = "yes", set(TRUE_WORDS)
    else:
        p = positive.strip().lower()
        if p in values:
            chosen, wanted = positive.strip(), {p}
        elif yes_no and p in TRUE_WORDS:
            chosen, wanted = positive.strip(), set(TRUE_WORDS)
        else:
            raise _not_a_value(name, positive, values)
    text.to_numpy()
    present = text.is_not_null().to_numpy()
    hit = text.is_in(list(wanted)).fill_null(False).to_numpy()
    y = np.where(present, hit.astype(np.float64), np.nan)
    return y, chosen


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _listing(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def _need_positive(column: str, values: list[str]) -> AvatarInputError:
    return AvatarInputError(
        f"the outcome column {column!r} is not yes/no or 0/1: say which value means a "
        f"buyer (positive); its values are {_listing(values)}",
        details={"parameter": "positive", "column": column, "values": values[:50]},
    )


def _not_a_value(column: str, positive: str, values: list[str]) -> AvatarInputError:
    return AvatarInputError(
        f"the positive value {positive!r} does not occur in the outcome column {column!r}; "
        f"its values are {_listing(values)}",
        details={"parameter": "positive", "column": column, "values": values[:50]},
    )


# -- the guard ----------------------------------------------------------------------------


def comfort_level(n_features: int) -> int:
    return max(COMFORT_MIN, COMFORT_PER_FEATURE * n_features)


def check_evidence(positives: int, negatives: int, *, n: int, force: bool) -> str:
    """``ok`` or ``low`` (refused below the floor unless ``force``: then ``forced``)."""
    if positives >= MIN_CLASS and negatives >= MIN_CLASS:
        return "ok"
    details = {
        "needed_positives": MIN_CLASS,
        "needed_negatives": MIN_CLASS,
        "positives": positives,
        "negatives": negatives,
        "rows": n,
    }
    if min(positives, negatives) < 3:
        raise InsufficientEvidenceError(
            f"an avatar needs at least {MIN_CLASS} positive and {MIN_CLASS} negative rows; "
            f"there are {positives} positive and {negatives} negative of {n} rows, too few "
            "to learn anything even with force",
            details=details,
        )
    if force:
        return "forced"
    raise InsufficientEvidenceError(
        f"too few outcomes to learn an avatar: it needs at least {MIN_CLASS} positive and "
        f"{MIN_CLASS} negative rows and has {positives} positive and {negatives} negative "
        f"(of {n} rows with an outcome); add outcomes, or force a low-evidence avatar",
        details=details,
    )


# -- learning -----------------------------------------------------------------------------


def _check_columns(query: LearnQuery, table: pl.DataFrame) -> None:
    named = [("outcome", query.outcome)]
    if query.id_column is not None:
        named.append(("id_column", query.id_column))
    named += [("exclude", c) for c in query.exclude]
    named += [("features", c) for c in query.features]
    for parameter, column in named:
        if column not in table.columns:
            raise AvatarInputError(
                f"the table has no column {column!r} (given as {parameter}); its columns "
                f"are {_listing(table.columns)}",
                details={"parameter": parameter, "column": column, "columns": table.columns},
            )


def _single_term(
    kind: ColumnKind, series: pl.Series, query: LearnQuery, minimum: int
) -> Term | None:
    label = query.labels.get(kind.name, kind.name.replace("_", " "))
    if kind.kind == NUMBER:
        edges, how = learn_edges(numbers(series), max_bins=query.max_bins, minimum=minimum)
        if not edges:
            return None
        return Term(kind=NUMBER, column=kind.name, label=label, edges=edges, how=how)
    levels = learn_levels(texts(series, kind.kind), min_count=minimum)
    if not levels:
        return None
    return Term(kind=kind.kind, column=kind.name, label=label, levels=levels)


def _counts(codes: np.ndarray, term: Term) -> list[int]:
    return [int(c) for c in np.bincount(codes, minlength=term.n_levels)]


def _sizes(terms: list[Term]) -> list[int]:
    return [t.n_levels for t in terms]


def _scales(terms: list[Term]) -> list[float]:
    return [PAIR_SCALE if t.kind == "pair" else 1.0 for t in terms]


def _importance(terms: list[Term], coef: np.ndarray, codes: np.ndarray) -> list[float]:
    out: list[float] = []
    offset = 0
    for i, t in enumerate(terms):
        w = coef[offset : offset + t.n_levels][codes[:, i]]
        out.append(float(np.std(w)))
        offset += t.n_levels
    return out


def _pair_term(terms: list[Term], a: int, b: int) -> Term:
    ta, tb = terms[a], terms[b]
    return Term(
        kind="pair",
        column=f"{ta.column} x {tb.column}",
        label=f"{ta.label} and {tb.label}",
        parts=(a, b),
        coef=[0.0] * (ta.n_levels * tb.n_levels),
    )


def _screen_pairs(
    terms: list[Term], codes: np.ndarray, y: np.ndarray, c: float, query: LearnQuery
) -> list[dict[str, Any]]:
    """Pairs of the strongest terms that lower the out-of-fold log-loss in every fold."""
    if query.interactions <= 0 or len(terms) < 2 or y.size < INTERACTION_MIN_ROWS:
        return []
    rows = stratified_sample(y, INTERACTION_ROWS, query.seed + 1)
    sc, sy = codes[rows], y[rows]
    base_x = design(sc, _sizes(terms))
    coef, _ = fit(base_x, sy, c)
    imp = _importance(terms, coef, sc)
    top = sorted(range(len(terms)), key=lambda i: -imp[i])[:INTERACTION_CANDIDATES]
    base = cross_validate(base_x, sy, folds=3, seed=query.seed, grid=(c,))
    base_losses = _fold_losses(sy, base.oof, base.folds)
    found: list[dict[str, Any]] = []
    for a, b in itertools.combinations(sorted(top), 2):
        pair = _pair_term(terms, a, b)
        if pair.n_levels > MAX_PAIR_LEVELS:
            continue
        pc = pair_codes(terms, sc, (a, b))
        x = design(
            np.column_stack([sc, pc]),
            [*_sizes(terms), pair.n_levels],
            [*_scales(terms), PAIR_SCALE],
        )
        cv = cross_validate(x, sy, folds=3, seed=query.seed, grid=(c,))
        gains = base_losses - _fold_losses(sy, cv.oof, cv.folds)
        if float(gains.min()) > 0 and float(gains.mean()) >= INTERACTION_GAIN:
            found.append(
                {
                    "terms": [terms[a].column, terms[b].column],
                    "parts": [a, b],
                    "gain": float(gains.mean()),
                }
            )
    found.sort(key=lambda f: -f["gain"])
    return found[: query.interactions]


def _near(c: float) -> tuple[float, ...]:
    """The chosen strength and its neighbours in the grid (refit once pairs are added)."""
    i = C_GRID.index(c)
    return C_GRID[max(0, i - 1) : i + 2]


def _fold_losses(y: np.ndarray, z: np.ndarray, folds: np.ndarray) -> np.ndarray:
    return np.array([log_loss(y[folds == f], z[folds == f]) for f in np.unique(folds)])


def hanley_mcneil(auc: float, positives: int, negatives: int) -> float:
    """Standard error of an AUC (Hanley & McNeil 1982)."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    var = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / max(positives * negatives, 1)
    return math.sqrt(max(var, 0.0))


def _reliability(y: np.ndarray, p: np.ndarray) -> list[dict[str, float]]:
    bins = int(max(2, min(10, y.size // 50)))
    order = np.argsort(p, kind="stable")
    out: list[dict[str, float]] = []
    for chunk in np.array_split(order, bins):
        if chunk.size == 0:
            continue
        out.append(
            {
                "predicted": round(float(p[chunk].mean()), 4),
                "observed": round(float(y[chunk].mean()), 4),
                "n": int(chunk.size),
            }
        )
    return out


def _tier_stats(model: AvatarModel, y: np.ndarray, logits: np.ndarray) -> list[TierStats]:
    tiers = model.tier_of(model.fit_of(logits))
    base = float(y.mean())
    out: list[TierStats] = []
    cuts = [*model.tier_cuts, 0.0]
    for tier, cut in zip(TIERS, cuts, strict=True):
        mask = tiers == tier
        n = int(mask.sum())
        rate = float(y[mask].mean()) if n else 0.0
        out.append(
            TierStats(
                tier=tier,
                share=n / max(y.size, 1),
                positive_rate=rate,
                lift=rate / base if base > 0 else 0.0,
                n=n,
                min_fit=cut,
            )
        )
    return out


def drift(base_rate: float, scored: np.ndarray) -> dict[str, Any]:
    """The base rate of the training rows against the mean probability of rows scored."""
    if scored.size == 0:
        return {"training_rate": round(base_rate, 4), "scored_rate": None, "scored_n": 0}
    rate = float(scored.mean())
    return {
        "training_rate": round(base_rate, 4),
        "scored_rate": round(rate, 4),
        "scored_n": int(scored.size),
        "difference": round(rate - base_rate, 4),
    }


def drift_warning(d: dict[str, Any]) -> str | None:
    rate = d.get("scored_rate")
    if rate is None:
        return None
    base = d["training_rate"]
    if abs(rate - base) >= 0.1 or (base > 0 and not 0.5 <= rate / base <= 2.0):
        return (
            f"the rows scored look unlike the training rows: their mean probability is "
            f"{rate:.1%} against a base rate of {base:.1%} in training; check that they "
            "come from the same market before trusting the tiers"
        )
    return None


def learn(
    query: LearnQuery,
    table: pl.DataFrame,
    *,
    inputs_hash: str,
    progress: ProgressFn | None = None,
) -> AvatarResult:
    """Learn an avatar from ``table`` (see the module's docstring for the steps)."""
    with threadpool_limits(1):
        return _learn(query, table, inputs_hash=inputs_hash, progress=progress)


def redundant(train: pl.DataFrame, kinds: list[ColumnKind]) -> dict[str, str]:
    """Columns that repeat another one, with the reason: a category whose levels are
    disjoint ranges of a number column (pre-made bands: the bands are learned from the
    number instead), and the finer of two nested categories (every level of one falls in a
    single level of the other, e.g. country in region: learned at the coarser level)."""
    numbers_ = [k.name for k in kinds if k.kind == NUMBER]
    cats = [k.name for k in kinds if k.kind in (CATEGORY, BOOLEAN)]
    out: dict[str, str] = {}
    for c in cats:
        for num in numbers_:
            ranges = (
                train.select(pl.col(c), numbers_series(train[num]))
                .drop_nulls()
                .group_by(c)
                .agg(pl.col(num).min().alias("lo"), pl.col(num).max().alias("hi"))
                .sort("lo")
            )
            if ranges.height >= 2 and bool((ranges["hi"][:-1] < ranges["lo"][1:]).all()):
                out[c] = f"its values are bands of {num!r}: the bands are learned from {num!r}"
                break
    for a, b in itertools.permutations([c for c in cats if c not in out], 2):
        if a in out or b in out:
            continue
        pairs = train.select(a, b).drop_nulls().unique()
        la, lb = pairs[a].n_unique(), pairs[b].n_unique()
        if la > lb >= 2 and pairs.height == la:
            out[a] = f"each of its values falls in one {b!r}: learned at the {b!r} level"
    return out


REDUNDANCY_ROWS = 50_000


def _confirmed_redundant(train: pl.DataFrame, kinds: list[ColumnKind], seed: int) -> dict[str, str]:
    """:func:`redundant` found on a sample of at most 50,000 rows, each confirmed on every
    row (so a rare level the sample missed cannot make a column look redundant)."""
    if train.height <= REDUNDANCY_ROWS:
        return redundant(train, kinds)
    found = redundant(train.sample(REDUNDANCY_ROWS, seed=seed), kinds)
    if not found:
        return {}
    confirmed = redundant(
        train,
        [
            k
            for k in kinds
            if k.kind == NUMBER or k.name in found or any(k.name in r for r in found.values())
        ],
    )
    return {c: r for c, r in found.items() if c in confirmed}


def numbers_series(series: pl.Series) -> pl.Series:
    return pl.Series(series.name, numbers(series))


def _learn(
    query: LearnQuery,
    table: pl.DataFrame,
    *,
    inputs_hash: str,
    progress: ProgressFn | None = None,
) -> AvatarResult:
    from sklearn.metrics import roc_auc_score  # here: scikit-learn adds 1.1 s to every CLI start

    _check_columns(query, table)
    y_all, positive = outcome_labels(table[query.outcome], query.positive)
    labelled = ~np.isnan(y_all)
    n = int(labelled.sum())
    positives = int(np.nansum(y_all))
    negatives = n - positives
    evidence = check_evidence(positives, negatives, n=n, force=query.force)
    warnings: list[str] = []
    skip = {query.outcome, *query.exclude}
    if query.id_column is not None:
        skip.add(query.id_column)
    names = list(query.features) or [c for c in table.columns if c not in skip]
    train = table.filter(pl.Series(labelled))
    y = y_all[labelled]
    minimum = max(query.min_level_count, math.ceil(query.min_level_share * n))
    kinds = [infer(train[name]) for name in names]
    repeats = {} if query.features else _confirmed_redundant(train, kinds, query.seed)
    kinds = [
        ColumnKind(k.name, "ignored", repeats[k.name]) if k.name in repeats else k for k in kinds
    ]
    terms: list[Term] = []
    for i, kind in enumerate(list(kinds)):
        name = kind.name
        if kind.kind != "ignored":
            term = _single_term(kind, train[name], query, minimum)
            if term is None:
                kind = ColumnKind(name, "ignored", f"no value held by {minimum} rows or more")
                kinds[i] = kind
            else:
                terms.append(term)
        if kind.kind == "ignored":
            warnings.append(f"column {name!r} is not used: {kind.reason}")
    if not terms:
        raise AvatarInputError(
            "no column can be used as a trait: "
            + "; ".join(f"{k.name}: {k.reason}" for k in kinds),
            details={"columns": [k.name for k in kinds]},
        )
    comfort = comfort_level(len(terms))
    smaller = min(positives, negatives)
    if evidence != "ok" or smaller < comfort:
        if evidence == "ok":
            evidence = "low"
        warnings.append(
            f"low evidence: {positives} positive and {negatives} negative rows, fewer than "
            f"the {comfort} of each that {len(terms)} traits need to be learned with comfort; "
            "the AUC interval is widened and traits may be noise"
        )
    model = AvatarModel(
        terms=terms,
        intercept=0.0,
        outcome=query.outcome,
        positive=positive,
        id_column=query.id_column,
        n=n,
        base_rate=positives / n,
    )
    codes = model.codes(train)
    for i, t in enumerate(terms):
        t.counts = _counts(codes[:, i], t)
    # choose C on a stratified sample; then consider interactions
    sample = stratified_sample(y, query.cv_rows, query.seed)
    sc, sy = codes[sample], y[sample]
    cv = cross_validate(
        design(sc, _sizes(terms)), sy, folds=query.folds, seed=query.seed, progress=progress
    )
    pairs = _screen_pairs(terms, codes, y, cv.c, query)
    interactions: list[dict[str, Any]] = []
    if pairs:
        for p in pairs:
            terms.append(_pair_term(terms, p["parts"][0], p["parts"][1]))
            interactions.append({"terms": p["terms"], "gain": round(p["gain"], 5)})
        extra = [pair_codes(terms, codes, (p["parts"][0], p["parts"][1])) for p in pairs]
        codes = np.column_stack([codes, *extra])
        for i, t in enumerate(terms):
            t.counts = _counts(codes[:, i], t)
        sc = codes[sample]
        cv = cross_validate(
            design(sc, _sizes(terms), _scales(terms)),
            sy,
            folds=query.folds,
            seed=query.seed,
            grid=_near(cv.c),
            progress=progress,
        )
    if progress is not None:
        progress("fitting on every row", 0, 1)
    coef, intercept = fit(design(codes, _sizes(terms), _scales(terms)), y, cv.c)
    slope, offset = platt(sy, cv.oof)
    model.intercept = slope * intercept + offset
    pos = 0
    for t, scale in zip(terms, _scales(terms), strict=True):
        t.coef = [float(slope * scale * w) for w in coef[pos : pos + t.n_levels]]
        pos += t.n_levels
    train_logits = model.logits(codes)
    lo, hi = np.quantile(train_logits, [0.01, 0.99])
    model.fit_low, model.fit_high = float(lo), float(max(hi, lo + 1e-6))
    fits = model.fit_of(train_logits)
    model.tier_cuts = [round(float(np.quantile(fits, q)), 4) for q in TIER_QUANTILES]
    oof = slope * cv.oof + offset
    auc = float(roc_auc_score(sy, oof))
    fold_aucs = [
        float(roc_auc_score(sy[cv.folds == f], oof[cv.folds == f]))
        for f in np.unique(cv.folds)
        if 0 < sy[cv.folds == f].sum() < (cv.folds == f).sum()
    ]
    se = hanley_mcneil(auc, int(sy.sum()), int(sy.size - sy.sum()))
    spread = (
        float(np.std(fold_aucs, ddof=1) / math.sqrt(len(fold_aucs))) if len(fold_aucs) > 1 else 0
    )
    half = 1.96 * max(se, spread)
    if evidence != "ok":
        half *= min(2.0, math.sqrt(comfort / max(smaller, 1)))
    interval = (max(0.0, auc - half), min(1.0, auc + half))
    if interval[0] <= 0.5:
        warnings.append(
            f"the avatar does not separate buyers reliably better than chance: AUC {auc:.2f} "
            f"(95% interval {interval[0]:.2f}-{interval[1]:.2f})"
        )
    unlabelled_rows = table.filter(pl.Series(~labelled))
    scored = (
        sigmoid(model.logits(model.codes(unlabelled_rows)))
        if unlabelled_rows.height
        else np.zeros(0)
    )
    d = drift(model.base_rate, scored)
    note = drift_warning(d)
    if note is not None:
        warnings.append(note)
    if unlabelled_rows.height:
        warnings.append(
            f"{unlabelled_rows.height:,} rows have no outcome: they are scored, not trained on"
        )
    found = traits(terms, min_count=minimum)
    settings = query.to_dict()
    return AvatarResult(
        model=model,
        n=n,
        positives=positives,
        negatives=negatives,
        unlabelled=int(unlabelled_rows.height),
        auc=auc,
        auc_interval=interval,
        fold_aucs=fold_aucs,
        c=cv.c,
        evidence=evidence,
        tiers=_tier_stats(model, sy, oof),
        traits=found,
        rules=proposed_rules(found),
        reliability=_reliability(sy, sigmoid(oof)),
        drift=d,
        interactions=interactions,
        columns=kinds,
        warnings=warnings,
        provenance=Provenance(
            analysis="avatar.learn", inputs_hash=inputs_hash, settings_hash=hash_settings(settings)
        ),
        settings=settings,
    )
