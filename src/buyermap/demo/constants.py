"""The planted structure of the demo workspace, as code constants.

Everything a test or a reader needs to check that analytics recover the plant lives
here: sizes at scale 1.0, the win-probability model (who wins) and the rotting model
(how long deals wait in a stage). ``docs/demo-data.md`` explains each constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

DEFAULT_AS_OF = datetime(2026, 10, 31, 18, 0)
"""The demo's "today": every date is relative to it, so a build is reproducible."""

HISTORY_DAYS = 730
"""Deals open over the two years before ``as_of``."""

SELLER_DOMAIN = "brightloop.io"
SURVEY_NAME = "Buyer priorities 2026"

# Sizes at scale 1.0 (``scale`` multiplies each; see ``scaled``).
N_USERS = 12
N_ACCOUNTS = 2000
N_CONTACTS = 8000
N_DEALS = 3000
SURVEY_SHARE = 0.45  # share of contacts who answered the survey
JOB_CHANGE_SHARE = 0.06  # share of contacts with an ended position at another account
HOLDING_SHARE = 0.05  # share of accounts that are subsidiaries of another account

INDUSTRIES: dict[str, float] = {
    "Software": 0.17,
    "Financial Services": 0.12,
    "Manufacturing": 0.16,
    "Healthcare": 0.12,
    "Retail": 0.14,
    "Logistics": 0.10,
    "Education": 0.08,
    "Professional Services": 0.11,
}
REVENUE_PER_EMPLOYEE: dict[str, float] = {
    "Software": 260_000,
    "Financial Services": 420_000,
    "Manufacturing": 310_000,
    "Healthcare": 180_000,
    "Retail": 210_000,
    "Logistics": 240_000,
    "Education": 90_000,
    "Professional Services": 170_000,
}
# Retail and professional services skew small; financial services and manufacturing large.
EMPLOYEE_LOG_MEDIAN: dict[str, float] = {
    "Software": math.log(160),
    "Financial Services": math.log(320),
    "Manufacturing": math.log(380),
    "Healthcare": math.log(260),
    "Retail": math.log(45),
    "Logistics": math.log(200),
    "Education": math.log(180),
    "Professional Services": math.log(60),
}
EMPLOYEE_LOG_SIGMA = 1.35


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    code: str
    region: str
    locale: str
    tld: str
    weight: float


COUNTRIES: tuple[Country, ...] = (
    Country("United States", "us", "North America", "en_US", "com", 0.30),
    Country("Canada", "ca", "North America", "en_CA", "ca", 0.05),
    Country("Germany", "de", "DACH", "de_DE", "de", 0.12),
    Country("Austria", "at", "DACH", "de_AT", "at", 0.03),
    Country("Switzerland", "ch", "DACH", "de_CH", "ch", 0.03),
    Country("United Kingdom", "uk", "UK & Ireland", "en_GB", "co.uk", 0.10),
    Country("Ireland", "ie", "UK & Ireland", "en_IE", "ie", 0.02),
    Country("Sweden", "se", "Nordics", "sv_SE", "se", 0.04),
    Country("Denmark", "dk", "Nordics", "da_DK", "dk", 0.02),
    Country("Norway", "no", "Nordics", "no_NO", "no", 0.02),
    Country("Finland", "fi", "Nordics", "fi_FI", "fi", 0.02),
    Country("France", "fr", "Southern Europe", "fr_FR", "fr", 0.07),
    Country("Spain", "es", "Southern Europe", "es_ES", "es", 0.05),
    Country("Italy", "it", "Southern Europe", "it_IT", "it", 0.05),
    Country("Netherlands", "nl", "Benelux", "nl_NL", "nl", 0.04),
    Country("Australia", "au", "APAC", "en_AU", "com.au", 0.03),
    Country("New Zealand", "nz", "APAC", "en_NZ", "co.nz", 0.01),
)

SOURCES: dict[str, float] = {
    "referral": 0.13,
    "webinar": 0.14,
    "inbound": 0.20,
    "outbound": 0.25,
    "event": 0.10,
    "partner": 0.08,
    "paid search": 0.10,
}

# --- Who wins: the planted win-probability model ------------------------------------
# Each deal's fate is drawn once when it opens: won with probability
#   p = sigmoid(WIN_INTERCEPT + INDUSTRY + SIZE_BAND + REGION + SOURCE effects).
# Deals that are not won are lost at some stage (or abandoned: left open, rotting).
WIN_INTERCEPT = -1.6
WIN_INDUSTRY: dict[str, float] = {
    "Software": 0.9,
    "Financial Services": 0.7,
    "Professional Services": 0.2,
    "Healthcare": 0.0,
    "Manufacturing": -0.1,
    "Logistics": -0.2,
    "Education": -0.4,
    "Retail": -0.9,
}
SIZE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("1-49", 1, 49),
    ("50-199", 50, 199),
    ("200-2000", 200, 2000),
    ("2001+", 2001, 10**9),
)
WIN_SIZE: dict[str, float] = {"1-49": -1.0, "50-199": -0.1, "200-2000": 0.9, "2001+": 0.1}
WIN_REGION: dict[str, float] = {
    "North America": 0.3,
    "DACH": 0.5,
    "UK & Ireland": 0.2,
    "Nordics": 0.3,
    "Benelux": 0.1,
    "Southern Europe": -0.3,
    "APAC": -0.4,
}
WIN_SOURCE: dict[str, float] = {
    "referral": 1.0,
    "webinar": 0.7,
    "partner": 0.3,
    "event": 0.1,
    "inbound": 0.0,
    "paid search": -0.3,
    "outbound": -0.6,
}


def size_band(employees: int) -> str:
    for name, low, high in SIZE_BANDS:
        if low <= employees <= high:
            return name
    return SIZE_BANDS[-1][0]


def win_logit(*, industry: str, employees: int, region: str, source: str) -> float:
    return (
        WIN_INTERCEPT
        + WIN_INDUSTRY[industry]
        + WIN_SIZE[size_band(employees)]
        + WIN_REGION[region]
        + WIN_SOURCE[source]
    )


def win_probability(*, industry: str, employees: int, region: str, source: str) -> float:
    """The planted chance that a deal is won (its fate, before the calendar cuts it off)."""
    logit = win_logit(industry=industry, employees=employees, region=region, source=source)
    return 1.0 / (1.0 + math.exp(-logit))


# --- How deals rot: the planted stage-timing model ------------------------------------
OPEN_STAGES: tuple[str, ...] = ("Lead", "Qualified", "Discovery", "Proposal", "Negotiation")
WON_STAGE = "Closed Won"
LOST_STAGE = "Closed Lost"


@dataclass(frozen=True, slots=True)
class StageTiming:
    """Advance hazard h(t) = rate * exp(-t / decay_days) for t days in the stage."""

    rate: float  # advances per day right after entering the stage
    decay_days: float  # e-folding time of the hazard
    lose_share: float  # share of losing deals that are lost in this stage
    mean_days_to_loss: float  # a losing deal leaves for Closed Lost after Exp(mean) days


STAGE_TIMING: dict[str, StageTiming] = {
    "Lead": StageTiming(rate=0.07, decay_days=20.0, lose_share=0.30, mean_days_to_loss=30.0),
    "Qualified": StageTiming(rate=0.05, decay_days=30.0, lose_share=0.24, mean_days_to_loss=40.0),
    "Discovery": StageTiming(rate=0.045, decay_days=35.0, lose_share=0.20, mean_days_to_loss=45.0),
    "Proposal": StageTiming(rate=0.04, decay_days=35.0, lose_share=0.16, mean_days_to_loss=45.0),
    "Negotiation": StageTiming(rate=0.05, decay_days=30.0, lose_share=0.10, mean_days_to_loss=35.0),
}
ABANDON_SHARE = 0.08
"""Share of losing deals nobody closes: they stay open in their last stage and rot."""

ROTTING_FACTOR = 3.0
"""A deal is "rotting" when it has been in its stage longer than this times the median."""

LOST_REASONS: tuple[str, ...] = (
    "Price",
    "No decision",
    "Competitor",
    "Timing",
    "Missing feature",
    "Budget cut",
    "Champion left",
)
# Probability of each lost reason, by the stage the deal was lost in.
LOST_REASON_BY_STAGE: dict[str, tuple[float, ...]] = {
    "Lead": (0.05, 0.40, 0.05, 0.35, 0.05, 0.08, 0.02),
    "Qualified": (0.10, 0.30, 0.10, 0.25, 0.10, 0.10, 0.05),
    "Discovery": (0.12, 0.20, 0.18, 0.12, 0.25, 0.08, 0.05),
    "Proposal": (0.35, 0.15, 0.22, 0.08, 0.10, 0.05, 0.05),
    "Negotiation": (0.45, 0.08, 0.25, 0.07, 0.05, 0.05, 0.05),
}


def scaled(n: int, scale: float, *, minimum: int = 1) -> int:
    return max(minimum, round(n * scale))
