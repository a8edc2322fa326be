"""The learned avatar on real data, against logistic regression and gradient boosting.

Run:  uv run python benchmarks/avatar_realdata.py

* **UCI Bank Marketing** (B2C: who subscribes a term deposit; 45,211 calls 2008-2010, in
  time order) from the dev dependency ``mlba`` (``mlba/csvFiles/Bank-bias-data.csv.gz``).
  Temporal split: the first 80% of the rows train, the last 20% test (later calls).
  ``duration`` (the call's length, known only after the call) is dropped, as the data's
  documentation asks for a realistic model. Run twice: with every column, and with the
  customer's attributes only (without ``day`` and ``month``, the call's date: under a
  temporal split the test rows are later months, so calendar effects do not carry over).
* **Caravan** (CoIL 2000, ``Purchase``): no package in the lock ships it (ISLP is not a
  dependency; ``mlba`` has no Caravan file), so it is skipped and said so.

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


def compare(name: str, table: pl.DataFrame, target: str, positive: str) -> None:
    cut = int(table.height * TRAIN_SHARE)
    train, test = table.head(cut), table.slice(cut)
    y_tr = (train[target].cast(pl.Utf8) == positive).to_numpy()
    y_te = (test[target].cast(pl.Utf8) == positive).to_numpy()
    print(
        f"\n{name}: {train.height:,} training rows (positive rate {y_tr.mean():.1%}), "
        f"{test.height:,} test rows (positive rate {y_te.mean():.1%}), temporal split"
    )
    rows = []
    t0 = time.perf_counter()
    result = learn(LearnQuery(outcome=target, positive=positive), train, inputs_hash=name)
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
    print(f"  {'model':26} {'fit s':>6} {'test AUC':>9} {'top 20% captures':>17}")
    for label, secs, p in rows:
        print(f"  {label:26} {secs:6.1f} {roc_auc_score(y_te, p):9.4f} {capture(y_te, p):17.1%}")


def bank() -> pl.DataFrame:
    source = importlib.resources.files("mlba") / "csvFiles" / "Bank-bias-data.csv.gz"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.csv"
        path.write_bytes(gzip.decompress(source.read_bytes()))
        return read_input(path).drop("duration")


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
    print(
        "\nCaravan (CoIL 2000): skipped: no package in uv.lock ships it (ISLP is not a "
        "dependency, mlba has no Caravan file), and nothing is downloaded at run time."
    )


if __name__ == "__main__":
    main()
