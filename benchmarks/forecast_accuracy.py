"""Forecast accuracy against a known model (see buyermap.analytics.pipeline.synth).

Run: ``uv run python benchmarks/forecast_accuracy.py [--seeds 8] [--simulations 2000]``

For each seed a 2.5-year history is generated; at quarterly as-of dates the forecast (which
sees only the changes up to the date) is compared with

* the TRUE expected bookings of the deals open then (exact, from the true model),
* what actually happened in the next 90 days (for the P10-P90 coverage),
* the weighted pipeline (amount x the stage's historical win rate), the usual baseline.

Targets: expected within +-10% of the truth on average over as-of dates; P10-P90 covering
the realised value in 70-90% of snapshots.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime

import numpy as np

from buyermap.analytics.pipeline.backtest import realised
from buyermap.analytics.pipeline.forecast import ForecastQuery, run_forecast
from buyermap.analytics.pipeline.history import cutoff_of, normalise
from buyermap.analytics.pipeline.paths import snapshot, to_days
from buyermap.analytics.pipeline.synth import (
    TrueModel,
    generate,
    true_new_expected,
    true_open_expected,
)

START = datetime(2022, 1, 1)
END = datetime(2024, 7, 1)
AS_OF = (
    date(2022, 10, 1),
    date(2023, 1, 1),
    date(2023, 4, 1),
    date(2023, 7, 1),
    date(2023, 10, 1),
    date(2024, 1, 1),
    date(2024, 3, 31),
)
HORIZON = 90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--simulations", type=int, default=2000)
    parser.add_argument("--bootstrap", type=int, default=20)
    args = parser.parse_args()
    model = TrueModel()
    rows: list[dict[str, float]] = []
    began = time.perf_counter()
    for seed in range(args.seeds):
        history = normalise(
            generate(model, start=START, end=END, seed=100 + seed),
            source=f"seed {seed}",
            inputs_hash=str(seed),
        )
        for as_of in AS_OF:
            query = ForecastQuery(
                as_of=as_of,
                horizon_days=HORIZON,
                simulations=args.simulations,
                seed=seed,
                bootstrap=args.bootstrap,
            )
            f = run_forecast(history, query)
            cut = cutoff_of(as_of)
            snap = snapshot(history, cut)
            truth = true_open_expected(model, snap, HORIZON)
            truth_new = true_new_expected(
                model, start=to_days(START), cutoff=snap.cutoff, horizon=HORIZON
            )
            real = realised(history, cut, HORIZON)
            o, n = f.open_pipeline, f.with_new_deals
            actual_all = real.open_pipeline + real.new_deals
            rows.append(
                {
                    "seed": seed,
                    "open": f.open_deals,
                    "ratio": o.expected / truth,
                    "weighted_ratio": f.weighted_pipeline / truth,
                    "covered": float(o.p10 <= real.open_pipeline <= o.p90),
                    "new_ratio": n.expected / (truth + truth_new),
                    "new_covered": float(n.p10 <= actual_all <= n.p90),
                }
            )
    elapsed = time.perf_counter() - began

    def col(key: str, seed: int | None = None) -> np.ndarray:
        return np.array([r[key] for r in rows if seed is None or r["seed"] == seed])

    print(f"{args.seeds} seeds x {len(AS_OF)} as-of dates, horizon {HORIZON} days")
    print("seed  open deals  model/truth (mean over dates)  weighted/truth  coverage")
    for seed in range(args.seeds):
        print(
            f"{seed:4d}  {col('open', seed).mean():10.0f}  {col('ratio', seed).mean():29.3f}"
            f"  {col('weighted_ratio', seed).mean():14.3f}  {col('covered', seed).mean():8.2f}"
        )
    per_seed = np.array([col("ratio", s).mean() for s in range(args.seeds)])
    print()
    print(f"open pipeline, model / truth: mean {col('ratio').mean():.3f}")
    print(f"  mean |error| per snapshot: {np.abs(col('ratio') - 1).mean():.1%}")
    print(
        "  seeds whose average over dates is within +-10%: "
        f"{np.mean(np.abs(per_seed - 1) <= 0.1):.0%}"
    )
    print(f"  P10-P90 coverage of the realised value: {col('covered').mean():.1%} (target 70-90%)")
    print(
        f"weighted pipeline / truth: mean {col('weighted_ratio').mean():.3f}, "
        f"mean |error| {np.abs(col('weighted_ratio') - 1).mean():.1%}"
    )
    print(
        f"with new deals, model / truth: mean {col('new_ratio').mean():.3f}, "
        f"mean |error| {np.abs(col('new_ratio') - 1).mean():.1%}, "
        f"P10-P90 coverage {col('new_covered').mean():.1%}"
    )
    print(f"time: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
