"""The five planted buyer personas and how each one answers, behaves and talks.

A contact's persona is stored only in ``contacts.extra["_planted_persona"]``: analytics
must rediscover personas from titles, departments, seniority, survey answers and the
behaviour counts in ``contacts.custom``; tests read the planted label to score them.
"""

from __future__ import annotations

from dataclasses import dataclass

from buyermap.domain.enums import CommitteeRole, Seniority

LIKERT_ITEMS: tuple[str, ...] = (
    "price_sensitivity",
    "integration_importance",
    "implementation_speed",
    "support_need",
    "innovation_appetite",
    "ease_of_use",
)
LIKERT_SD = 0.75  # answers are round(Normal(mean, LIKERT_SD)) clipped to 1..5

CHANNELS: tuple[str, ...] = (
    "webinar",
    "peer referral",
    "analyst report",
    "search",
    "events",
    "LinkedIn",
)
BEHAVIOURS: tuple[str, ...] = (
    "webinars_attended",
    "content_downloads",
    "site_visits",
    "emails_opened",
    "events_attended",
)
ACTIVITY_SIGMA = 0.45  # each contact's rates are multiplied by LogNormal(0, ACTIVITY_SIGMA)


@dataclass(frozen=True, slots=True)
class Role:
    """One job a persona holds: title, department, seniority and a relative weight."""

    title: str
    department: str
    seniority: Seniority
    weight: float = 1.0
    min_employees: int = 1
    max_employees: int = 10**9


@dataclass(frozen=True, slots=True)
class Persona:
    key: str
    label: str
    buying_role: str  # buyer | influencer | end_user
    roles: tuple[Role, ...]
    likert_means: dict[str, float]
    channel_probs: tuple[float, ...]  # in the order of CHANNELS
    behaviour_rates: dict[str, float]  # Poisson means, in the order of BEHAVIOURS
    committee_roles: tuple[tuple[CommitteeRole, float], ...]
    # Persona mix by size band (see constants.SIZE_BANDS): the weight of this persona.
    mix: dict[str, float]


S = Seniority
R = CommitteeRole

PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="economic_buyer",
        label="Economic buyer (finance/procurement): price-sensitive, ROI-driven, reads analysts",
        buying_role="buyer",
        roles=(
            Role("Chief Financial Officer", "Finance", S.C_LEVEL, 1.0, min_employees=50),
            Role("VP Finance", "Finance", S.VP, 0.8, min_employees=200),
            Role("Finance Director", "Finance", S.DIRECTOR, 1.0),
            Role("Head of Procurement", "Procurement", S.DIRECTOR, 0.7, min_employees=200),
            Role("Procurement Manager", "Procurement", S.MANAGER, 0.7, min_employees=100),
            Role("Controller", "Finance", S.MANAGER, 0.6),
        ),
        likert_means={
            "price_sensitivity": 4.6,
            "integration_importance": 2.8,
            "implementation_speed": 3.0,
            "support_need": 2.4,
            "innovation_appetite": 2.0,
            "ease_of_use": 2.8,
        },
        channel_probs=(0.08, 0.14, 0.50, 0.12, 0.06, 0.10),
        behaviour_rates={
            "webinars_attended": 0.4,
            "content_downloads": 4.0,
            "site_visits": 4.0,
            "emails_opened": 14.0,
            "events_attended": 0.5,
        },
        committee_roles=((R.ECONOMIC_BUYER, 0.75), (R.DECISION_MAKER, 0.15), (R.BLOCKER, 0.10)),
        mix={"1-49": 0.10, "50-199": 0.18, "200-2000": 0.22, "2001+": 0.24},
    ),
    Persona(
        key="technical_evaluator",
        label="Technical evaluator (IT lead): integration-focused, reads docs and webinars",
        buying_role="influencer",
        roles=(
            Role("Chief Technology Officer", "IT", S.C_LEVEL, 0.5, min_employees=200),
            Role("IT Director", "IT", S.DIRECTOR, 1.0, min_employees=100),
            Role("Head of IT", "IT", S.DIRECTOR, 0.8),
            Role("IT Manager", "IT", S.MANAGER, 1.0),
            Role("Solutions Architect", "IT", S.SPECIALIST, 0.8, min_employees=100),
            Role("Systems Administrator", "IT", S.SPECIALIST, 0.6),
        ),
        likert_means={
            "price_sensitivity": 2.5,
            "integration_importance": 4.7,
            "implementation_speed": 3.0,
            "support_need": 3.0,
            "innovation_appetite": 3.6,
            "ease_of_use": 2.6,
        },
        channel_probs=(0.42, 0.06, 0.10, 0.28, 0.06, 0.08),
        behaviour_rates={
            "webinars_attended": 4.0,
            "content_downloads": 7.0,
            "site_visits": 28.0,
            "emails_opened": 8.0,
            "events_attended": 0.6,
        },
        committee_roles=(
            (R.TECHNICAL_EVALUATOR, 0.80),
            (R.BLOCKER, 0.10),
            (R.INFLUENCER, 0.10),
        ),
        mix={"1-49": 0.15, "50-199": 0.22, "200-2000": 0.26, "2001+": 0.26},
    ),
    Persona(
        key="operations_champion",
        label="Operations champion: wants speed of implementation, trusts peer referrals",
        buying_role="buyer",
        roles=(
            Role("Chief Operating Officer", "Operations", S.C_LEVEL, 0.4, min_employees=100),
            Role("VP Sales", "Sales", S.VP, 0.8, min_employees=100),
            Role("VP Operations", "Operations", S.VP, 0.7, min_employees=200),
            Role("Head of Sales Operations", "Sales", S.DIRECTOR, 0.9),
            Role("Operations Manager", "Operations", S.MANAGER, 1.0),
            Role("Revenue Operations Lead", "Sales", S.MANAGER, 0.8),
        ),
        likert_means={
            "price_sensitivity": 3.0,
            "integration_importance": 3.2,
            "implementation_speed": 4.7,
            "support_need": 3.4,
            "innovation_appetite": 3.5,
            "ease_of_use": 3.6,
        },
        channel_probs=(0.12, 0.48, 0.06, 0.08, 0.08, 0.18),
        behaviour_rates={
            "webinars_attended": 1.5,
            "content_downloads": 2.5,
            "site_visits": 12.0,
            "emails_opened": 22.0,
            "events_attended": 1.0,
        },
        committee_roles=((R.CHAMPION, 0.75), (R.INFLUENCER, 0.20), (R.DECISION_MAKER, 0.05)),
        mix={"1-49": 0.15, "50-199": 0.20, "200-2000": 0.22, "2001+": 0.22},
    ),
    Persona(
        key="end_user_specialist",
        label="End-user specialist: wants ease of use and support, finds things by search",
        buying_role="end_user",
        roles=(
            Role("Account Executive", "Sales", S.SPECIALIST, 1.0),
            Role("Sales Representative", "Sales", S.ENTRY, 1.0),
            Role("Marketing Specialist", "Marketing", S.SPECIALIST, 0.8),
            Role("Customer Success Manager", "Customer Success", S.SPECIALIST, 0.8),
            Role("Business Analyst", "Operations", S.SPECIALIST, 0.6),
            Role("Sales Assistant", "Sales", S.ENTRY, 0.4),
        ),
        likert_means={
            "price_sensitivity": 2.8,
            "integration_importance": 2.6,
            "implementation_speed": 3.4,
            "support_need": 4.6,
            "innovation_appetite": 2.6,
            "ease_of_use": 4.7,
        },
        channel_probs=(0.14, 0.14, 0.02, 0.40, 0.04, 0.26),
        behaviour_rates={
            "webinars_attended": 1.0,
            "content_downloads": 1.0,
            "site_visits": 7.0,
            "emails_opened": 5.0,
            "events_attended": 0.2,
        },
        committee_roles=((R.END_USER, 0.85), (R.GATEKEEPER, 0.10), (R.INFLUENCER, 0.05)),
        mix={"1-49": 0.25, "50-199": 0.28, "200-2000": 0.28, "2001+": 0.28},
    ),
    Persona(
        key="founder_ceo",
        label="Founder-CEO at a small firm: innovation appetite, meets vendors at events",
        buying_role="buyer",
        roles=(
            Role("Founder & CEO", "Executive", S.OWNER, 1.0, max_employees=199),
            Role("Chief Executive Officer", "Executive", S.C_LEVEL, 0.8, max_employees=499),
            Role("Managing Director", "Executive", S.C_LEVEL, 0.6, max_employees=499),
            Role("Owner", "Executive", S.OWNER, 0.5, max_employees=99),
        ),
        likert_means={
            "price_sensitivity": 3.4,
            "integration_importance": 2.4,
            "implementation_speed": 3.6,
            "support_need": 2.2,
            "innovation_appetite": 4.7,
            "ease_of_use": 3.2,
        },
        channel_probs=(0.06, 0.18, 0.04, 0.06, 0.46, 0.20),
        behaviour_rates={
            "webinars_attended": 0.5,
            "content_downloads": 1.0,
            "site_visits": 5.0,
            "emails_opened": 6.0,
            "events_attended": 3.0,
        },
        committee_roles=((R.DECISION_MAKER, 0.9), (R.ECONOMIC_BUYER, 0.1)),
        mix={"1-49": 0.35, "50-199": 0.12, "200-2000": 0.02, "2001+": 0.0},
    ),
)

PERSONA_BY_KEY: dict[str, Persona] = {p.key: p for p in PERSONAS}
PERSONA_KEYS: tuple[str, ...] = tuple(p.key for p in PERSONAS)

SENIORITY_RANK: dict[str, int] = {s.value: i for i, s in enumerate(Seniority)}
INFLUENCE_BY_SENIORITY: dict[str, int] = {
    "entry": 1,
    "specialist": 2,
    "manager": 3,
    "director": 4,
    "vp": 4,
    "c_level": 5,
    "owner": 5,
}
