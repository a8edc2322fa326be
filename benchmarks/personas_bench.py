"""Persona discovery against planted truth, next to one-hot k-means and k-prototypes.

Run:  uv run python benchmarks/personas_bench.py --rows 1000000
      uv run python benchmarks/personas_bench.py --rows 20000        (quick)

Steps (timed separately):
1. generate ``--rows`` rows with 4 planted personas and 20 mixed segmentation variables
   (buyermap.analytics.personas.synth), write them to Parquet;
2. end to end: read the Parquet file, infer variable kinds, fit the latent class model on a
   random sample of ``--fit-rows`` rows for k = 1..8 (BIC, bootstrap stability), assign
   every row in chunks, profile the personas and write the assignments CSV;
3. baselines in the same process on a sample of ``--baseline-rows`` rows (said in the
   output): one-hot k-means (scikit-learn, k given) and k-prototypes (kmodes, k given).

Adjusted Rand index (ARI) is computed against the planted personas, leaving out the
off-profile rows (which belong to no persona). Peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from buyermap.analytics.personas.discover import DiscoverQuery, discover
from buyermap.analytics.personas.loading import read_input
from buyermap.analytics.personas.synth import SynthData, make_personas_data


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ari(truth: np.ndarray, labels: np.ndarray) -> float:
    keep = truth >= 0
    return float(adjusted_rand_score(truth[keep], labels[keep]))


def onehot_kmeans(frame: pl.DataFrame, k: int, seed: int) -> np.ndarray:
    """Standard practice: one-hot the labels, mean-impute, z-score, k-means."""
    numeric = [c for c in frame.columns if frame[c].dtype.is_numeric()]
    parts = [frame.select(numeric).to_numpy().astype(np.float64)] if numeric else []
    text = [c for c in frame.columns if c not in numeric]
    if text:
        parts.append(frame.select(text).to_dummies().to_numpy().astype(np.float64))
    x = np.hstack(parts)
    mean = np.nanmean(x, axis=0)
    x = np.where(np.isnan(x), mean, x)
    sd = x.std(0)
    x = (x - x.mean(0)) / np.where(sd > 0, sd, 1.0)
    labels: np.ndarray = KMeans(k, n_init=10, random_state=seed).fit(x).labels_
    return labels


def kprototypes(frame: pl.DataFrame, k: int, seed: int) -> np.ndarray:
    """k-prototypes (Huang 1997): means for numbers, modes for labels; missing -> fill."""
    from kmodes.kprototypes import KPrototypes

    numeric = [c for c in frame.columns if frame[c].dtype.is_numeric()]
    text = [c for c in frame.columns if c not in numeric]
    num = frame.select(numeric).to_numpy().astype(np.float64)
    num = np.where(np.isnan(num), np.nanmean(num, axis=0), num)
    num = (num - num.mean(0)) / np.where(num.std(0) > 0, num.std(0), 1.0)
    cat = frame.select(text).fill_null("(missing)").to_numpy().astype(object)
    x = np.hstack([num, cat])
    cat_idx = list(range(num.shape[1], x.shape[1]))
    model: Any = KPrototypes(n_clusters=k, init="Cao", n_init=3, random_state=seed, n_jobs=1)
    labels: np.ndarray = np.asarray(model.fit_predict(x, categorical=cat_idx))
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--fit-rows", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--kproto-rows", type=int, default=5_000)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--bootstrap", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    data: SynthData = make_personas_data(args.rows, seed=args.seed)
    t_gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "planted.parquet"
        data.frame.write_parquet(source)
        del data  # the end-to-end run starts from the file only
        truth = make_personas_data(args.rows, seed=args.seed).truth
        t1 = time.perf_counter()
        table = read_input(source)
        query = DiscoverQuery(
            id_column="contact_id",
            describe=("age", "country"),
            exclude=("role",),
            quote_column="comment",
            n_init=args.restarts,
            n_boot=args.bootstrap,
            fit_rows=args.fit_rows,
        )
        result = discover(table, query, inputs_hash="bench")
        result.assignments.frame("contact_id").write_csv(Path(tmp) / "assignments.csv")
        t_e2e = time.perf_counter() - t1
    keys = [p.key for p in result.personas]
    ours = np.array([keys.index(str(k)) for k in result.assignments.persona])
    n_vars = len(result.variables.bases)
    print(f"rows: {args.rows:,}  segmentation variables: {n_vars}  planted k: 4")
    print(f"generate + write parquet: {t_gen:.1f} s (not part of end to end)")
    print(
        f"buyermap LCA   end to end {t_e2e:6.1f} s  fit sample {min(args.fit_rows, args.rows):,}"
        f"  k found {result.k} ({'right' if result.k == 4 else 'WRONG'})"
        f"  ARI all rows {ari(truth, ours):.3f}"
    )
    rng = np.random.default_rng(args.seed)
    sample = np.sort(rng.choice(args.rows, size=min(args.baseline_rows, args.rows), replace=False))
    base = table[sample].select([v.name for v in result.variables.bases])
    t2 = time.perf_counter()
    km = onehot_kmeans(base, 4, args.seed)
    t_km = time.perf_counter() - t2
    print(
        f"one-hot k-means            {t_km:6.1f} s  sample {sample.size:,} rows, k=4 given"
        f"  ARI {ari(truth[sample], km):.3f}  (buyermap on the same rows "
        f"{ari(truth[sample], ours[sample]):.3f})"
    )
    ksample = sample[: min(args.kproto_rows, sample.size)]
    t3 = time.perf_counter()
    kp = kprototypes(table[ksample].select(base.columns), 4, args.seed)
    t_kp = time.perf_counter() - t3
    print(
        f"k-prototypes               {t_kp:6.1f} s  sample {ksample.size:,} rows, k=4 given"
        f"  ARI {ari(truth[ksample], kp):.3f}  (buyermap on the same rows "
        f"{ari(truth[ksample], ours[ksample]):.3f})"
    )
    print(f"peak memory (max RSS, whole process): {peak_mib():,.0f} MiB")
    for c in result.buckets[0].candidates:
        stab = "-" if c.mean_stability is None else f"{c.mean_stability:.2f}"
        print(f"  k={c.k}{'*' if c.chosen else ' '} BIC {c.bic:12.0f}  stability {stab}  {c.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
