"""Personas on real data: BathSoap and The Complete Journey, profiled against held-out
demographics. Prints the markdown used in docs/personas.md.

    uv run python benchmarks/personas_realdata.py
"""

from __future__ import annotations

import time

import polars as pl

from buyermap.analytics.personas.discover import DiscoverQuery, discover
from buyermap.analytics.personas.examples import (
    BATHSOAP_BEHAVIOUR,
    BATHSOAP_HELD_OUT,
    JOURNEY_BEHAVIOUR,
    JOURNEY_HELD_OUT,
    JOURNEY_VOLUME,
    bathsoap,
    complete_journey,
    held_out_differences,
)
from buyermap.analytics.personas.loading import table_hash


def report(
    name: str,
    table: pl.DataFrame,
    id_column: str,
    bases: tuple[str, ...],
    held_out: tuple[str, ...],
) -> None:
    started = time.perf_counter()
    query = DiscoverQuery(id_column=id_column, variables=bases, describe=held_out, seed=0)
    result = discover(table, query, inputs_hash=table_hash(table))
    seconds = time.perf_counter() - started
    labels = pl.Series("persona", result.assignments.persona.tolist(), dtype=pl.Utf8)
    print(f"\n### {name}: {table.height:,} rows, {len(bases)} behavioural variables\n")
    print(f"k = {result.k} ({seconds:.1f} s); warnings: {'; '.join(result.warnings) or 'none'}\n")
    print("| persona | share | stability | top traits |")
    print("|---|---|---|---|")
    for p in result.to_dict()["personas"]:
        traits = ", ".join(
            f"{t['variable']} {t.get('level') or ''} (lift {t['lift']:.2f})".replace("  ", " ")
            for t in p["traits"][:3]
        )
        print(f"| {p['name']}: {p['title']} | {p['share']:.0%} | {p['stability']} | {traits} |")
    print("\nHeld-out descriptors (never seen by the model):\n")
    print("| column | test | n | p-value | effect |")
    print("|---|---|---|---|---|")
    for row in held_out_differences(table, labels, held_out):
        print(
            f"| {row.column} | {row.test} | {row.n} | {row.p_value:.2g} "
            f"| {row.effect_name} = {row.effect} |"
        )


def main() -> None:
    report("BathSoap households", bathsoap(), "household", BATHSOAP_BEHAVIOUR, BATHSOAP_HELD_OUT)
    journey = complete_journey()
    report(
        "The Complete Journey households, shopping style",
        journey,
        "household_id",
        JOURNEY_BEHAVIOUR,
        JOURNEY_HELD_OUT,
    )
    report(
        "The Complete Journey households, volume-led",
        journey,
        "household_id",
        JOURNEY_VOLUME,
        JOURNEY_HELD_OUT,
    )


if __name__ == "__main__":
    main()
