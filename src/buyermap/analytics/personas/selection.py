"""How many personas: BIC across candidate k, bootstrap stability, a minimum share.

The rule (documented in docs/personas.md):

1. fit every candidate k (1..k_max) and compute BIC = -2 log L + p log n;
2. a candidate is admissible when every persona holds at least ``min_share`` of the rows;
3. walk the admissible candidates from the lowest BIC up and take the first whose every
   persona has a bootstrap stability (mean Jaccard over resamples, clusters matched with
   the Hungarian method) of at least ``UNTRUSTED`` (0.6); the neighbours of the choice
   get their stability computed too, so the evidence shows what k-1 and k+1 would give;
4. when no candidate passes, the lowest-BIC admissible one is kept and a warning says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from buyermap.analytics.personas.encoding import Encoded
from buyermap.analytics.personas.model import LCAModel, fit, posterior, prepare

STABLE = 0.75
UNTRUSTED = 0.6

ProgressFn = Callable[[str, int, int], None]


@dataclass
class Candidate:
    """The evidence for one candidate number of personas."""

    k: int
    loglik: float
    n_params: int
    bic: float
    shares: tuple[float, ...]
    stability: tuple[float, ...] | None = None
    chosen: bool = False
    note: str = ""

    @property
    def min_share(self) -> float:
        return min(self.shares)

    @property
    def mean_stability(self) -> float | None:
        return None if self.stability is None else float(np.mean(self.stability))

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "criterion": "bic",
            "bic": round(self.bic, 2),
            "loglik": round(self.loglik, 2),
            "n_params": self.n_params,
            "min_share": round(self.min_share, 4),
            "stability": None if self.stability is None else round(self.mean_stability or 0, 3),
            "min_stability": None if self.stability is None else round(min(self.stability), 3),
            "persona_stability": None
            if self.stability is None
            else [round(s, 3) for s in self.stability],
            "chosen": self.chosen,
            "note": self.note,
        }


@dataclass
class KChoice:
    """The chosen k, its model, and the evidence for every candidate."""

    k: int
    model: LCAModel
    candidates: list[Candidate]
    reason: str
    warnings: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> Candidate:
        return next(c for c in self.candidates if c.k == self.k)


def jaccard_matrix(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> np.ndarray:
    """ka x kb: |A_i & B_j| / |A_i | B_j| between two labelings of the same rows."""
    both = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(np.float64)
    size_a = np.bincount(a, minlength=ka).astype(np.float64)
    size_b = np.bincount(b, minlength=kb).astype(np.float64)
    union = size_a[:, None] + size_b[None, :] - both
    return np.divide(both, union, out=np.zeros_like(both), where=union > 0)


def match(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> tuple[np.ndarray, np.ndarray]:
    """For each cluster of ``a``: its partner in ``b`` (-1 if none) and their Jaccard."""
    jac = jaccard_matrix(a, b, ka, kb)
    rows, cols = linear_sum_assignment(-jac)
    partner = np.full(ka, -1)
    score = np.zeros(ka)
    partner[rows] = cols
    score[rows] = jac[rows, cols]
    return partner, score


def stability(
    enc: Encoded,
    model: LCAModel,
    *,
    n_boot: int = 10,
    rows: int = 3000,
    seed: int = 0,
    n_init: int = 3,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Per persona: mean Jaccard between its members and its best match after refitting
    on bootstrap resamples (Hennig 2007); ``rows`` caps the rows used, for speed."""
    k = model.k
    if k == 1:
        return np.ones(1)
    if n_boot < 1:  # not measured (the Python API allows it, for benchmarks)
        return np.full(k, np.nan)
    rng = np.random.default_rng(seed + 7919 * k)
    sub = enc.take(rng.choice(enc.n, size=rows, replace=False)) if enc.n > rows else enc
    ref = posterior(model, sub)[0].argmax(1)
    scores = np.zeros((n_boot, k))
    for b in range(n_boot):
        idx = rng.integers(0, sub.n, size=sub.n)
        boot = fit(sub.take(idx), k, seed=int(rng.integers(1 << 31)), n_init=n_init)
        labels = posterior(boot, sub)[0].argmax(1)
        scores[b] = match(ref, labels, k, k)[1]
        if progress is not None:
            progress(f"stability of k={k}", b + 1, n_boot)
    out: np.ndarray = scores.mean(0)
    return out


def choose_k(
    enc: Encoded,
    *,
    ks: Sequence[int],
    min_share: float = 0.05,
    seed: int = 0,
    n_init: int = 10,
    n_boot: int = 10,
    stability_rows: int = 3000,
    progress: ProgressFn | None = None,
) -> KChoice:
    """Fit each k in ``ks`` and choose by the rule in the module docstring."""
    prep = prepare(enc)
    models: dict[int, LCAModel] = {}
    cands: dict[int, Candidate] = {}
    log_n = float(np.log(max(enc.n, 2)))
    for i, k in enumerate(ks):
        if progress is not None:
            progress(f"fitting k={k}", i, len(ks))
        model = fit(enc, k, seed=seed + k, n_init=n_init, prep=prep)
        resp, ll = posterior(model, enc)
        shares = np.bincount(resp.argmax(1), minlength=k) / max(enc.n, 1)
        p = model.n_params(enc.offsets, enc.ordinal)
        models[k] = model
        cands[k] = Candidate(k, ll, p, -2 * ll + p * log_n, tuple(float(s) for s in shares))
    if progress is not None:
        progress("fitting done", len(ks), len(ks))

    def stab(k: int) -> tuple[float, ...]:
        c = cands[k]
        if c.stability is None:
            s = stability(
                enc, models[k], n_boot=n_boot, rows=stability_rows, seed=seed, progress=progress
            )
            c.stability = tuple(float(x) for x in s)
        return c.stability

    warnings: list[str] = []
    order = sorted(cands.values(), key=lambda c: c.bic)
    for c in order:
        if c.min_share < min_share:
            c.note = f"a persona holds {c.min_share:.1%} of rows, under the {min_share:.0%} minimum"
    admissible = [c for c in order if c.min_share >= min_share]
    chosen: Candidate | None = None
    if len(ks) == 1:
        chosen = cands[ks[0]]
        stab(chosen.k)
        reason = f"k={chosen.k} given by the user"
        if chosen.min_share < min_share:
            warnings.append(f"k={chosen.k} was given but {chosen.note}")
    else:
        for c in admissible:
            if min(stab(c.k)) >= UNTRUSTED:
                chosen = c
                break
            c.note = f"lower BIC but a persona's stability is {min(stab(c.k)):.2f} (< {UNTRUSTED})"
        if chosen is None:
            chosen = admissible[0] if admissible else order[0]
            warnings.append(
                f"no candidate k has every persona stable (>= {UNTRUSTED}); "
                f"k={chosen.k} has the lowest BIC among admissible candidates"
            )
            reason = f"lowest BIC among admissible candidates (k={chosen.k}); unstable"
        else:
            best_bic = order[0].k
            reason = (
                f"k={chosen.k}: lowest BIC"
                if chosen.k == best_bic
                else f"k={chosen.k}: lowest BIC among candidates passing share and stability"
            )
            reason += f", every persona >= {min_share:.0%} of rows and stability >= {UNTRUSTED}"
        for nb in (chosen.k - 1, chosen.k + 1):
            if nb in cands and nb > 1:
                stab(nb)
    assert chosen is not None
    chosen.chosen = True
    for c in cands.values():
        if c.stability is None and not c.note:
            c.note = "stability not needed: BIC or share ruled it out first"
    return KChoice(chosen.k, models[chosen.k], [cands[k] for k in ks], reason, warnings)
