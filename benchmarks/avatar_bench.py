"""The learned avatar at scale, next to logistic regression and gradient boosting.

Run:  uv run python benchmarks/avatar_bench.py --rows 1000000
      uv run python benchmarks/avatar_bench.py --rows 50000          (quick)

Data: ``analytics/avatar/synth.py``'s planted companies (non-monotone size and age, an
industry x region interaction, yes/no words) widened to 20 mixed columns with 6 weak
numbers and 7 weak or empty categories, numbers as numbers (the text path is tested in
``tests/analytics/avatar``). A fresh holdout of ``--test-rows`` rows from another seed.

Steps, timed separately in one process: learn (type inference, bins, CV choice of C on a
60,000-row sample, interaction screening, the final fit on every row), score every
training row (fit, tier, three reasons in words), and the baselines on the same rows:
a well-tuned logistic regression (log employees, one-hot categories, C by 3-fold CV) and
scikit-learn's HistGradientBoostingClassifier (native categories, early stopping). AUCs on
the holdout; the top-20% capture is the share of the holdout's positives in its top 20%.
Peak memory is the process's maximum RSS (resource.getrusage).
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings
from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from buyermap.analytics.avatar import LearnQuery, learn, score
from buyermap.analytics.avatar.synth import companies

NUMBERS = ("employees", "years_on_market", "noise_number")
CATEGORIES = ("industry", "region", "holding", "noise_category")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wide(n: int, seed: int) -> tuple[pl.DataFrame, np.ndarray]:
    """The planted companies with 13 more columns (20 features in all)."""
    table, logit = companies(n, seed=seed, as_text=False)
    rng = np.random.default_rng(seed + 100)
    extra: dict[str, Any] = {}
    weak = rng.normal(0, 1, (n, 6))
    for j in range(6):
        extra[f"score_{j}"] = weak[:, j]
    logit = logit + 0.15 * weak[:, 0] - 0.1 * weak[:, 1] ** 2
    for j in range(7):
        levels = [f"v{k}" for k in range(3 + 4 * j)]
        values = rng.choice(levels, n).astype(object)
        values[rng.random(n) < 0.1 * (j % 3)] = None
        extra[f"attr_{j}"] = values
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    table = table.with_columns(
        *(pl.Series(k, list(v) if v.dtype == object else v) for k, v in extra.items()),
        pl.Series("won", np.where(won, "yes", "no")),
    )
    return table, logit


def _auc_top(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    top = np.argsort(-p)[: len(p) // 5]
    return float(roc_auc_score(y, p)), float(y[top].sum() / max(y.sum(), 1))


def baseline_matrix(t: pl.DataFrame, levels: dict[str, list[str]]) -> np.ndarray:
    cols = [np.log1p(t["employees"].cast(pl.Float64).to_numpy())]
    cols += [t[c].cast(pl.Float64).to_numpy() for c in t.columns if c.startswith("score_")]
    cols += [t["years_on_market"].to_numpy(), t["noise_number"].to_numpy()]
    for c, lv in levels.items():
        values = t[c].fill_null("(empty)").to_numpy()
        cols += [(values == v).astype(np.float64) for v in lv[1:]]
    x = np.column_stack(cols)
    out: np.ndarray = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
    return out


def hist_matrix(t: pl.DataFrame, levels: dict[str, list[str]]) -> np.ndarray:
    cols = [t["employees"].cast(pl.Float64).to_numpy()]
    cols += [t[c].cast(pl.Float64).to_numpy() for c in t.columns if c.startswith("score_")]
    cols += [t["years_on_market"].to_numpy(), t["noise_number"].to_numpy()]
    for c, lv in levels.items():
        index = {v: i for i, v in enumerate(lv)}
        cols.append(np.array([index.get(v, 0) for v in t[c].fill_null("(empty)").to_list()], float))
    return np.column_stack(cols)


def main() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--baseline-rows", type=int, default=None, help="default: --rows")
    parser.add_argument("--no-baselines", action="store_true", help="time the avatar only")
    args = parser.parse_args()
    train, _ = wide(args.rows, seed=1)
    test, truth = wide(args.test_rows, seed=2)
    y = (test["won"] == "yes").to_numpy()
    print(f"rows {args.rows:,} x {train.width - 2} features; holdout {args.test_rows:,}")

    t0 = time.perf_counter()
    result = learn(LearnQuery(outcome="won", id_column="id"), train, inputs_hash="bench")
    learn_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scored = score(result.model, train)
    reasons = scored.reasons_text()
    score_s = time.perf_counter() - t0
    ours = _auc_top(y, score(result.model, test).probability)
    print(
        f"avatar: learn {learn_s:.1f} s, score {train.height:,} rows {score_s:.1f} s "
        f"({len(reasons):,} reasons); CV AUC {result.auc:.4f} "
        f"[{result.auc_interval[0]:.4f}, {result.auc_interval[1]:.4f}], C={result.c}, "
        f"interactions {[i['terms'] for i in result.interactions]}"
    )
    print(f"peak memory after the avatar: {peak_mib():,.0f} MiB")

    if args.no_baselines:
        return
    nb = args.baseline_rows or args.rows
    base = train.head(nb)
    by = (base["won"] == "yes").to_numpy()
    levels = {
        c: sorted(base[c].fill_null("(empty)").unique().to_list())
        for c in [*CATEGORIES, *(c for c in base.columns if c.startswith("attr_"))]
    }
    t0 = time.perf_counter()
    with threadpool_limits(1):
        logistic = LogisticRegressionCV(
            Cs=[0.01, 0.1, 1.0, 10.0], cv=3, max_iter=300, scoring="neg_log_loss"
        )
        logistic.fit(baseline_matrix(base, levels), by)
    lin_s = time.perf_counter() - t0
    lin = _auc_top(y, logistic.predict_proba(baseline_matrix(test, levels))[:, 1])
    t0 = time.perf_counter()
    cat_mask = [False] * (3 + 6) + [True] * len(levels)
    boosted = HistGradientBoostingClassifier(
        categorical_features=cat_mask, early_stopping=True, random_state=0
    )
    boosted.fit(hist_matrix(base, levels), by)
    gb_s = time.perf_counter() - t0
    gb = _auc_top(y, boosted.predict_proba(hist_matrix(test, levels))[:, 1])
    best = _auc_top(y, truth)
    print(f"baselines on {nb:,} rows:")
    rows = [
        ("avatar (this)", learn_s, *ours),
        ("logistic (linear, tuned C)", lin_s, *lin),
        ("hist gradient boosting", gb_s, *gb),
        ("planted log-odds (ceiling)", 0.0, *best),
    ]
    print(f"{'model':30} {'fit s':>8} {'AUC':>7} {'top20%':>7}")
    for name, secs, auc, top in rows:
        print(f"{name:30} {secs:8.1f} {auc:7.4f} {top:7.3f}")
    print(
        f"ratios: avatar/logistic fit time {learn_s / lin_s:.2f}, avatar/HistGB fit time "
        f"{learn_s / gb_s:.2f}; AUC avatar - logistic {ours[0] - lin[0]:+.4f}, "
        f"avatar - HistGB {ours[0] - gb[0]:+.4f}"
    )
    print(f"peak memory: {peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
