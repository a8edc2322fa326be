"""Planted personas in realistic mixed data: the known answer persona discovery must find.

What is planted (all from one seed; the structure does not depend on the number of rows):

* ``k`` personas (default 4) of unequal size (default shares 0.40, 0.28, 0.20, 0.12);
* segmentation variables of every kind: categorical (``department``, ``industry``,
  ``seniority``, ``channel``), ordinal (``company_size`` bands and Likert items ``q_*``
  worded "Strongly disagree" .. "Strongly agree" or scored 1..5), counts
  (``webinars_attended``, ``emails_opened``, ``site_visits``, ``support_tickets``;
  negative binomial, overdispersed) and continuous (``annual_spend``: log-normal;
  ``days_to_decide``, ``seats_used_pct``);
* three noise columns unrelated to the personas (``noise_flag``, ``noise_score``,
  ``noise_count``), descriptors (``age``, ``country``), an id (``contact_id``), a role
  column (``role``: buyer / end user / influencer, independent of persona unless
  ``role_personas`` plants different personas per role) and free text (``comment``);
* missing cells (default 5% of every segmentation cell, at random), optionally one
  variable missing for a whole persona (``missing_block``);
* off-profile rows (default 3%): each variable drawn from a random persona, so the row
  belongs to none (truth label -1).

``separation`` (default 1.0) scales how far personas sit apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

LIKERT = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")
BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "department": ("Marketing", "Sales", "IT", "Finance", "Operations", "HR"),
    "industry": (
        "Software",
        "Retail",
        "Manufacturing",
        "Healthcare",
        "Finance",
        "Education",
        "Logistics",
        "Media",
    ),
    "seniority": ("Individual contributor", "Manager", "Director", "VP", "C-level"),
    "channel": ("Organic search", "Paid social", "Referral", "Events", "Outbound"),
}
ORDINAL_TEXT = {"company_size": BANDS, "q_price_matters": LIKERT, "q_needs_integrations": LIKERT}
ORDINAL_SCORE = ("q_ease_of_use", "q_support_quality", "q_security_first")
COUNTS = ("webinars_attended", "emails_opened", "site_visits", "support_tickets")
CONTINUOUS = ("annual_spend", "days_to_decide", "seats_used_pct")
NOISE = ("noise_flag", "noise_score", "noise_count")
QUOTES = (
    "We need this to plug into everything we already run.",
    "Price decides it for us; show me the total cost.",
    "My team has to be able to use it without training.",
    "Security review comes first, then we talk.",
    "I want numbers I can take to the board.",
    "Support that answers quickly is worth paying for.",
)


@dataclass(frozen=True)
class SynthData:
    """A generated table with its planted truth."""

    frame: pl.DataFrame
    truth: np.ndarray  # persona index per row, -1 for off-profile rows
    k: int
    bases: tuple[str, ...]
    descriptors: tuple[str, ...]


def _categorical(rng: np.random.Generator, k: int, n_levels: int, sep: float) -> np.ndarray:
    probs = np.empty((k, n_levels))
    for c in range(k):
        base = rng.dirichlet(np.full(n_levels, 4.0))
        fav = np.zeros(n_levels)
        fav[rng.integers(n_levels)] = 1.0
        s = min(0.95, sep * rng.uniform(0.25, 0.55))
        probs[c] = (1 - s) * base + s * fav
    return probs


def _ordinal(rng: np.random.Generator, k: int, n_levels: int, sep: float) -> np.ndarray:
    centres = rng.uniform(-1.0, 1.0, size=k) * sep * 1.2
    cuts = np.linspace(-1.5, 1.5, n_levels - 1)
    from scipy.stats import norm

    cdf = norm.cdf((cuts[None, :] - centres[:, None]) / 1.0)
    full = np.hstack([np.zeros((k, 1)), cdf, np.ones((k, 1))])
    return np.diff(full, axis=1)


def _draw(rng: np.random.Generator, probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs, axis=1)[labels]
    u = rng.random(labels.size)[:, None]
    out: np.ndarray = np.minimum((u > cum).sum(1), probs.shape[1] - 1)
    return out


def _text_col(name: str, codes: np.ndarray, levels: tuple[str, ...], miss: np.ndarray) -> pl.Series:
    s = pl.Series(name, codes.astype(np.int64)).replace_strict(
        dict(enumerate(levels)), return_dtype=pl.Utf8
    )
    return pl.select(pl.when(pl.Series(miss)).then(None).otherwise(s)).to_series().alias(name)


def _num_col(name: str, values: np.ndarray, miss: np.ndarray) -> pl.Series:
    return pl.Series(name, np.where(miss, np.nan, values)).fill_nan(None)


def make_personas_data(
    n: int,
    *,
    k: int = 4,
    seed: int = 7,
    shares: tuple[float, ...] | None = None,
    separation: float = 1.0,
    missing: float = 0.05,
    off_profile: float = 0.03,
    missing_block: tuple[str, int] | None = None,
    role_personas: bool = False,
) -> SynthData:
    """Generate ``n`` rows with ``k`` planted personas (see the module docstring)."""
    rng = np.random.default_rng(seed)
    if shares is None:
        base = np.array([0.40, 0.28, 0.20, 0.12, 0.10, 0.08, 0.06, 0.05])[:k]
        shares_arr = base / base.sum()
    else:
        shares_arr = np.asarray(shares, dtype=np.float64) / sum(shares)
    # The structure first, so it is the same for every n.
    cat_p = {v: _categorical(rng, k, len(lv), separation) for v, lv in CATEGORICAL.items()}
    ord_p = {v: _ordinal(rng, k, len(lv), separation) for v, lv in ORDINAL_TEXT.items()}
    score_p = {v: _ordinal(rng, k, 5, separation) for v in ORDINAL_SCORE}
    count_mu = {v: np.exp(rng.normal(np.log(3.0), 0.55 * separation, size=k)) for v in COUNTS}
    spend_mu = rng.normal(np.log(20_000), 0.6 * separation, size=k)
    decide_mu = rng.normal(60, 18 * separation, size=k)
    seats_mu = rng.normal(55, 12 * separation, size=k)
    quote_of = rng.permutation(len(QUOTES))[:k] if k <= len(QUOTES) else np.arange(k) % 6

    labels = rng.choice(k, size=n, p=shares_arr)
    off = rng.random(n) < off_profile
    truth = np.where(off, -1, labels)
    if role_personas:
        role_idx = np.where(labels < (k + 1) // 2, 0, 1 + (labels % 2))
    else:
        role_idx = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])

    def lab() -> np.ndarray:
        """Per-variable labels: off-profile rows take a random persona for each variable."""
        return np.where(off, rng.integers(0, k, size=n), labels)

    def miss_mask(var: str) -> np.ndarray:
        m = rng.random(n) < missing
        if missing_block is not None and missing_block[0] == var:
            m |= labels == missing_block[1]
        return m

    cols: list[pl.Series] = [pl.Series("contact_id", np.arange(1, n + 1))]
    for v, lv in CATEGORICAL.items():
        cols.append(_text_col(v, _draw(rng, cat_p[v], lab()), lv, miss_mask(v)))
    for v, lv in ORDINAL_TEXT.items():
        cols.append(_text_col(v, _draw(rng, ord_p[v], lab()), lv, miss_mask(v)))
    for v in ORDINAL_SCORE:
        cols.append(_num_col(v, _draw(rng, score_p[v], lab()) + 1.0, miss_mask(v)))
    for v in COUNTS:
        mu = count_mu[v][lab()]
        r = 2.5
        counts = rng.poisson(rng.gamma(r, mu / r))
        cols.append(_num_col(v, counts.astype(np.float64), miss_mask(v)))
    spend = np.exp(rng.normal(spend_mu[lab()], 0.45))
    cols.append(_num_col("annual_spend", np.round(spend, 2), miss_mask("annual_spend")))
    decide = np.maximum(1.0, rng.normal(decide_mu[lab()], 12.0))
    cols.append(_num_col("days_to_decide", np.round(decide, 1), miss_mask("days_to_decide")))
    seats = np.clip(rng.normal(seats_mu[lab()], 10.0), 0, 100)
    cols.append(_num_col("seats_used_pct", np.round(seats, 1), miss_mask("seats_used_pct")))
    cols.append(_text_col("noise_flag", rng.integers(0, 2, size=n), ("no", "yes"), miss_mask("")))
    cols.append(_num_col("noise_score", rng.normal(0, 1, size=n), miss_mask("")))
    cols.append(_num_col("noise_count", rng.poisson(2.0, size=n).astype(float), miss_mask("")))
    cols.append(pl.Series("age", np.round(rng.normal(41, 9, size=n)).astype(np.int64)))
    countries = ("US", "UK", "DE", "FR", "NL", "ES")
    cols.append(_text_col("country", rng.integers(0, 6, size=n), countries, np.zeros(n, bool)))
    roles = ("buyer", "end user", "influencer")
    cols.append(_text_col("role", role_idx, roles, np.zeros(n, bool)))
    q_codes = np.where(off, rng.integers(0, len(QUOTES), size=n), quote_of[labels])
    no_quote = rng.random(n) < 0.3
    cols.append(_text_col("comment", q_codes, QUOTES, no_quote))
    frame = pl.DataFrame(cols)
    bases = (*CATEGORICAL, *ORDINAL_TEXT, *ORDINAL_SCORE, *COUNTS, *CONTINUOUS, *NOISE)
    return SynthData(frame, truth, k, bases, ("age", "country"))
