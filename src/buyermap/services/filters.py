"""Filters of the lists (deals, accounts, contacts): one typed model per list.

A filter comes from strings (a page's URL, REST query parameters, a saved view's params) and
is parsed once by ``parse_filter``: a value of the wrong shape gives a message naming the
parameter, the value and what would be valid. Values that depend on the data (a stage name,
an owner, a persona) are checked when the filter is applied, naming the valid ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from buyermap.db.models import (
    Account,
    AccountContact,
    AvatarScore,
    Contact,
    Deal,
    PersonaAssignment,
    PersonaRow,
    PersonaRun,
    Pipeline,
    Stage,
    User,
)
from buyermap.domain.enums import DealStatus, Seniority
from buyermap.errors import InvalidValueError
from buyermap.services.avatars import latest_scored_avatar_id
from buyermap.services.listing import search_clause

T = TypeVar("T")
FilterParams = Mapping[str, Any]

STATUS_LABELS = {"open": "Open", "won": "Won", "lost": "Lost"}
SENIORITY_LABELS = {
    "entry": "Entry level",
    "specialist": "Specialist",
    "manager": "Manager",
    "director": "Director",
    "vp": "Vice president",
    "c_level": "C-level executive",
    "owner": "Owner or board",
}
# employees bands: key -> (lowest, highest or None for no upper bound)
SIZE_BANDS: dict[str, tuple[int, int | None]] = {
    "1-10": (1, 10),
    "11-50": (11, 50),
    "51-200": (51, 200),
    "201-1000": (201, 1000),
    "1001-5000": (1001, 5000),
    "5001+": (5001, None),
}
# the customer avatar's tiers (of the avatar that scored the accounts last)
TIER_LABELS = {
    "A": "A: the best-fitting 20%",
    "B": "B: the next 30%",
    "C": "C: the next 30%",
    "D": "D: the bottom 20%",
    "disqualified": "Disqualified",
    "unscored": "Not scored",
}
SIZE_LABELS = {
    key: (f"{lo:,}–{hi:,} employees" if hi is not None else f"{lo:,} or more employees")
    for key, (lo, hi) in SIZE_BANDS.items()
}


def _text(name: str, raw: str) -> str:
    if len(raw) > 200:
        raise InvalidValueError(f"{name} is {len(raw)} characters long; use at most 200")
    return raw


def _id(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidValueError(f"{name} {raw!r} is not an id; give a whole number") from None
    if not 1 <= value <= 2**31 - 1:
        raise InvalidValueError(f"{name} {raw!r} is not an id; ids start at 1")
    return value


def _amount(name: str, raw: str) -> float:
    try:
        value = float(raw.replace(",", "").replace(" ", ""))
    except ValueError:
        raise InvalidValueError(f"{name} {raw!r} is not a number; write it like 25000") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise InvalidValueError(f"{name} {raw!r} is not valid; give a number of 0 or more")
    return value


def _day(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValueError(
            f"{name} {raw!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31"
        ) from None


def _choice(valid: Mapping[str, str]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in valid:
            raise InvalidValueError(f"{name} {raw!r} is not valid; use one of: {', '.join(valid)}")
        return raw

    return parse


@dataclass(frozen=True, slots=True)
class DealFilter:
    pipeline: str | None = None
    stage: str | None = None
    owner: int | None = None
    status: str | None = None
    amount_min: float | None = None
    amount_max: float | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None


@dataclass(frozen=True, slots=True)
class AccountFilter:
    industry: str | None = None
    country: str | None = None
    owner: int | None = None
    size: str | None = None
    persona: str | None = None
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class ContactFilter:
    account_id: int | None = None
    company: str | None = None
    seniority: str | None = None
    department: str | None = None
    persona: str | None = None


AnyFilter = DealFilter | AccountFilter | ContactFilter

PARSERS: dict[type[Any], dict[str, Callable[[str, str], Any]]] = {
    DealFilter: {
        "pipeline": _text,
        "stage": _text,
        "owner": _id,
        "status": _choice(STATUS_LABELS),
        "amount_min": _amount,
        "amount_max": _amount,
        "opened_from": _day,
        "opened_to": _day,
        "closed_from": _day,
        "closed_to": _day,
    },
    AccountFilter: {
        "industry": _text,
        "country": _text,
        "owner": _id,
        "size": _choice(SIZE_LABELS),
        "persona": _text,
        "tier": _choice(TIER_LABELS),
    },
    ContactFilter: {
        "account_id": _id,
        "company": _text,
        "seniority": _choice({s.value: SENIORITY_LABELS[s.value] for s in Seniority}),
        "department": _text,
        "persona": _text,
    },
}
RANGES = (
    ("amount_min", "amount_max"),
    ("opened_from", "opened_to"),
    ("closed_from", "closed_to"),
)


def filter_names(kind: type[AnyFilter]) -> tuple[str, ...]:
    return tuple(PARSERS[kind])


def parse_filter(kind: type[AnyFilter], params: FilterParams, *, strict: bool = False) -> AnyFilter:
    """The filter from string parameters; empty values mean "any". With ``strict`` (saved
    views), a parameter that is no filter of this list is an error too."""
    parsers = PARSERS[kind]
    if strict:
        unknown = sorted(set(params) - set(parsers))
        if unknown:
            raise InvalidValueError(
                f"{', '.join(map(repr, unknown))} is no filter of this list; "
                f"filter by: {', '.join(parsers)}"
            )
    values: dict[str, Any] = {}
    for name, parse in parsers.items():
        raw = params.get(name)
        if raw is None:
            continue
        text = str(raw).strip()
        if text:
            values[name] = parse(name, text)
    for low, high in RANGES:
        if low in values and high in values and values[low] > values[high]:
            raise InvalidValueError(
                f"{low} {values[low]} is after {high} {values[high]}; "
                "the range must start before it ends"
            )
    return kind(**values)


def parse_filter_shown(
    kind: type[AnyFilter], params: FilterParams
) -> tuple[AnyFilter, dict[str, str]]:
    """The filter a list page applies, and the message per filter it could not apply.

    A page shows each message next to its control and lists without that filter (the rest
    still apply), where :func:`parse_filter` (the REST API, saved views, exports) refuses."""
    good: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in PARSERS[kind]:
        raw = params.get(name)
        if raw is None or not str(raw).strip():
            continue
        try:
            parse_filter(kind, {name: raw})
        except InvalidValueError as exc:
            errors[name] = exc.message
        else:
            good[name] = str(raw)
    try:
        return parse_filter(kind, good), errors
    except InvalidValueError as exc:  # a range that ends before it starts
        low = next(lo for lo, hi in RANGES if lo in good and hi in good and lo in exc.message)
        errors[low] = exc.message
        return parse_filter(kind, {k: v for k, v in good.items() if k != low}), errors


def filter_params(value: AnyFilter) -> dict[str, str]:
    """The filter back as string parameters (set ones only), for URLs and saved views."""
    out: dict[str, str] = {}
    for f in fields(value):
        v = getattr(value, f.name)
        if v is None:
            continue
        if isinstance(v, float):
            out[f.name] = f"{v:g}" if v == int(v) and abs(v) < 1e15 else repr(v)
        else:
            out[f.name] = v.isoformat() if isinstance(v, date) else str(v)
    return out


def _listing(valid: list[str], limit: int = 30) -> str:
    shown = ", ".join(valid[:limit])
    return shown + (f" and {len(valid) - limit} more" if len(valid) > limit else "")


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _check_owner(session: Session, owner: int) -> None:
    if session.get(User, owner) is None:
        users = session.execute(select(User.id, User.name).order_by(User.name)).all()
        valid = [f"{uid} ({name})" for uid, name in users] or ["none: the workspace has no users"]
        raise InvalidValueError(
            f"owner {owner} is no user; use one of: {_listing(valid)}",
            details={"parameter": "owner"},
        )


def _active_run_id() -> Any:
    """The persona run lists show, as an SQL expression: the active one, else the newest (as
    on persona pages)."""
    active = select(PersonaRun.id).where(PersonaRun.is_active.is_(True)).limit(1)
    newest = select(func.max(PersonaRun.id))
    return func.coalesce(active.scalar_subquery(), newest.scalar_subquery())


def active_persona_run_id(session: Session) -> int | None:
    return session.scalar(select(_active_run_id()))


def _persona_run(session: Session, key: str) -> int:
    run_id = active_persona_run_id(session)
    if run_id is None:
        raise InvalidValueError(
            f"persona {key!r} cannot be used: the workspace has no persona run yet; "
            "run persona discovery first",
            details={"parameter": "persona"},
        )
    keys = session.execute(
        select(PersonaRow.key, PersonaRow.name).where(PersonaRow.run_id == run_id)
    ).all()
    if key not in {k for k, _ in keys}:
        valid = [f"{k} ({name})" for k, name in keys]
        raise InvalidValueError(
            f"persona {key!r} does not exist; use one of: {_listing(valid)}",
            details={"parameter": "persona"},
        )
    return run_id


def _current_position() -> Any:
    today = datetime.now(UTC).date()
    return or_(AccountContact.end_date.is_(None), AccountContact.end_date >= today)


def apply_deal_filter(session: Session, stmt: Select[T], f: DealFilter) -> Select[T]:
    if f.pipeline is not None:
        pipeline_id = session.scalar(select(Pipeline.id).where(Pipeline.name == f.pipeline))
        if pipeline_id is None:
            names = list(session.scalars(select(Pipeline.name).order_by(Pipeline.name)))
            raise InvalidValueError(
                f"pipeline {f.pipeline!r} does not exist; use one of: {_listing(names)}",
                details={"parameter": "pipeline"},
            )
        stmt = stmt.where(Deal.pipeline_id == pipeline_id)
    if f.stage is not None:
        stage_q = select(Stage.id).where(Stage.name == f.stage)
        if f.pipeline is not None:
            stage_q = stage_q.join(Pipeline).where(Pipeline.name == f.pipeline)
        stage_ids = list(session.scalars(stage_q))
        if not stage_ids:
            names_q = select(Stage.name).distinct()
            if f.pipeline is not None:
                names_q = names_q.join(Pipeline).where(Pipeline.name == f.pipeline)
            names = sorted(session.scalars(names_q))
            where = f" in pipeline {f.pipeline!r}" if f.pipeline else ""
            raise InvalidValueError(
                f"stage {f.stage!r} does not exist{where}; use one of: {_listing(names)}",
                details={"parameter": "stage"},
            )
        stmt = stmt.where(Deal.stage_id.in_(stage_ids))
    if f.owner is not None:
        _check_owner(session, f.owner)
        stmt = stmt.where(Deal.owner_id == f.owner)
    if f.status is not None:
        stmt = stmt.where(Deal.status == DealStatus(f.status).value)
    if f.amount_min is not None:
        stmt = stmt.where(Deal.amount >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(Deal.amount <= f.amount_max)
    if f.opened_from is not None:
        stmt = stmt.where(Deal.opened_at >= _start(f.opened_from))
    if f.opened_to is not None:
        stmt = stmt.where(Deal.opened_at < _start(f.opened_to + timedelta(days=1)))
    if f.closed_from is not None:
        stmt = stmt.where(Deal.closed_at >= _start(f.closed_from))
    if f.closed_to is not None:
        stmt = stmt.where(Deal.closed_at < _start(f.closed_to + timedelta(days=1)))
    return stmt


def apply_account_filter(session: Session, stmt: Select[T], f: AccountFilter) -> Select[T]:
    if f.industry is not None:
        stmt = stmt.where(Account.industry == f.industry)
    if f.country is not None:
        stmt = stmt.where(Account.country == f.country)
    if f.owner is not None:
        _check_owner(session, f.owner)
        stmt = stmt.where(Account.owner_id == f.owner)
    if f.size is not None:
        low, high = SIZE_BANDS[f.size]
        stmt = stmt.where(Account.employees >= low)
        if high is not None:
            stmt = stmt.where(Account.employees <= high)
    if f.persona is not None:
        run_id = _persona_run(session, f.persona)
        stmt = stmt.where(
            Account.id.in_(
                select(AccountContact.account_id)
                .join(PersonaAssignment, PersonaAssignment.contact_id == AccountContact.contact_id)
                .where(
                    PersonaAssignment.run_id == run_id,
                    PersonaAssignment.persona_key == f.persona,
                )
            )
        )
    if f.tier is not None:
        stmt = stmt.where(_tier_condition(session, f.tier))
    return stmt


def _tier_condition(session: Session, tier: str) -> Any:
    """Accounts in ``tier`` of the avatar that scored the workspace last (``unscored``:
    the accounts it has not scored: added since, or all when no avatar has scored)."""
    latest = latest_scored_avatar_id(session)
    if latest is None:
        if tier == "unscored":
            return Account.id.is_not(None)
        raise InvalidValueError(
            f"tier {tier!r} cannot be used: no avatar has scored the accounts yet; learn "
            "one at /avatars (or buyermap avatar learn --save NAME), or filter by "
            "'unscored'",
            details={"parameter": "tier"},
        )
    scored = select(AvatarScore.account_id).where(AvatarScore.avatar_id == latest)
    if tier == "unscored":
        return Account.id.not_in(scored)
    if tier == "disqualified":
        return Account.id.in_(scored.where(AvatarScore.tier.like("disqualified%")))
    return Account.id.in_(scored.where(AvatarScore.tier == tier))


def apply_contact_filter(session: Session, stmt: Select[T], f: ContactFilter) -> Select[T]:
    if f.account_id is not None:
        stmt = stmt.where(
            Contact.id.in_(
                select(AccountContact.contact_id).where(AccountContact.account_id == f.account_id)
            )
        )
    if f.company is not None:
        stmt = stmt.where(Contact.id.in_(_matching_accounts(session, f.company)))
    if f.seniority is not None:
        stmt = stmt.where(Contact.seniority == f.seniority)
    if f.department is not None:
        stmt = stmt.where(Contact.department == f.department)
    if f.persona is not None:
        run_id = _persona_run(session, f.persona)
        stmt = stmt.where(
            Contact.id.in_(
                select(PersonaAssignment.contact_id).where(
                    PersonaAssignment.run_id == run_id,
                    PersonaAssignment.persona_key == f.persona,
                )
            )
        )
    return stmt


def current_companies(session: Session, *, contact_ids: list[int]) -> dict[int, Account]:
    """Each contact's current account (primary position first, then the latest start)."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(AccountContact.contact_id, Account)
        .join(Account, Account.id == AccountContact.account_id)
        .where(AccountContact.contact_id.in_(contact_ids), _current_position())
        .order_by(
            AccountContact.is_primary.desc(),
            AccountContact.start_date.desc().nulls_last(),
            AccountContact.id.desc(),
        )
    ).all()
    out: dict[int, Account] = {}
    for contact_id, account in rows:
        out.setdefault(contact_id, account)
    return out


def _matching_accounts(session: Session, text: str) -> Any:
    """Contacts whose current company's name contains ``text``: the accounts first (from the
    search index), then their positions by account."""
    return select(AccountContact.contact_id).where(
        AccountContact.account_id.in_(
            select(Account.id).where(search_clause(session, text, [Account.name]))
        ),
        _current_position(),
    )


def contact_company_search(session: Session, text: str) -> Any:
    """Search on contacts that also finds the name of a company they work at now."""
    own = search_clause(
        session, text, [Contact.first_name, Contact.last_name, Contact.email, Contact.job_title]
    )
    return or_(own, Contact.id.in_(_matching_accounts(session, text)))


def deal_stage_owner_search(session: Session, text: str) -> Any:
    """Search on deals that also finds the deal's stage name or its owner's name.

    The stages and users (few rows) are searched first; the deals are then filtered by their
    ids, which the deals' indexes answer, rather than by a join to every deal's stage.
    """
    conditions = [search_clause(session, text, [Deal.name, Deal.source])]
    stage_ids = list(
        session.scalars(select(Stage.id).where(search_clause(session, text, [Stage.name])))
    )
    if stage_ids:
        conditions.append(Deal.stage_id.in_(stage_ids))
    owner_ids = list(
        session.scalars(select(User.id).where(search_clause(session, text, [User.name])))
    )
    if owner_ids:
        conditions.append(Deal.owner_id.in_(owner_ids))
    return or_(*conditions)


Options = list[tuple[str, str]]


def _distinct(session: Session, column: Any) -> Options:
    values = session.scalars(select(column).where(column.is_not(None)).distinct()).all()
    return [(v, v) for v in sorted(values, key=str.casefold) if v]


def _owners(session: Session) -> Options:
    rows = session.execute(select(User.id, User.name).order_by(User.name, User.id)).all()
    return [(str(uid), name) for uid, name in rows]


def _personas(session: Session) -> Options:
    rows = session.execute(
        select(PersonaRow.key, PersonaRow.name)
        .where(PersonaRow.run_id == _active_run_id())
        .order_by(PersonaRow.name)
    ).all()
    return [(k, name) for k, name in rows]


def deal_options(session: Session) -> dict[str, Options]:
    """What a deals filter bar offers (value, label), from the data."""
    stages = session.execute(
        select(Stage.name, Pipeline.name)
        .join(Pipeline)
        .order_by(Pipeline.is_default.desc(), Pipeline.name, Stage.position)
    ).all()
    seen: dict[str, None] = {}
    for stage, _ in stages:
        seen.setdefault(stage)
    return {
        "pipeline": [
            (p, p) for p in session.scalars(select(Pipeline.name).order_by(Pipeline.name))
        ],
        "stage": [(s, s) for s in seen],
        "owner": _owners(session),
        "status": list(STATUS_LABELS.items()),
    }


def account_options(session: Session) -> dict[str, Options]:
    return {
        "industry": _distinct(session, Account.industry),
        "country": _distinct(session, Account.country),
        "owner": _owners(session),
        "size": list(SIZE_LABELS.items()),
        "persona": _personas(session),
        "tier": list(TIER_LABELS.items()),
    }


def contact_options(session: Session) -> dict[str, Options]:
    return {
        "seniority": [(s.value, SENIORITY_LABELS[s.value]) for s in Seniority],
        "department": _distinct(session, Contact.department),
        "persona": _personas(session),
    }
