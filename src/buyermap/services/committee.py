"""The buying committee: the role catalogue, the roles each pipeline requires, members of a
deal's or an account's committee, and the facts the risk rules and "what wins" read.

Keyword-only use cases that take the session and never commit (the caller owns the
transaction). The rules are :mod:`buyermap.domain.committee`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from typing import Any

import polars as pl
from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from buyermap.db.models import (
    Account,
    AccountContact,
    CommitteeMember,
    CommitteeRoleEntry,
    CommitteeStageRole,
    Contact,
    Deal,
    ExternalRef,
    Pipeline,
    Stage,
)
from buyermap.domain.committee import (
    DEFAULT_REQUIRED,
    DEFAULT_ROLES,
    ROLE_KEY_MAX,
    MemberFacts,
    Requirement,
    attitude_choices,
    check_influence,
    default_requirements,
    fold,
    resolve_attitude,
    resolve_role,
    role_key,
)
from buyermap.domain.enums import Attitude, DealStatus, StageKind
from buyermap.errors import ConflictError, InvalidValueError, NotFoundError
from buyermap.services.versions import check_delete_version, check_version

# -- the role catalogue ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleEntry:
    key: str
    label: str
    default: bool  # one of the default catalogue's roles
    active: bool


def role_entries(session: Session, *, hidden: bool = False) -> list[RoleEntry]:
    """The catalogue: the defaults (renamed or hidden as the workspace chose), then the
    workspace's own roles; hidden ones only with ``hidden``."""
    stored = {
        e.key: e
        for e in session.scalars(
            select(CommitteeRoleEntry).order_by(CommitteeRoleEntry.position, CommitteeRoleEntry.id)
        )
    }
    out = []
    for key, label in DEFAULT_ROLES:
        e = stored.pop(key, None)
        out.append(
            RoleEntry(key, e.label if e else label, default=True, active=e.active if e else True)
        )
    out += [RoleEntry(e.key, e.label, default=False, active=e.active) for e in stored.values()]
    return [r for r in out if hidden or r.active]


def role_catalogue(session: Session) -> dict[str, str]:
    """Active roles: key -> label."""
    return {r.key: r.label for r in role_entries(session)}


def set_role(session: Session, *, label: str, key: str | None = None) -> RoleEntry:
    """Add a role (its key from the label unless given) or rename one; shows a hidden one."""
    text = " ".join(label.split())
    if not text or len(text) > 120:
        raise InvalidValueError(
            f"a role's label needs 1 to 120 characters; got {label!r}", details={"field": "label"}
        )
    name = role_key(key or text)
    if not name or len(name) > ROLE_KEY_MAX:
        raise InvalidValueError(
            f"role key {key or text!r} needs 1 to {ROLE_KEY_MAX} letters, digits or _",
            details={"field": "key"},
        )
    entry = session.scalar(select(CommitteeRoleEntry).where(CommitteeRoleEntry.key == name))
    if entry is None:
        entry = CommitteeRoleEntry(key=name, label=text, active=True)
        session.add(entry)
    else:
        entry.label, entry.active = text, True
    session.flush()
    return next(r for r in role_entries(session) if r.key == name)


def hide_role(session: Session, *, key: str) -> None:
    """Take a role out of the catalogue; refused while members hold it (says how many)."""
    found = resolve_role(key, {r.key: r.label for r in role_entries(session)})
    if found is None:
        raise NotFoundError(
            f"no committee role {key!r}; the catalogue has {', '.join(role_catalogue(session))}"
        )
    used = session.scalar(select(func.count()).where(CommitteeMember.role == found)) or 0
    if used:
        raise ConflictError(
            f"{used:,} committee members have the role {found!r}; give them another role first",
            details={"field": "key", "members": used},
        )
    entry = session.scalar(select(CommitteeRoleEntry).where(CommitteeRoleEntry.key == found))
    defaults = dict(DEFAULT_ROLES)
    if entry is None:
        session.add(CommitteeRoleEntry(key=found, label=defaults[found], active=False))
    elif found in defaults:
        entry.active = False
    else:
        session.delete(entry)
    session.flush()


def check_role(text: str, catalogue: dict[str, str]) -> str:
    """The catalogue key of ``text`` (by key or label); else an error listing the roles."""
    found = resolve_role(text, catalogue)
    if found is None:
        raise InvalidValueError(
            f"role {text!r} is not in the committee role catalogue; valid: "
            + ", ".join(f"{label} ({key})" for key, label in catalogue.items()),
            details={"field": "role"},
        )
    return found


# -- required roles per pipeline ------------------------------------------------------------


def _open_stages(pipeline: Pipeline) -> list[Stage]:
    return [
        s for s in sorted(pipeline.stages, key=lambda s: s.position) if s.kind == StageKind.OPEN
    ]


def requirements(session: Session, *, pipeline: Pipeline) -> tuple[list[Requirement], bool]:
    """The roles ``pipeline`` requires and from which stage; True when they are the
    defaults (the pipeline has none of its own)."""
    stages = _open_stages(pipeline)
    place = {s.id: i for i, s in enumerate(stages)}
    own = list(
        session.scalars(
            select(CommitteeStageRole)
            .where(CommitteeStageRole.pipeline_id == pipeline.id)
            .order_by(CommitteeStageRole.id)
        )
    )
    if not own:
        return default_requirements([s.name for s in stages], DEFAULT_REQUIRED), True
    names = {s.id: s.name for s in stages}
    out = [
        Requirement(role=r.role, stage=names[r.stage_id], position=place[r.stage_id])
        for r in own
        if r.stage_id in place
    ]
    return sorted(out, key=lambda r: (r.position, r.role)), False


def set_requirements(
    session: Session, *, pipeline_id: int, rules: Sequence[tuple[str, str]]
) -> list[Requirement]:
    """Replace a pipeline's required roles with ``rules`` (role, stage name); an empty list
    goes back to the defaults."""
    pipeline = session.get(Pipeline, pipeline_id)
    if pipeline is None:
        raise NotFoundError(f"no pipeline with id {pipeline_id}")
    catalogue = role_catalogue(session)
    stages = {fold(s.name): s for s in _open_stages(pipeline)}
    rows: dict[str, int] = {}
    for role_text, stage_text in rules:
        role = check_role(role_text, catalogue)
        stage = stages.get(fold(stage_text))
        if stage is None:
            raise InvalidValueError(
                f"pipeline {pipeline.name!r} has no open stage {stage_text!r}; its open stages: "
                + ", ".join(s.name for s in _open_stages(pipeline)),
                details={"field": "stage"},
            )
        rows[role] = stage.id
    for old in session.scalars(
        select(CommitteeStageRole).where(CommitteeStageRole.pipeline_id == pipeline_id)
    ):
        session.delete(old)
    session.flush()
    for role, stage_id in rows.items():
        session.add(CommitteeStageRole(pipeline_id=pipeline_id, stage_id=stage_id, role=role))
    session.flush()
    return requirements(session, pipeline=pipeline)[0]


# -- members --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberInput:
    """A member's fields as given (role and attitude in words or keys)."""

    role: str | None = None
    influence: int | None = None
    attitude: str | None = None
    formal_position: str | None = None
    real_position: str | None = None
    relation: str | None = None
    evidence: str | None = None
    source: str | None = None
    verified_at: datetime | date | None = None


FIELDS = tuple(f.name for f in fields(MemberInput))


def clean_member(data: MemberInput, catalogue: dict[str, str]) -> MemberInput:
    """Role and attitude resolved to keys, influence checked, texts trimmed (errors name the
    bad value and what would be valid)."""
    role = check_role(data.role, catalogue) if data.role is not None else None
    attitude = None
    if data.attitude is not None:
        found = resolve_attitude(data.attitude)
        if found is None:
            raise InvalidValueError(
                f"attitude {data.attitude!r} is not one of {attitude_choices()}",
                details={"field": "attitude"},
            )
        attitude = found.value
    problem = check_influence(data.influence)
    if problem:
        raise InvalidValueError(problem, details={"field": "influence"})
    verified = data.verified_at
    if isinstance(verified, date) and not isinstance(verified, datetime):
        verified = datetime.combine(verified, time())
    if isinstance(verified, datetime) and verified.tzinfo is not None:
        verified = verified.astimezone(tz=None).replace(tzinfo=None)

    def text(value: str | None, limit: int) -> str | None:
        if value is None:
            return None
        clean = " ".join(value.split()) if limit < 1000 else value.strip()
        return clean[:limit] or None

    return MemberInput(
        role=role,
        influence=None if data.influence is None else int(data.influence),
        attitude=attitude,
        formal_position=text(data.formal_position, 200),
        real_position=text(data.real_position, 200),
        relation=text(data.relation, 200),
        evidence=text(data.evidence, 20_000),
        source=text(data.source, 120),
        verified_at=verified,
    )


def get_member(session: Session, *, member_id: int) -> CommitteeMember:
    member = session.get(CommitteeMember, member_id)
    if member is None:
        raise NotFoundError(f"no committee member with id {member_id}")
    return member


def deal_members(session: Session, *, deal_id: int) -> list[CommitteeMember]:
    """A deal's committee, most influential first (404 for no such deal)."""
    if session.get(Deal, deal_id) is None:
        raise NotFoundError(f"no deal with id {deal_id}")
    return list(
        session.scalars(
            select(CommitteeMember)
            .options(selectinload(CommitteeMember.contact))
            .where(CommitteeMember.deal_id == deal_id)
            .order_by(CommitteeMember.influence.desc().nulls_last(), CommitteeMember.id)
        )
    )


def account_members(session: Session, *, account_id: int) -> list[CommitteeMember]:
    """An account's standing decision group (members with no deal), most influential first."""
    if session.get(Account, account_id) is None:
        raise NotFoundError(f"no account with id {account_id}")
    return list(
        session.scalars(
            select(CommitteeMember)
            .options(selectinload(CommitteeMember.contact))
            .where(CommitteeMember.account_id == account_id, CommitteeMember.deal_id.is_(None))
            .order_by(CommitteeMember.influence.desc().nulls_last(), CommitteeMember.id)
        )
    )


def find_contact(session: Session, *, email: str) -> Contact:
    contact = session.scalar(select(Contact).where(func.lower(Contact.email) == email.lower()))
    if contact is None:
        raise NotFoundError(
            f"no contact with email {email!r}: import or add the person first",
            details={"field": "contact"},
        )
    return contact


def find_member(
    session: Session, *, contact_id: int, deal_id: int | None, account_id: int | None
) -> CommitteeMember | None:
    stmt = select(CommitteeMember).where(CommitteeMember.contact_id == contact_id)
    if deal_id is not None:
        stmt = stmt.where(CommitteeMember.deal_id == deal_id)
    else:
        stmt = stmt.where(
            CommitteeMember.account_id == account_id, CommitteeMember.deal_id.is_(None)
        )
    return session.scalar(stmt)


def add_member(
    session: Session,
    *,
    contact_id: int,
    data: MemberInput,
    deal_id: int | None = None,
    account_id: int | None = None,
) -> CommitteeMember:
    """Place a person on a deal's committee (or an account's standing group, no deal).
    Refused (409) when they sit on it already."""
    if (deal_id is None) == (account_id is None):
        raise InvalidValueError("give a deal or an account (not both) for the committee")
    if session.get(Contact, contact_id) is None:
        raise NotFoundError(f"no contact with id {contact_id}", details={"field": "contact_id"})
    stage: str | None = None
    if deal_id is not None:
        deal = session.get(Deal, deal_id)
        if deal is None:
            raise NotFoundError(f"no deal with id {deal_id}")
        account_id = deal.account_id
        stage = deal.stage.name if deal.stage is not None else None
    elif session.get(Account, account_id) is None:
        raise NotFoundError(f"no account with id {account_id}")
    clean = clean_member(data, role_catalogue(session))
    if clean.role is None:
        raise InvalidValueError("a committee member needs a role", details={"field": "role"})
    existing = find_member(session, contact_id=contact_id, deal_id=deal_id, account_id=account_id)
    if existing is not None:
        raise ConflictError(
            f"this person is on the committee already (member {existing.id}); change that one",
            details={"field": "contact_id", "id": existing.id},
        )
    values = {k: getattr(clean, k) for k in FIELDS}
    values["attitude"] = values["attitude"] or "unknown"
    member = CommitteeMember(
        contact_id=contact_id, deal_id=deal_id, account_id=account_id, added_stage=stage, **values
    )
    session.add(member)
    session.flush()
    return member


def update_member(
    session: Session, *, member_id: int, changes: dict[str, Any], version: int | None = None
) -> CommitteeMember:
    """Change some fields (the others kept); ``version``, when given, must be the stored one
    (409 otherwise, see services/versions.py). ``role`` cannot be cleared."""
    member = get_member(session, member_id=member_id)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidValueError(
            f"unknown committee member field {sorted(unknown)[0]!r}; valid: {', '.join(FIELDS)}"
        )
    if "role" in changes and changes["role"] is None:
        raise InvalidValueError("a committee member needs a role", details={"field": "role"})
    clean = clean_member(replace(MemberInput(), **changes), role_catalogue(session))
    wanted = {k: getattr(clean, k) for k in changes}
    if "attitude" in wanted and wanted["attitude"] is None:
        wanted["attitude"] = "unknown"
    check_version(member, expected=version, changes=wanted, what="committee member")
    for name, value in wanted.items():
        if getattr(member, name) != value:
            setattr(member, name, value)
    session.flush()
    return member


def remove_member(session: Session, *, member_id: int, version: int | None = None) -> None:
    member = get_member(session, member_id=member_id)
    check_delete_version(member, expected=version, what="committee member")
    session.delete(member)
    session.flush()


# -- facts for the rules --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DealRow:
    id: int
    name: str
    external_id: str | None
    pipeline_id: int
    stage: str | None
    stage_id: int | None
    amount: float | None
    currency: str
    account_id: int | None
    account: str | None


def _external_ids(session: Session, ids: Iterable[int] | None) -> dict[int, str]:
    stmt = select(ExternalRef.entity_id, ExternalRef.value).where(ExternalRef.entity == "deal")
    if ids is not None:
        stmt = stmt.where(ExternalRef.entity_id.in_(list(ids)))
    out: dict[int, str] = {}
    for did, value in session.execute(stmt.order_by(ExternalRef.id)):
        out.setdefault(int(did), str(value))
    return out


# the columns of the two frames :func:`open_deal_frames` gives
DEAL_SCHEMA: dict[str, Any] = {
    "deal_id": pl.Int64,
    "name": pl.String,
    "pipeline_id": pl.Int64,
    "stage": pl.String,
    "stage_id": pl.Int64,
    "amount": pl.Float64,
    "currency": pl.String,
    "account_id": pl.Int64,
    "account": pl.String,
    "size": pl.Int64,
}
MEMBER_SCHEMA: dict[str, Any] = {
    "deal_id": pl.Int64,
    "contact_id": pl.Int64,
    "name": pl.String,
    "role": pl.String,
    "influence": pl.Int64,
    "attitude": pl.String,
    "verified_at": pl.Datetime("us"),
}


def _frame(session: Session, stmt: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``stmt`` as a frame of ``schema``, taken from the driver's cursor as they
    come: no SQLAlchemy row object or result processing per row (measured on the risk
    list's 304,170 members: 1.9 s through ``.all()``, 1.1 s so). SQLite hands dates and
    times as the ISO text SQLAlchemy stored; they are parsed column-wise here."""
    result = session.connection().execute(stmt)
    try:
        raw = result.cursor.fetchall()
    finally:
        result.close()
    if session.get_bind().dialect.name != "sqlite":
        return pl.DataFrame(raw, schema=schema, orient="row")
    timed = {k: v for k, v in schema.items() if v == pl.Date or isinstance(v, pl.Datetime)}
    frame = pl.DataFrame(raw, schema=schema | dict.fromkeys(timed, pl.String), orient="row")
    return frame.with_columns(
        pl.col(k).str.to_date("%Y-%m-%d")
        if v == pl.Date
        else pl.col(k).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us")
        for k, v in timed.items()
    )


def open_deal_frames(
    session: Session,
    *,
    deal_ids: Sequence[int] | None = None,
    roles: Sequence[str] = (),
    stale_before: datetime | None = None,
    high: int = 4,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every open deal (or the ones given), by id, with its committee's ``size`` and, per
    role of ``roles``, whether it holds one (``r0``, ``r1``, ... 0/1), counted in SQL; and
    the members a risk can be about (an opponent or an unknown attitude with influence
    ``high`` or more, verified before ``stale_before``, someone whose position at an account
    ended, the one member of a single-threaded deal), each deal's most influential first,
    with ``name`` and ``left_on`` (the day their last position at the deal's account ended);
    of the rest only what a rule reads: ``attitude`` when opponent or unknown, ``role`` when
    some position of theirs ended, ``verified_at`` when before ``stale_before``, else null.

    Polars frames straight from the rows, no ORM objects and no row objects kept: the risk
    list runs its rules over them set-wise (:mod:`buyermap.analytics.committee_risks`)."""
    cm = CommitteeMember.__table__
    opened = select(Deal.id).where(Deal.status == DealStatus.OPEN.value)
    if deal_ids is not None:
        opened = opened.where(Deal.id.in_(list(deal_ids)))
    # each committee's size and roles aggregated over the members alone (the deal_id index),
    # then joined to the deals: half the time of grouping the joined rows
    sizes = (
        select(
            cm.c.deal_id,
            func.count().label("n"),
            *[
                func.max(case((cm.c.role == role, 1), else_=0)).label(f"r{i}")
                for i, role in enumerate(roles)
            ],
        )
        .where(cm.c.deal_id.in_(opened.scalar_subquery()))
        .group_by(cm.c.deal_id)
        .subquery()
    )
    stmt = (
        select(
            Deal.id,
            Deal.name,
            Deal.pipeline_id,
            Stage.name,
            Deal.stage_id,
            Deal.amount,
            Deal.currency,
            Deal.account_id,
            Account.name,
            func.coalesce(sizes.c.n, 0),
            *[func.coalesce(sizes.c[f"r{i}"], 0) for i in range(len(roles))],
        )
        .select_from(Deal)
        .outerjoin(sizes, sizes.c.deal_id == Deal.id)
        .outerjoin(Stage, Stage.id == Deal.stage_id)
        .outerjoin(Account, Account.id == Deal.account_id)
        .where(Deal.status == DealStatus.OPEN.value)
        .order_by(Deal.id)
    )
    if deal_ids is not None:
        stmt = stmt.where(Deal.id.in_(list(deal_ids)))
    schema = DEAL_SCHEMA | {f"r{i}": pl.Int8 for i in range(len(roles))}
    deals = _frame(session, stmt, schema)
    ext = _external_ids(session, None if deal_ids is None else deals["deal_id"].to_list())
    deals = deals.with_columns(
        pl.col("deal_id")
        .replace_strict(ext, default=None, return_dtype=pl.String)
        .alias("external_id")
    )
    ended = select(AccountContact.contact_id).where(AccountContact.end_date.is_not(None))
    has_ended = cm.c.contact_id.in_(ended.scalar_subquery())
    telling = or_(
        and_(
            cm.c.influence >= high,
            cm.c.attitude.in_([Attitude.OPPONENT.value, Attitude.UNKNOWN.value]),
        ),
        has_ended,
    )
    stale = None if stale_before is None else cm.c.verified_at < stale_before
    if stale is not None:
        telling = or_(telling, stale)
    # the one member of a single-threaded deal, whatever they are
    singles = (
        select(cm.c.deal_id)
        .where(cm.c.deal_id.is_not(None))
        .group_by(cm.c.deal_id)
        .having(func.count() == 1)
    )
    telling = or_(telling, cm.c.deal_id.in_(singles.scalar_subquery()))
    members = (
        _member_rows(
            session, deal_ids=deal_ids, where=telling, role_when=has_ended, verified_when=stale
        )
        .join(deals.select("deal_id", "account_id"), on="deal_id", how="left")
        .join(_left_frame(session), on=["account_id", "contact_id"], how="left")
        .sort("order")
        .drop("order")
    )
    return deals, members


def _member_rows(
    session: Session,
    *,
    deal_ids: Sequence[int] | None,
    where: Any,
    role_when: Any,
    verified_when: Any,
) -> pl.DataFrame:
    """Open deals' members as a frame of :data:`MEMBER_SCHEMA`, each deal's most influential
    first, and ``order``, their place.

    Only what a rule reads comes back: ``attitude`` when it is opponent or unknown, ``role``
    where ``role_when`` holds, ``verified_at`` where ``verified_when`` does (``None``: always),
    else null. Every string the driver hands over is a new Python object, a null or a small
    number is not: on the benchmark's 429,823 members this took the fetch from 1.9 s to
    1.4 s."""
    cm = CommitteeMember.__table__
    codes = {1: Attitude.OPPONENT.value, 2: Attitude.UNKNOWN.value}
    attitude = case(*[(cm.c.attitude == word, code) for code, word in codes.items()])
    verified = (
        cm.c.verified_at if verified_when is None else case((verified_when, cm.c.verified_at))
    )
    name = func.coalesce(
        func.nullif(
            func.trim(
                func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, "")
            ),
            "",
        ),
        Contact.email,
        literal("contact ") + cast(Contact.id, String),
    )
    stmt = (
        select(
            CommitteeMember.deal_id,
            CommitteeMember.contact_id,
            name,  # joined in SQL: one string per row instead of three
            case((role_when, cm.c.role)),
            CommitteeMember.influence,
            attitude,
            verified,
        )
        .join(Deal, Deal.id == CommitteeMember.deal_id)
        .join(Contact, Contact.id == CommitteeMember.contact_id)
        .where(Deal.status == DealStatus.OPEN.value, where)
        .order_by(
            CommitteeMember.deal_id,
            CommitteeMember.influence.desc().nulls_last(),
            CommitteeMember.id,
        )
    )
    if deal_ids is not None:
        stmt = stmt.where(CommitteeMember.deal_id.in_(list(deal_ids)))
    schema = MEMBER_SCHEMA | {"attitude": pl.Int8}
    return (
        _frame(session, stmt, schema)
        .with_columns(
            pl.col("attitude").replace_strict(codes, default=None, return_dtype=pl.String)
        )
        .with_row_index("order")
    )


def _member_facts(
    session: Session,
    *,
    deal_ids: Sequence[int] | None,
    status: str | None,
    where: Any = None,
) -> dict[int, list[MemberFacts]]:
    stmt = (
        select(
            CommitteeMember.deal_id,
            CommitteeMember.contact_id,
            # the name joined in SQL (one string per row instead of a join in Python)
            func.trim(
                func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, "")
            ),
            Contact.email,
            CommitteeMember.role,
            CommitteeMember.influence,
            CommitteeMember.attitude,
            CommitteeMember.verified_at,
            Deal.account_id,
        )
        .join(Deal, Deal.id == CommitteeMember.deal_id)
        .join(Contact, Contact.id == CommitteeMember.contact_id)
        # each committee most influential first, as a deal's own committee is listed
        .order_by(
            CommitteeMember.deal_id,
            CommitteeMember.influence.desc().nulls_last(),
            CommitteeMember.id,
        )
    )
    if status is not None:
        stmt = stmt.where(Deal.status == status)
    if deal_ids is not None:
        stmt = stmt.where(CommitteeMember.deal_id.in_(list(deal_ids)))
    if where is not None:
        stmt = stmt.where(where)
    rows = session.connection().execute(stmt).all()
    left = _left(session, {(r[8], r[1]) for r in rows if r[8] is not None})
    out: dict[int, list[MemberFacts]] = {}
    for did, cid, full, email, role, influence, attitude, verified, aid in rows:
        out.setdefault(did if did is not None else 0, []).append(
            MemberFacts(
                contact_id=cid,
                name=full or email or f"contact {cid}",
                role=role,
                influence=influence,
                attitude=attitude,
                verified_at=verified,
                left_on=left.get((aid, cid)) if aid is not None else None,
            )
        )
    return out


def _left_frame(session: Session) -> pl.DataFrame:
    """(account, contact) -> ``left_on``, the day the person's last position there ended,
    for the pairs whose positions at that account have all ended (as :func:`_left`)."""
    ac = AccountContact.__table__
    current = func.sum(case((ac.c.end_date.is_(None), 1), else_=0))
    stmt = (
        select(ac.c.account_id, ac.c.contact_id, func.max(ac.c.end_date))
        .group_by(ac.c.account_id, ac.c.contact_id)
        .having(and_(func.max(ac.c.end_date).is_not(None), current == 0))
    )
    schema = {"account_id": pl.Int64, "contact_id": pl.Int64, "left_on": pl.Date}
    return _frame(session, stmt, schema).with_columns(pl.col("left_on").dt.strftime("%Y-%m-%d"))


def _left(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(account, contact) -> the day the person's last position there ended, for the pairs
    whose positions at that account have all ended."""
    if not pairs:
        return {}
    ended: dict[tuple[int, int], date] = {}
    current: set[tuple[int, int]] = set()
    stmt = select(AccountContact.account_id, AccountContact.contact_id, AccountContact.end_date)
    ended_stmt = stmt.where(AccountContact.end_date.is_not(None))
    for aid, cid, end in session.execute(ended_stmt):
        if (aid, cid) in pairs and end is not None:
            ended[(aid, cid)] = max(end, ended.get((aid, cid), end))
    if ended:
        accounts = sorted({a for a, _ in ended})
        for aid, cid, _ in session.execute(
            stmt.where(
                and_(AccountContact.end_date.is_(None), AccountContact.account_id.in_(accounts))
            )
        ):
            current.add((aid, cid))
    return {k: v.isoformat() for k, v in ended.items() if k not in current}


def pipelines_by_id(session: Session) -> dict[int, Pipeline]:
    return {
        p.id: p for p in session.scalars(select(Pipeline).options(selectinload(Pipeline.stages)))
    }


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    """A closed deal for "what wins": whether won, its committee, when its EB joined."""

    id: int
    won: bool
    members: tuple[MemberFacts, ...]
    eb_stage: str | None  # the stage the first economic buyer joined at, when known
    eb_present: bool


def closed_deal_facts(session: Session) -> list[ClosedDeal]:
    members = _member_facts(session, deal_ids=None, status=None)
    eb_stages: dict[int, str | None] = {}
    for did, stage in session.execute(
        select(CommitteeMember.deal_id, CommitteeMember.added_stage)
        .where(CommitteeMember.role == "economic_buyer", CommitteeMember.deal_id.is_not(None))
        .order_by(CommitteeMember.id)
    ):
        if did is not None and (did not in eb_stages or eb_stages[did] is None):
            eb_stages[did] = stage
    out = []
    for did, status in session.execute(
        select(Deal.id, Deal.status)
        .where(Deal.status.in_([DealStatus.WON.value, DealStatus.LOST.value]))
        .order_by(Deal.id)
    ):
        out.append(
            ClosedDeal(
                id=did,
                won=status == DealStatus.WON.value,
                members=tuple(members.get(did, [])),
                eb_stage=eb_stages.get(did),
                eb_present=did in eb_stages,
            )
        )
    return out


def stage_order(session: Session) -> dict[str, int]:
    """Every open stage name -> its place in its pipeline (the lowest over pipelines)."""
    out: dict[str, int] = {}
    for pipeline in pipelines_by_id(session).values():
        for i, s in enumerate(_open_stages(pipeline)):
            out[s.name] = min(out.get(s.name, i), i)
    return out


def find_account(session: Session, *, domain: str) -> Account:
    account = session.scalar(select(Account).where(func.lower(Account.domain) == domain.lower()))
    if account is None:
        raise NotFoundError(f"no account with domain {domain!r}", details={"field": "account"})
    return account


def get_account(session: Session, *, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"no account with id {account_id}")
    return account


@dataclass(frozen=True, slots=True)
class OneDeal(DealRow):
    open: bool = True


def deal_row(session: Session, *, deal_id: int) -> OneDeal:
    """One deal's row for the rules (open or closed)."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"no deal with id {deal_id}")
    return OneDeal(
        id=deal.id,
        name=deal.name,
        external_id=_external_ids(session, [deal.id]).get(deal.id),
        pipeline_id=deal.pipeline_id,
        stage=deal.stage.name if deal.stage is not None else None,
        stage_id=deal.stage_id,
        amount=deal.amount,
        currency=deal.currency,
        account_id=deal.account_id,
        account=deal.account.name if deal.account is not None else None,
        open=deal.status == DealStatus.OPEN.value,
    )


def facts_of(
    session: Session, *, members: Sequence[CommitteeMember], account_id: int | None
) -> list[MemberFacts]:
    """The rules' facts of loaded members, in their order."""
    pairs = {(account_id, m.contact_id) for m in members if account_id is not None}
    left = _left(session, {(a, c) for a, c in pairs if a is not None})
    return [
        MemberFacts(
            contact_id=m.contact_id,
            name=m.contact.full_name,
            role=m.role,
            influence=m.influence,
            attitude=m.attitude,
            verified_at=m.verified_at,
            left_on=left.get((account_id, m.contact_id)) if account_id is not None else None,
        )
        for m in members
    ]
