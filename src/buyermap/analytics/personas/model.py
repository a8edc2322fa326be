"""A latent class (finite mixture) model for mixed data, fitted by EM with numpy.

Given the class, variables are independent (local independence):

* categorical -- multinomial, Dirichlet prior centred on the population shares;
* ordinal -- adjacent-category logit with a linear class effect: the levels' shape is
  shared by the classes, each class shifts it up or down the scale by one parameter
  (:func:`adjacent_category`);
* count -- negative binomial (mean by weighted average; size by the method of moments);
* continuous -- Gaussian on the model scale (log for skewed positive data), with a
  ridge prior on the mean and variance that keeps a class from collapsing on a point.

A missing cell contributes nothing to a row's likelihood (its term is skipped), so a
variable missing for a whole class does not pull that class anywhere. Nothing is imputed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import gammaln
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from buyermap.analytics.cancel import checkpoint
from buyermap.analytics.personas.encoding import Encoded
from buyermap.analytics.personas.seeding import embedding, seed_responsibilities

THETA_PRIOR = 2.0  # pseudo-rows per discrete variable, spread by population shares
ORDINAL_STEPS = 8  # alternations of the ordinal model's fit per M-step (EM warm-starts it)
ORDINAL_RIDGE = 1.0  # pseudo-weight keeping a class's ordinal location finite
NUM_PRIOR = 1.0  # pseudo-rows at the population mean/variance for counts and reals
LOG_2PI = float(np.log(2 * np.pi))


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """EM multiplies tall, thin matrices: threaded BLAS only spins (6x slower on 2 cores)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@dataclass
class LCAModel:
    """Fitted parameters of a K-class model (arrays indexed by class first)."""

    weights: np.ndarray  # K
    theta: np.ndarray  # K x L level probabilities (each variable's block sums to 1)
    nb_mu: np.ndarray  # K x m_count
    nb_r: np.ndarray  # K x m_count
    mu: np.ndarray  # K x m_cont
    var: np.ndarray  # K x m_cont
    loglik: float = float("nan")
    n_iter: int = 0
    converged: bool = False

    @property
    def k(self) -> int:
        return int(self.weights.shape[0])

    def n_params(self, offsets: np.ndarray, ordinal: np.ndarray | None = None) -> int:
        """Free parameters (for BIC): per class its weight, per categorical variable L - 1
        shares, per count and real 2; an ordinal variable (``ordinal`` marks them) has its
        L - 1 level shapes shared by the classes and one location per class, less one."""
        k = self.k
        sizes = np.diff(offsets).astype(int)
        ordered = np.zeros(len(sizes), dtype=bool) if ordinal is None else ordinal
        free = int((sizes[~ordered] - 1).sum()) * k + int((sizes[ordered] - 1 + k - 1).sum())
        return int((k - 1) + free + k * (2 * self.nb_mu.shape[1] + 2 * self.mu.shape[1]))

    def reorder(self, order: np.ndarray) -> LCAModel:
        return LCAModel(
            self.weights[order],
            self.theta[order],
            self.nb_mu[order],
            self.nb_r[order],
            self.mu[order],
            self.var[order],
            self.loglik,
            self.n_iter,
            self.converged,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights.tolist(),
            "theta": self.theta.tolist(),
            "nb_mu": self.nb_mu.tolist(),
            "nb_r": self.nb_r.tolist(),
            "mu": self.mu.tolist(),
            "var": self.var.tolist(),
            "loglik": self.loglik,
            "n_iter": self.n_iter,
            "converged": self.converged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LCAModel:
        k = len(data["weights"])

        def arr(key: str) -> np.ndarray:
            out = np.asarray(data[key], dtype=np.float64)
            return out.reshape(k, -1) if out.size else np.zeros((k, 0))

        return cls(
            np.asarray(data["weights"], dtype=np.float64),
            arr("theta"),
            arr("nb_mu"),
            arr("nb_r"),
            arr("mu"),
            arr("var"),
            float(data.get("loglik", float("nan"))),
            int(data.get("n_iter", 0)),
            bool(data.get("converged", False)),
        )


@dataclass
class Prepared:
    """What every EM iteration reuses: the one-hot matrix, masks and population priors."""

    enc: Encoded
    onehot: Any  # scipy CSR, n x L
    count0: np.ndarray
    count_mask: np.ndarray
    count_lgam: np.ndarray  # per row: sum of log(x!) over observed counts
    cont0: np.ndarray
    cont_sq: np.ndarray
    cont_mask: np.ndarray
    level_prior: np.ndarray  # L population shares (per block)
    count_mean: np.ndarray
    count_var: np.ndarray
    cont_mean: np.ndarray
    cont_var: np.ndarray


def _nanstats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mask = ~np.isnan(x)
    n = np.maximum(mask.sum(0), 1)
    x0 = np.where(mask, x, 0.0)
    mean = x0.sum(0) / n
    var = np.where(mask, (x0 - mean) ** 2, 0.0).sum(0) / n
    return mean, np.maximum(var, 1e-9)


def _zero_filled(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` with missing values as 0, and the 0/1 mask of observed values."""
    mask = ~np.isnan(x)
    return np.where(mask, x, 0.0), mask.astype(np.float64)


def prepare(enc: Encoded) -> Prepared:
    n, n_lv = enc.n, enc.n_levels
    rows, cols = np.nonzero(enc.codes < n_lv)
    onehot = sparse.csr_matrix(
        (np.ones(rows.size), (rows, enc.codes[rows, cols])), shape=(n, max(n_lv, 1))
    )
    level_counts = np.asarray(onehot.sum(0)).ravel()[:n_lv] + 1e-3
    level_prior = np.empty(n_lv)
    for j in range(len(enc.disc)):
        a, b = int(enc.offsets[j]), int(enc.offsets[j + 1])
        level_prior[a:b] = level_counts[a:b] / level_counts[a:b].sum()
    count0, count_mask = _zero_filled(enc.count_x)
    cont0, cont_mask = _zero_filled(enc.cont_x)
    cm, cv = _nanstats(enc.count_x)
    xm, xv = _nanstats(enc.cont_x)
    return Prepared(
        enc,
        onehot,
        count0,
        count_mask,
        (gammaln(count0 + 1) * count_mask).sum(1),
        cont0,
        cont0**2,
        cont_mask,
        level_prior,
        np.maximum(cm, 1e-3),
        cv,
        xm,
        xv,
    )


def _count_lgamma(x: np.ndarray, fm: np.ndarray, r: np.ndarray) -> np.ndarray:
    """n x K: sum over count variables of log Gamma(x + r_k), by table look-up when small."""
    n, k = x.shape[0], r.shape[0]
    out = np.zeros((n, k))
    for j in range(x.shape[1]):
        xj = x[:, j]
        top = int(xj.max()) if n else 0
        if top <= 4096:
            table = np.zeros((top + 2, k))
            table[: top + 1] = gammaln(np.arange(top + 1)[:, None] + r[:, j][None, :])
            index = np.where(fm[:, j] > 0, xj, top + 1).astype(np.intp)
            out += table[index]
        else:
            for c in range(k):
                out[:, c] += gammaln(xj + r[c, j]) * fm[:, j]
    return out


def log_joint(model: LCAModel, enc: Encoded, prep: Prepared | None = None) -> np.ndarray:
    """n x K: log P(class) + log P(row | class), skipping missing cells."""
    n, k = enc.n, model.k
    out = np.broadcast_to(np.log(model.weights), (n, k)).copy()
    if enc.codes.shape[1]:
        if prep is not None:
            out += np.asarray(prep.onehot @ np.log(model.theta).T)
        else:
            table = np.vstack([np.log(model.theta).T, np.zeros((1, k))])
            out += table[enc.codes].sum(axis=1)
    if enc.count_x.shape[1]:
        if prep is not None:
            x, fm, lfact = prep.count0, prep.count_mask, prep.count_lgam
        else:
            x, fm = _zero_filled(enc.count_x)
            lfact = (gammaln(x + 1) * fm).sum(1)
        mu, r = model.nb_mu, model.nb_r
        out += x @ np.log(mu / (r + mu)).T
        out += fm @ (r * np.log(r / (r + mu)) - gammaln(r)).T
        out -= lfact[:, None]
        out += _count_lgamma(x, fm, r)
    if enc.cont_x.shape[1]:
        if prep is not None:
            x, x2, fm = prep.cont0, prep.cont_sq, prep.cont_mask
        else:
            x, fm = _zero_filled(enc.cont_x)
            x2 = x * x
        inv = 1.0 / model.var
        quad = x2 @ inv.T - 2 * x @ (model.mu * inv).T
        quad += fm @ (model.mu**2 * inv + np.log(model.var) + LOG_2PI).T
        out -= 0.5 * quad
    return out


def _normalise(logp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    top = logp.max(axis=1, keepdims=True)
    p = np.exp(logp - top)
    total = p.sum(axis=1, keepdims=True)
    return p / total, (np.log(total) + top).ravel()


def posterior(model: LCAModel, enc: Encoded, *, chunk: int = 100_000) -> tuple[np.ndarray, float]:
    """Membership probabilities (n x K, rows sum to 1) and the total log-likelihood."""
    parts: list[np.ndarray] = []
    total = 0.0
    for start in range(0, max(enc.n, 1), chunk):
        idx = np.arange(start, min(start + chunk, enc.n))
        resp, row_ll = _normalise(log_joint(model, enc.take(idx)))
        parts.append(resp)
        total += float(row_ll.sum())
    if not parts:
        return np.zeros((0, model.k)), 0.0
    return np.vstack(parts), total


def adjacent_category(counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Class probabilities of ordinal variables under an adjacent-category logit with a
    linear class effect (Agresti's linear-by-linear association model):
    ``P(level l | class c) ∝ exp(alpha_l + mu_c * s_l)`` with scores ``s_l = l / (L - 1)``,
    the level shape ``alpha`` shared by the classes and one location ``mu_c`` per class.

    ``counts`` is (variables, classes, most levels) of weighted counts (prior included),
    zero-padded past each variable's ``sizes`` levels; returns the probabilities in the
    same shape (zeros in the padding). Fitted for all variables at once: alternating one
    Newton step on ``mu`` (per class, a concave 1-D problem) and iterative proportional
    fitting of ``alpha`` to the level margins, ``ORDINAL_STEPS`` times.

    Why not the multinomial per class: on ordinal codes it spends L - 1 free shares per
    class and variable and reads 0-9 bands as unordered; on Caravan's 41 codes it found
    the held-out customer types 0.75x as well as standardised k-means (AMI, k = 4-12,
    seeds 0-3); this model spends one parameter per class and variable, as k-means does,
    keeps the order, and reaches 0.97x (benchmarks/personas_ordinal.py). A cumulative
    (proportional-odds) logit with a class location reached 0.96x there and needs a
    Newton solve per variable: not worth its cost.
    """
    v, k, width = counts.shape
    levels = np.arange(width)[None, :]
    mask = levels < sizes[:, None]  # (v, width)
    scores = np.where(mask, levels / np.maximum(sizes[:, None] - 1, 1), 0.0)[:, None, :]
    n_c = counts.sum(2)  # (v, k)
    margin = counts.sum(1)  # (v, width)
    alpha = np.where(mask, np.log(np.maximum(margin, 1e-12) / margin.sum(1, keepdims=True)), 0)
    mu = np.zeros((v, k))
    observed = (counts * scores).sum(2)  # (v, k): the classes' score totals
    for _ in range(ORDINAL_STEPS):
        prob = _ac_probabilities(alpha, mu, scores, mask)
        mean = (prob * scores).sum(2)
        var = (prob * scores**2).sum(2) - mean**2
        mu += (observed - n_c * mean) / (n_c * var + ORDINAL_RIDGE)
        shift = (mu * n_c).sum(1, keepdims=True) / np.maximum(n_c.sum(1, keepdims=True), 1e-12)
        mu -= shift  # mu is defined up to a shift that alpha absorbs
        alpha = np.where(mask, alpha + shift * scores[:, 0, :], 0.0)
        prob = _ac_probabilities(alpha, mu, scores, mask)
        expected = (n_c[:, :, None] * prob).sum(1)
        alpha = np.where(
            mask, alpha + np.log(np.maximum(margin, 1e-12) / np.maximum(expected, 1e-12)), 0.0
        )
    return _ac_probabilities(alpha, mu, scores, mask)


def _ac_probabilities(
    alpha: np.ndarray, mu: np.ndarray, scores: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    logits = alpha[:, None, :] + mu[:, :, None] * scores
    logits = np.where(mask[:, None, :], logits, -np.inf)
    logits -= logits.max(2, keepdims=True)
    prob = np.exp(logits)
    out: np.ndarray = prob / prob.sum(2, keepdims=True)
    return out


def m_step(prep: Prepared, resp: np.ndarray) -> LCAModel:
    enc = prep.enc
    k = resp.shape[1]
    nk = resp.sum(0)
    weights = (nk + 1.0) / (nk.sum() + k)
    n_lv = enc.n_levels
    theta = np.zeros((k, n_lv))
    if n_lv:
        counts = np.asarray((prep.onehot.T @ resp).T)[:, :n_lv]
        ordinal = enc.ordinal
        spans = [(int(enc.offsets[j]), int(enc.offsets[j + 1])) for j in range(len(enc.disc))]
        for j, (a, b) in enumerate(spans):
            if not ordinal[j]:
                block = counts[:, a:b] + THETA_PRIOR * prep.level_prior[a:b]
                theta[:, a:b] = np.maximum(block / block.sum(1, keepdims=True), 1e-12)
        ordered = [span for j, span in enumerate(spans) if ordinal[j]]
        if ordered:
            sizes = np.array([b - a for a, b in ordered])
            padded = np.zeros((len(ordered), k, int(sizes.max())))
            for i, (a, b) in enumerate(ordered):
                padded[i, :, : b - a] = counts[:, a:b] + THETA_PRIOR * prep.level_prior[a:b]
            fitted = adjacent_category(padded, sizes)
            for i, (a, b) in enumerate(ordered):
                theta[:, a:b] = np.maximum(fitted[i, :, : b - a], 1e-12)
    mc = enc.count_x.shape[1]
    nb_mu = np.zeros((k, mc))
    nb_r = np.zeros((k, mc))
    if mc:
        w = resp.T @ prep.count_mask
        s1 = resp.T @ prep.count0
        s2 = resp.T @ (prep.count0**2)
        mean = (s1 + NUM_PRIOR * prep.count_mean) / (w + NUM_PRIOR)
        var = (s2 - 2 * mean * s1 + mean**2 * w + NUM_PRIOR * prep.count_var) / (w + NUM_PRIOR)
        mean = np.maximum(mean, 1e-3)
        excess = var - mean
        r = np.where(excess > 1e-3 * mean, mean**2 / np.maximum(excess, 1e-12), 1e3)
        nb_mu, nb_r = mean, np.clip(r, 0.05, 1e3)
    mx = enc.cont_x.shape[1]
    mu = np.zeros((k, mx))
    var_c = np.ones((k, mx))
    if mx:
        w = resp.T @ prep.cont_mask
        s1 = resp.T @ prep.cont0
        s2 = resp.T @ prep.cont_sq
        mu = (s1 + NUM_PRIOR * prep.cont_mean) / (w + NUM_PRIOR)
        ss = s2 - 2 * mu * s1 + mu**2 * w
        var_c = (ss + NUM_PRIOR * prep.cont_var) / (w + NUM_PRIOR)
        var_c = np.maximum(var_c, 1e-4 * prep.cont_var)
    return LCAModel(weights, theta, nb_mu, nb_r, mu, var_c)


def run_em(prep: Prepared, model: LCAModel, *, max_iter: int, tol: float = 1e-5) -> LCAModel:
    """EM from ``model`` until the mean log-likelihood per row improves by less than ``tol``."""
    n = max(prep.enc.n, 1)
    prev = -np.inf
    ll = -np.inf
    it = 0
    converged = False
    for it in range(1, max_iter + 1):  # noqa: B007
        checkpoint()
        resp, row_ll = _normalise(log_joint(model, prep.enc, prep))
        ll = float(row_ll.sum())
        if abs(ll - prev) / n < tol:
            converged = True
            break
        prev = ll
        model = m_step(prep, resp)
    model.loglik, model.n_iter, model.converged = ll, it, converged
    return model


def fit(
    enc: Encoded,
    k: int,
    *,
    seed: int = 0,
    n_init: int = 10,
    short_iter: int = 15,
    max_iter: int = 200,
    init_rows: int = 4000,
    prep: Prepared | None = None,
    on_step: Callable[[], None] | None = None,
) -> LCAModel:
    """Many short EM runs from k-means++ (and random) seeds on a subsample of at most
    ``init_rows`` rows, then full EM on all rows from the best. Classes come largest first.
    """
    prep = prep or prepare(enc)
    rng = np.random.default_rng(seed)
    if k == 1:
        model = m_step(prep, np.ones((enc.n, 1)))
        return run_em(prep, model, max_iter=2)
    small = prep
    if enc.n > init_rows:
        small = prepare(enc.take(np.sort(rng.choice(enc.n, size=init_rows, replace=False))))
    emb = embedding(small)
    best: LCAModel | None = None
    for i in range(max(n_init, 1)):
        resp = seed_responsibilities(emb, k, rng, plus=i % 4 != 3)
        cand = run_em(small, m_step(small, resp), max_iter=short_iter)
        if best is None or cand.loglik > best.loglik:
            best = cand
        if on_step is not None:
            on_step()
    assert best is not None
    final = run_em(prep, best, max_iter=max_iter)
    order = np.argsort(-final.weights, kind="stable")
    return final.reorder(order)
