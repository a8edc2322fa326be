"""The buying committee's rules: the role catalogue, the roles each stage requires, influence
shares, completeness and the risks of an open deal. Pure functions over plain facts; the
services load the facts, the seam (seams/committee.py) turns the results into documents.

Rules, in words (docs/committee.md says the same):

* influence is typed 1 (low) to 5 (high); a member's *share* is their influence over the
  sum of the rated members' influence in that committee (unrated members have no share);
* a role is *required* from a stage on: a deal at that stage or later (by the stage's
  position among its pipeline's open stages) must have a member in that role;
* *high influence* is 4 or 5 of 5.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from buyermap.domain.enums import Attitude, CommitteeRole

# The default catalogue (key, label); the workspace may add roles, rename or hide these.
DEFAULT_ROLES: tuple[tuple[str, str], ...] = (
    (CommitteeRole.DECISION_MAKER.value, "Decision maker"),
    (CommitteeRole.ECONOMIC_BUYER.value, "Economic buyer"),
    (CommitteeRole.TECHNICAL_EVALUATOR.value, "Technical evaluator"),
    (CommitteeRole.INFLUENCER.value, "Influencer"),
    (CommitteeRole.CHAMPION.value, "Champion"),
    (CommitteeRole.END_USER.value, "End user"),
    (CommitteeRole.GATEKEEPER.value, "Gatekeeper"),
    (CommitteeRole.BLOCKER.value, "Blocker"),
    (CommitteeRole.PROCUREMENT.value, "Procurement"),
    (CommitteeRole.LEGAL.value, "Legal"),
    (CommitteeRole.EXECUTIVE_SPONSOR.value, "Executive sponsor"),
)
DEFAULT_LABELS: dict[str, str] = dict(DEFAULT_ROLES)
ROLE_KEY_MAX = 30  # the length of committee_members.role

# The roles required by default, each from the stage named (the demo pipeline's names).
DEFAULT_REQUIRED: tuple[tuple[str, str], ...] = (
    (CommitteeRole.CHAMPION.value, "Discovery"),
    (CommitteeRole.ECONOMIC_BUYER.value, "Proposal"),
    (CommitteeRole.PROCUREMENT.value, "Negotiation"),
)
# The open stages the default names come from, in order: a pipeline without a stage of a
# default's name requires that role from the stage at the same relative place among its own
# open stages (Discovery is the middle of five, so the middle stage of three).
CANONICAL_OPEN = ("Lead", "Qualified", "Discovery", "Proposal", "Negotiation")

HIGH_INFLUENCE = 4  # 4 or 5 of 5
# plain strings for the rules' inner loop (an enum's .value is a descriptor call)
_EB = CommitteeRole.ECONOMIC_BUYER.value
_OPPONENT, _UNKNOWN = Attitude.OPPONENT.value, Attitude.UNKNOWN.value
DEFAULT_STALE_DAYS = 180

# Attitude words people write in files and CRMs (English, and our markets' languages).
ATTITUDE_WORDS: dict[str, Attitude] = {
    "supporter": Attitude.SUPPORTER,
    "support": Attitude.SUPPORTER,
    "supportive": Attitude.SUPPORTER,
    "positive": Attitude.SUPPORTER,
    "for us": Attitude.SUPPORTER,
    "ally": Attitude.SUPPORTER,
    "zwolennik": Attitude.SUPPORTER,
    "neutral": Attitude.NEUTRAL,
    "neutralny": Attitude.NEUTRAL,
    "neutru": Attitude.NEUTRAL,
    "skeptic": Attitude.SKEPTIC,
    "sceptic": Attitude.SKEPTIC,
    "skeptical": Attitude.SKEPTIC,
    "sceptical": Attitude.SKEPTIC,
    "doubtful": Attitude.SKEPTIC,
    "sceptyk": Attitude.SKEPTIC,
    "opponent": Attitude.OPPONENT,
    "against": Attitude.OPPONENT,
    "negative": Attitude.OPPONENT,
    "against us": Attitude.OPPONENT,
    "przeciwnik": Attitude.OPPONENT,
    "unknown": Attitude.UNKNOWN,
    "not known": Attitude.UNKNOWN,
    "attitude not known": Attitude.UNKNOWN,
    "?": Attitude.UNKNOWN,
    "nieznany": Attitude.UNKNOWN,
}
ATTITUDE_LABELS: dict[str, str] = {
    Attitude.SUPPORTER.value: "supporter",
    Attitude.NEUTRAL.value: "neutral",
    Attitude.SKEPTIC.value: "sceptic",
    Attitude.OPPONENT.value: "opponent",
    Attitude.UNKNOWN.value: "attitude not known",
}


def fold(text: str) -> str:
    """A matching key: lower case, accents and separators dropped (``Economic-Buyer`` ->
    ``economicbuyer``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def role_key(text: str) -> str:
    """The key a new role gets from its label: ``Works council`` -> ``works_council``."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.strip().lower()).split()
    return "_".join(words)[:ROLE_KEY_MAX]


def resolve_role(text: str, catalogue: Mapping[str, str]) -> str | None:
    """The catalogue key ``text`` names, by key or by label in any case (``Economic buyer``,
    ``economic_buyer`` and ``ECONOMIC BUYER`` are one role); None when none matches."""
    wanted = fold(text)
    if not wanted:
        return None
    for key, label in catalogue.items():
        if fold(key) == wanted or fold(label) == wanted:
            return key
    return None


def resolve_attitude(text: str | None) -> Attitude | None:
    """The attitude a word names (``Supporter``, ``sceptical``, ``przeciwnik``); a blank is
    unknown; None when the word is not an attitude."""
    if text is None or not text.strip():
        return Attitude.UNKNOWN
    low = " ".join(text.strip().lower().split())
    found = ATTITUDE_WORDS.get(low)
    if found is not None:
        return found
    wanted = fold(low)
    return next((a for a in Attitude if fold(a.value) == wanted), None)


def attitude_choices() -> str:
    return ", ".join(a.value for a in Attitude)


def check_influence(value: float | int | None) -> str | None:
    """Why ``value`` is not an influence (1 to 5, whole), or None when it is one."""
    if value is None:
        return None
    if float(value) != int(value) or not 1 <= int(value) <= 5:
        return f"influence {value!r} is not a whole number from 1 (low) to 5 (high)"
    return None


def influence_shares(influences: Sequence[int | None]) -> list[float | None]:
    """Each member's share of the decision: influence over the committee's rated total."""
    total = sum(i for i in influences if i is not None)
    return [None if i is None or total == 0 else i / total for i in influences]


@dataclass(frozen=True, slots=True)
class Requirement:
    role: str
    stage: str  # the stage it is required from
    position: int  # that stage's place among the pipeline's open stages (0 first)


def default_requirements(
    open_stages: Sequence[str], rules: Sequence[tuple[str, str]] = DEFAULT_REQUIRED
) -> list[Requirement]:
    """The default rules placed on a pipeline's open stages (in order): by the stage's name
    (any case and spacing), else at the same relative place among the open stages as the
    named stage has in :data:`CANONICAL_OPEN`; a rule naming neither is left out."""
    if not open_stages:
        return []
    by_name = {fold(s): i for i, s in enumerate(open_stages)}
    canonical = {fold(s): i for i, s in enumerate(CANONICAL_OPEN)}
    out = []
    for role, stage in rules:
        at = by_name.get(fold(stage))
        if at is None and fold(stage) in canonical:
            place = canonical[fold(stage)] / (len(CANONICAL_OPEN) - 1)
            at = round(place * (len(open_stages) - 1))
        if at is not None:
            out.append(Requirement(role=role, stage=open_stages[at], position=at))
    return out


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the rules need to know of one member."""

    contact_id: int
    name: str
    role: str
    influence: int | None
    attitude: str
    verified_at: datetime | None = None
    left_on: str | None = None  # the day their position at the account ended, when it has


@dataclass(frozen=True, slots=True)
class DealFacts:
    deal_id: int
    stage: str | None
    position: int | None  # the stage's place among the open stages; None: not an open stage
    requirements: tuple[Requirement, ...] = ()
    account: str | None = None  # the account's name, for messages


@dataclass(frozen=True, slots=True)
class Completeness:
    required: tuple[str, ...]  # roles required at the deal's stage
    filled: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def share(self) -> float | None:
        """Filled over required; None when the stage requires no role."""
        return len(self.filled) / len(self.required) if self.required else None


def completeness(
    deal: DealFacts, members: Sequence[MemberFacts], *, roles: Collection[str] | None = None
) -> Completeness:
    """The required roles at the deal's stage, filled by ``members`` (or by ``roles``, the
    committee's roles when only some members are given)."""
    have = set(roles) if roles is not None else {m.role for m in members}
    required = tuple(
        r.role
        for r in deal.requirements
        if deal.position is not None and r.position <= deal.position
    )
    return Completeness(
        required=required,
        filled=tuple(r for r in required if r in have),
        missing=tuple(r for r in required if r not in have),
    )


@dataclass(frozen=True, slots=True)
class RiskFlag:
    code: str
    message: str
    contact_ids: tuple[int, ...] = field(default=())


def _names(members: Sequence[MemberFacts]) -> str:
    names = [m.name for m in members]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _label(role: str, labels: Mapping[str, str]) -> str:
    return labels.get(role, role.replace("_", " ")).lower()


def risks(
    deal: DealFacts,
    members: Sequence[MemberFacts],
    *,
    now: datetime,
    stale_days: int = DEFAULT_STALE_DAYS,
    labels: Mapping[str, str] | None = None,
    size: int | None = None,
    roles: Collection[str] | None = None,
    complete: Completeness | None = None,
) -> list[RiskFlag]:
    """The risks of an open deal's committee, in a fixed order (see docs/committee.md).

    ``members`` is the whole committee; or, with ``size`` (how many members it has) and
    ``roles`` (the roles it holds), only the members a risk can be about (an opponent or an
    unknown with a strong say, someone who left, stale facts, the one member of a
    single-threaded deal): the risk list over many deals loads no more than those.
    ``labels``: role key -> label (default: the default catalogue's); ``complete``: the
    deal's completeness when the caller has it already."""
    words = DEFAULT_LABELS if labels is None else labels
    flags: list[RiskFlag] = []
    done = completeness(deal, members, roles=roles) if complete is None else complete
    count = len(members) if size is None else size
    eb = _EB
    if eb in done.missing:
        since = next(r.stage for r in deal.requirements if r.role == eb)
        flags.append(
            RiskFlag(
                "no_economic_buyer",
                f"No economic buyer on the committee, and the deal is at {deal.stage}: from "
                f"{since} on, someone who owns the budget should be in the talks.",
            )
        )
    if count < 2:
        flags.append(
            RiskFlag(
                "single_threaded",
                "Nobody is recorded on the committee: the deal hangs on no known person."
                if count == 0 or not members
                else f"Single-threaded: {members[0].name} is the only person we talk to; if "
                "they leave or go quiet, the deal goes with them.",
                tuple(m.contact_id for m in members),
            )
        )
    high = [m for m in members if m.influence is not None and m.influence >= HIGH_INFLUENCE]
    opponents = [m for m in high if m.attitude == _OPPONENT]
    if opponents:
        flags.append(
            RiskFlag(
                "opponent_high_influence",
                f"{_names(opponents)} "
                f"{'is an opponent' if len(opponents) == 1 else 'are opponents'} with a "
                f"strong say ({', '.join(f'{m.influence} of 5' for m in opponents)}).",
                tuple(m.contact_id for m in opponents),
            )
        )
    left = [m for m in members if m.left_on is not None]
    if left:
        where = deal.account or "the account"
        flags.append(
            RiskFlag(
                "champion_left",
                "; ".join(
                    f"{m.name} ({_label(m.role, words)}) left {where} on {m.left_on}" for m in left
                )
                + ": find who took over their part.",
                tuple(m.contact_id for m in left),
            )
        )
    for role in done.missing:
        if role == eb:
            continue
        since = next(r.stage for r in deal.requirements if r.role == role)
        flags.append(
            RiskFlag(
                f"missing_role:{role}",
                f"No {_label(role, words)} on the committee; deals at {since} or later "
                "should have one.",
            )
        )
    unknown = [m for m in high if m.attitude == _UNKNOWN]
    if unknown:
        flags.append(
            RiskFlag(
                "unknown_attitude_high_influence",
                f"We do not know where {_names(unknown)} "
                f"{'stands' if len(unknown) == 1 else 'stand'}, though "
                f"{'their' if len(unknown) == 1 else 'each one’s'} say is strong: ask.",
                tuple(m.contact_id for m in unknown),
            )
        )
    limit = now - timedelta(days=stale_days)
    stale = [m for m in members if m.verified_at is not None and m.verified_at < limit]
    if stale:
        oldest = min(m.verified_at for m in stale if m.verified_at is not None)
        flags.append(
            RiskFlag(
                "stale_verification",
                f"What we know of {_names(stale)} was last checked more than {stale_days} "
                f"days ago (the oldest on {oldest.date().isoformat()}): confirm it.",
                tuple(m.contact_id for m in stale),
            )
        )
    return flags
