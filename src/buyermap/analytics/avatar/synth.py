"""A generator of companies with a planted avatar: non-monotone effects and an interaction.

Who buys (``won`` = yes), on the log-odds scale (:func:`true_logit`):

* **size** (employees, log-normal around 150): mid-size wins, 200-2,000 employees
  +1.2, under 50 -1.0, over 5,000 -0.6 (non-monotone: tiny and huge do not buy);
* **years on the market**: a bump, 5-15 years +0.8, under 2 years -0.8;
* **industry**: Software +0.9, Financial Services +0.6, Retail -0.9, the rest 0;
* **region**: DACH +0.5, APAC -0.4;
* **interaction**: Software in DACH another +1.2 (more than the sum of the two);
* ``holding`` (yes/no words, in several languages) +0.3 when yes;
* ``noise_number`` and ``noise_category`` carry nothing.

With ``as_text`` numbers are written as text in mixed styles (employees ``12 500``,
``12,500`` or ``12500``; years ``9.6`` or ``9,6``), so type inference reads text columns.
"""

from __future__ import annotations

import numpy as np
import polars as pl

INDUSTRIES = (
    "Software",
    "Financial Services",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Logistics",
)
INDUSTRY_EFFECT = {"Software": 0.9, "Financial Services": 0.6, "Retail": -0.9}
REGIONS = ("DACH", "North America", "Nordics", "Southern Europe", "APAC")
REGION_EFFECT = {"DACH": 0.5, "APAC": -0.4}
INTERCEPT = -1.4
YES = ("yes", "tak", "igen", "ano", "kyllä", "já", "da")
NO = ("no", "nie", "nem", "ne", "ei", "nei", "nu")


def true_logit(
    employees: np.ndarray,
    years: np.ndarray,
    industry: np.ndarray,
    region: np.ndarray,
    holding: np.ndarray,
) -> np.ndarray:
    size = np.select(
        [employees < 50, (employees >= 200) & (employees < 2000), employees >= 5000],
        [-1.0, 1.2, -0.6],
        0.0,
    )
    age = np.select([years < 2, (years >= 5) & (years < 15)], [-0.8, 0.8], 0.0)
    ind = np.vectorize(lambda v: INDUSTRY_EFFECT.get(v, 0.0), otypes=[float])(industry)
    reg = np.vectorize(lambda v: REGION_EFFECT.get(v, 0.0), otypes=[float])(region)
    both = ((industry == "Software") & (region == "DACH")) * 1.2
    result: np.ndarray = INTERCEPT + size + age + ind + reg + both + 0.3 * holding
    return result


def companies(n: int, *, seed: int = 0, as_text: bool = True) -> tuple[pl.DataFrame, np.ndarray]:
    """``n`` companies with their outcome, and the planted log-odds of each."""
    rng = np.random.default_rng(seed)
    employees = np.maximum(1, np.round(rng.lognormal(np.log(150), 1.5, n))).astype(np.int64)
    years = rng.gamma(2.0, 6.0, n)
    industry = rng.choice(INDUSTRIES, n)
    region = rng.choice(REGIONS, n, p=[0.2, 0.35, 0.15, 0.2, 0.1])
    holding = rng.random(n) < 0.25
    logit = true_logit(employees, years, industry, region, holding)
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    lang = rng.integers(0, len(YES), n)
    holding_words = np.where(holding, np.asarray(YES)[lang], np.asarray(NO)[lang])
    emp_col: pl.Series
    age_col: pl.Series
    if as_text:
        styled = [
            f"{e:,}".replace(",", " ") if i % 3 == 0 else f"{e:,}" if i % 3 == 1 else str(e)
            for i, e in enumerate(employees.tolist())
        ]
        emp_col = pl.Series("employees", styled)
        age_col = pl.Series(
            "years_on_market",
            [
                f"{y:,.1f}".replace(",", " ").replace(".", ",") if i % 2 else f"{y:.1f}"
                for i, y in enumerate(years.tolist())
            ],
        )
    else:
        emp_col = pl.Series("employees", employees)
        age_col = pl.Series("years_on_market", np.round(years, 1))
    table = pl.DataFrame(
        [
            pl.Series("id", np.arange(1, n + 1)),
            emp_col,
            age_col,
            pl.Series("industry", industry),
            pl.Series("region", region),
            pl.Series("holding", holding_words),
            pl.Series("noise_number", rng.normal(0, 1, n)),
            pl.Series("noise_category", rng.choice(["a", "b", "c", "d"], n)),
            pl.Series("won", np.where(won, "yes", "no")),
        ]
    )
    return table, logit
