"""The L2 logistic fit over one-hot levels, with its strength chosen by cross-validation.

Every term contributes exactly one non-zero per row, so the design is a sparse matrix
with as many non-zeros per row as there are terms; 1,000,000 rows x 20 columns is 20M
non-zeros and an L-BFGS fit takes seconds. The strength ``C`` is chosen by the mean
out-of-fold log-loss over :data:`C_GRID` on a stratified sample of at most ``cv_rows``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

__all__ = ["threadpool_limits"]

TOL = 1e-4
# One BLAS thread: the problem is small per iteration, and threads fighting over two cores
# made each fit four times slower.
C_GRID: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

ProgressFn = Callable[[str, int, int], None]


def design(
    codes: np.ndarray, sizes: Sequence[int], scales: Sequence[float] | None = None
) -> sparse.csr_matrix:
    """The one-hot design of ``codes`` (n x terms) with ``sizes[t]`` levels per term; a
    term's ``scales[t]`` below 1 shrinks it harder (its penalty is divided by scale^2)."""
    n, t = codes.shape
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    indices = (codes.astype(np.int64) + offsets[None, :]).ravel()
    if scales is None:
        data = np.ones(n * t, dtype=np.float64)
    else:
        data = np.tile(np.asarray(scales, dtype=np.float64), n)
    indptr = np.arange(0, n * t + 1, t, dtype=np.int64)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, int(np.sum(sizes))))


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    est = LogisticRegression(C=c, solver="lbfgs", max_iter=400, tol=TOL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(x, y)
    return est.coef_[0].copy(), float(est.intercept_[0])


def log_loss(y: np.ndarray, z: np.ndarray) -> float:
    """Mean negative log-likelihood of logits ``z``."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


@dataclass(frozen=True, slots=True)
class CrossValidated:
    c: float
    oof: np.ndarray  # out-of-fold logits at the chosen C
    folds: np.ndarray  # each row's fold
    losses: dict[float, float]  # C -> mean out-of-fold log-loss


def cross_validate(
    x: sparse.csr_matrix,
    y: np.ndarray,
    *,
    folds: int,
    seed: int,
    grid: Sequence[float] = C_GRID,
    progress: ProgressFn | None = None,
) -> CrossValidated:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    k = max(2, min(folds, int(y.sum()), int((1 - y).sum())))
    split = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    fold_of = np.zeros(y.size, dtype=np.int32)
    oof = {c: np.zeros(y.size) for c in grid}
    total = k * len(grid)
    done = 0
    for f, (train, test) in enumerate(split.split(np.zeros(y.size), y)):
        fold_of[test] = f
        est = LogisticRegression(solver="lbfgs", max_iter=400, tol=TOL, warm_start=True)
        for c in sorted(grid):
            est.set_params(C=c)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(x[train], y[train])
            oof[c][test] = est.decision_function(x[test])
            done += 1
            if progress is not None:
                progress("choosing the regularisation", done, total)
    losses = {c: log_loss(y, oof[c]) for c in grid}
    best = min(grid, key=lambda c: (round(losses[c], 6), -c))
    return CrossValidated(c=best, oof=oof[best], folds=fold_of, losses=losses)


def platt(y: np.ndarray, z: np.ndarray) -> tuple[float, float]:
    """Slope and offset mapping out-of-fold logits to calibrated log-odds."""
    from sklearn.linear_model import LogisticRegression

    est = LogisticRegression(C=1e6, solver="lbfgs", max_iter=200)
    est.fit(z.reshape(-1, 1), y)
    return float(est.coef_[0][0]), float(est.intercept_[0])


def stratified_sample(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Row indices of a stratified random sample of at most ``size`` rows (sorted)."""
    if y.size <= size:
        return np.arange(y.size)
    rng = np.random.default_rng(seed)
    pos = np.flatnonzero(y == 1)
    neg = np.flatnonzero(y == 0)
    take_pos = max(1, round(size * pos.size / y.size))
    chosen = np.concatenate(
        [rng.choice(pos, take_pos, replace=False), rng.choice(neg, size - take_pos, replace=False)]
    )
    return np.sort(chosen)
