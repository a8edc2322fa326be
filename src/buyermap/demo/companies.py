"""The seller's sales team and the accounts it sells to (a pure plan: rows, no database)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from buyermap.demo.common import PlanContext, Row, ascii_slug, unique, weighted_choice
from buyermap.demo.constants import (
    COUNTRIES,
    EMPLOYEE_LOG_MEDIAN,
    EMPLOYEE_LOG_SIGMA,
    HOLDING_SHARE,
    INDUSTRIES,
    N_ACCOUNTS,
    N_USERS,
    REVENUE_PER_EMPLOYEE,
    SELLER_DOMAIN,
    Country,
    scaled,
)
from buyermap.domain.enums import UserRole

PHASE_USERS, PHASE_ACCOUNTS = 1, 2

NAME_FLAVOURS: dict[str, tuple[str, ...]] = {
    "Software": ("Labs", "Systems", "Cloud", "Software", "Digital"),
    "Financial Services": ("Capital", "Finance", "Bank", "Insurance", "Asset Management"),
    "Manufacturing": ("Industries", "Manufacturing", "Werke", "Components", "Machinery"),
    "Healthcare": ("Health", "Medical", "Clinics", "Care", "Pharma"),
    "Retail": ("Stores", "Retail", "Outlet", "Market", "Shop"),
    "Logistics": ("Logistics", "Freight", "Transport", "Shipping", "Cargo"),
    "Education": ("Academy", "Learning", "College", "Institute", "Education"),
    "Professional Services": ("Consulting", "Partners", "Advisory", "Associates", "Legal"),
}
CRMS = {"Salesforce": 0.3, "HubSpot": 0.3, "Dynamics 365": 0.12, "Pipedrive": 0.1, "none": 0.18}
# Sales team territories: how many reps cover each region (the first user is the manager).
TERRITORIES: tuple[str, ...] = (
    "North America",
    "North America",
    "North America",
    "DACH",
    "DACH",
    "UK & Ireland",
    "UK & Ireland",
    "Nordics",
    "Southern Europe",
    "Southern Europe",
    "Benelux",
    "APAC",
)


@dataclass(frozen=True)
class AccountPlan:
    rows: list[Row]  # DB columns plus "_parent" (index or None)
    countries: list[Country]
    owners: list[int]  # user index per account


def plan_users(ctx: PlanContext) -> tuple[list[Row], list[str]]:
    """The sales team: rows and each user's territory (region)."""
    rng = ctx.rng(PHASE_USERS)
    n = scaled(N_USERS, ctx.scale, minimum=3)
    taken: set[str] = set()
    rows: list[Row] = []
    territories: list[str] = []
    for i in range(n):
        fake = ctx.faker(("en_US", "en_GB", "de_DE")[int(rng.integers(3))])
        first, last = fake.first_name(), fake.last_name()
        email = unique(f"{ascii_slug(first, sep='')}.{ascii_slug(last, sep='')}", taken)
        created = ctx.days_ago(900 - 30 * i)
        rows.append(
            {
                "name": f"{first} {last}",
                "email": f"{email}@{SELLER_DOMAIN}",
                "role": (UserRole.OWNER if i == 0 else UserRole.MEMBER).value,
                "can_login": False,
                "created_at": created,
                "updated_at": created,
            }
        )
        territories.append(TERRITORIES[i % len(TERRITORIES)])
    return rows, territories


def _company_name(rng: np.random.Generator, ctx: PlanContext, country: Country, ind: str) -> str:
    fake = ctx.faker(country.locale)
    if rng.random() < 0.6:
        flavours = NAME_FLAVOURS[ind]
        return f"{fake.last_name()} {flavours[int(rng.integers(len(flavours)))]}"
    return str(fake.company())


def _segment(employees: int) -> str:
    if employees < 200:
        return "SMB"
    return "Mid-market" if employees <= 2000 else "Enterprise"


def plan_accounts(ctx: PlanContext, territories: list[str]) -> AccountPlan:
    rng = ctx.rng(PHASE_ACCOUNTS)
    n = scaled(N_ACCOUNTS, ctx.scale, minimum=10)
    industries = weighted_choice(rng, INDUSTRIES, n)
    weights = np.array([c.weight for c in COUNTRIES])
    country_idx = rng.choice(len(COUNTRIES), size=n, p=weights / weights.sum())
    countries = [COUNTRIES[int(i)] for i in country_idx]
    log_emp = np.array([EMPLOYEE_LOG_MEDIAN[i] for i in industries]) + rng.normal(
        0.0, EMPLOYEE_LOG_SIGMA, n
    )
    employees = np.clip(np.round(np.exp(log_emp)), 2, 60_000).astype(int)
    rev_noise = rng.lognormal(0.0, 0.35, n)
    ages = rng.exponential(6.0, n) + 1.5 * np.log(employees) + rng.uniform(0, 3, n)
    crms = weighted_choice(rng, CRMS, n)
    created_days = rng.uniform(30, 1400, n)
    by_region: dict[str, list[int]] = {}
    for ui, region in enumerate(territories):
        by_region.setdefault(region, []).append(ui)
    taken: set[str] = set()
    rows: list[Row] = []
    owners: list[int] = []
    for i in range(n):
        country, ind, emp = countries[i], industries[i], int(employees[i])
        name = _company_name(rng, ctx, country, ind)
        slug = "-".join(ascii_slug(name).split("-")[:2]) or "company"
        domain = unique(f"{slug}.{country.tld}", taken, fmt=f"{slug}{{n}}.{country.tld}")
        reps = by_region.get(country.region) or list(range(len(territories)))
        owner = reps[int(rng.integers(len(reps)))]
        owners.append(owner)
        created = ctx.days_ago(created_days[i])
        rows.append(
            {
                "name": name,
                "domain": domain,
                "industry": ind,
                "employees": emp,
                "annual_revenue": float(round(emp * REVENUE_PER_EMPLOYEE[ind] * rev_noise[i], -3)),
                "founded_year": int(max(1890, ctx.as_of.year - round(float(ages[i])))),
                "country": country.name,
                "region": country.region,
                "custom": {"segment": _segment(emp), "crm_in_use": crms[i]},
                "extra": {},
                "created_at": created,
                "updated_at": created,
                "_parent": None,
            }
        )
    _plant_holdings(rng, rows, countries, taken)
    return AccountPlan(rows=rows, countries=countries, owners=owners)


def _plant_holdings(
    rng: np.random.Generator, rows: list[Row], countries: list[Country], taken: set[str]
) -> None:
    """Make some accounts subsidiaries of large ones: same industry, named after the parent."""
    n = len(rows)
    n_children = round(n * HOLDING_SHARE)
    employees = np.array([int(r["employees"]) for r in rows])
    parents = [int(i) for i in np.argsort(-employees, kind="stable")[: max(1, n_children // 3)]]
    parent_set = set(parents)
    candidates = [i for i in rng.permutation(n) if int(i) not in parent_set]
    for k, child in enumerate(candidates[:n_children]):
        child_i = int(child)
        parent_i = int(parents[k % len(parents)])
        parent, row = rows[parent_i], rows[child_i]
        country = countries[child_i]
        row["_parent"] = parent_i
        row["industry"] = parent["industry"]
        emp = max(5, min(int(row["employees"]), int(employees[parent_i]) // 3))
        row["employees"] = emp
        row["custom"] = {**row["custom"], "segment": _segment(emp)}
        row["name"] = f"{parent['name']} {country.name}"
        row["domain"] = unique(f"{country.code}.{parent['domain']}", taken)
        row["annual_revenue"] = float(
            round(emp * REVENUE_PER_EMPLOYEE[row["industry"]] * math.exp(0.1), -3)
        )
