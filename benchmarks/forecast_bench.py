"""Speed of the forecast's Monte Carlo: 100k open deals x 10k simulations.

Run: ``uv run python benchmarks/forecast_bench.py [--deals 100000] [--simulations 10000]``

Prints the time of the vectorised path (win chances looked up from the fitted model, then
deals x simulations draws) and, in the same run, a naive per-deal Python loop on a subset,
scaled to the full size, with the ratio.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime

import numpy as np

from buyermap.analytics.pipeline.forecast import fit_model
from buyermap.analytics.pipeline.history import cutoff_of, normalise
from buyermap.analytics.pipeline.montecarlo import naive_simulate_wins, simulate_wins
from buyermap.analytics.pipeline.paths import snapshot
from buyermap.analytics.pipeline.synth import TrueModel, generate

TARGET_SECONDS = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--naive-deals", type=int, default=200)
    parser.add_argument("--naive-simulations", type=int, default=500)
    args = parser.parse_args()

    raw = generate(TrueModel(), start=datetime(2022, 1, 1), end=datetime(2024, 7, 1), seed=0)
    history = normalise(raw, source="synth", inputs_hash="bench")
    snap = snapshot(history, cutoff_of(date(2024, 6, 30)))
    curves = fit_model(snap, horizon=90)

    rng = np.random.default_rng(1)
    n = args.deals
    seg = rng.integers(0, len(snap.segments), n)
    stage = rng.integers(0, snap.n_open_stages, n)
    age = rng.exponential(20.0, n)
    amount = rng.lognormal(10.0, 1.0, n)

    start = time.perf_counter()
    p = curves.lookup(seg, stage, age)
    totals = simulate_wins(p, amount, args.simulations, rng)
    p10, p50, p90 = np.percentile(totals, [10, 50, 90])
    fast = time.perf_counter() - start

    k, m = args.naive_deals, args.naive_simulations
    start = time.perf_counter()
    naive_simulate_wins(p[:k], amount[:k], m, rng)
    naive = (time.perf_counter() - start) * (n / k) * (args.simulations / m)

    expected = float((p * amount).sum())
    print(f"deals x simulations: {n:,} x {args.simulations:,} (mean p(win) {p.mean():.3f})")
    print(f"expected {expected:,.0f}  P10 {p10:,.0f}  P50 {p50:,.0f}  P90 {p90:,.0f}")
    print(f"vectorised: {fast:.2f} s (target <= {TARGET_SECONDS:.0f} s)")
    print(f"naive Python loop ({k} deals x {m} simulations, scaled): {naive:,.0f} s")
    print(f"ratio naive / vectorised: {naive / fast:,.0f}x")
    print("PASS" if fast <= TARGET_SECONDS else "SLOW (the machine may be busy)")


if __name__ == "__main__":
    main()
