"""The workspace's tables.

Personal fields carry their data class in ``Column.info["data_class"]`` (see
:class:`buyermap.domain.enums.DataClass`); privacy rules and exports read it from
the model instead of keeping a second list.

All timestamps are naive UTC (see :class:`buyermap.db.types.UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from buyermap.db.base import Base
from buyermap.db.types import JSONType, UTCDateTime, utcnow
from buyermap.domain.enums import DataClass


def personal(data_class: DataClass) -> dict[str, Any]:
    """``info`` for a column that holds personal data of the given class."""
    return {"data_class": data_class.value}


IDENTITY = personal(DataClass.IDENTITY)
PROFESSIONAL = personal(DataClass.PROFESSIONAL)
PROFILE = personal(DataClass.PERSONAL_PROFILE)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Versioned:
    """A record people edit: ``version`` counts its saves (SQLAlchemy's ``version_id_col``).

    Every ORM update bumps it and checks that the row still has the version it was read
    with, so two saves racing on one record cannot both win; an edit that names the version
    it started from is refused when the record moved on (see
    :func:`buyermap.services.versions.check_version`).
    """

    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 (a declared_attr takes the class)
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class User(Timestamped, Base):
    """A person on the seller's side: deal and account owners, and (later) logins."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), info=IDENTITY)
    email: Mapped[str | None] = mapped_column(String(320), unique=True, info=IDENTITY)
    role: Mapped[str] = mapped_column(String(20), default="member")
    can_login: Mapped[bool] = mapped_column(Boolean, default=False)


class Account(Versioned, Timestamped, Base):
    """A company we sell to (or could)."""

    __tablename__ = "accounts"
    # Ids are never reused (SQLite would hand a deleted last row's id to the next record,
    # and a CRM id left behind would then point at an unrelated company).
    __table_args__ = (
        Index("ix_accounts_industry_country_name", "industry", "country", "name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    domain: Mapped[str | None] = mapped_column(String(255), unique=True)
    industry: Mapped[str | None] = mapped_column(String(120), index=True)
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[float | None] = mapped_column(Float)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(80), index=True)
    region: Mapped[str | None] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Columns of imported files that mapped to no field: kept, never dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    parent: Mapped[Account | None] = relationship(remote_side=[id])
    owner: Mapped[User | None] = relationship()
    deals: Mapped[list[Deal]] = relationship(back_populates="account")
    positions: Mapped[list[AccountContact]] = relationship(
        back_populates="account", cascade="all, delete", passive_deletes=True
    )


class Contact(Versioned, Timestamped, Base):
    """A person at one or more accounts."""

    __tablename__ = "contacts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(120), info=IDENTITY)
    last_name: Mapped[str | None] = mapped_column(String(120), info=IDENTITY)
    email: Mapped[str | None] = mapped_column(String(320), unique=True, info=IDENTITY)
    phone: Mapped[str | None] = mapped_column(String(60), info=IDENTITY)
    job_title: Mapped[str | None] = mapped_column(String(200), info=PROFESSIONAL)
    department: Mapped[str | None] = mapped_column(String(120), info=PROFESSIONAL)
    seniority: Mapped[str | None] = mapped_column(String(20), info=PROFESSIONAL)
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, info=PROFILE)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, info=PROFILE)

    positions: Mapped[list[AccountContact]] = relationship(
        back_populates="contact", cascade="all, delete", passive_deletes=True
    )

    @property
    def full_name(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) or (self.email or f"contact {self.id}")


class AccountContact(Base):
    """A person's position at a company. People change jobs, so this has a start and an end."""

    __tablename__ = "account_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200), info=PROFESSIONAL)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)

    account: Mapped[Account] = relationship(back_populates="positions")
    contact: Mapped[Contact] = relationship(back_populates="positions")

    __table_args__ = (UniqueConstraint("account_id", "contact_id", "start_date"),)


class ExternalRef(Base):
    """An id of one of our records in another system (HubSpot, Salesforce, ...)."""

    __tablename__ = "external_refs"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # account | contact | deal
    entity_id: Mapped[int] = mapped_column(Integer)
    system: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("entity", "system", "value"),
        Index("ix_external_refs_entity_id", "entity", "entity_id"),
    )


class Pipeline(Timestamped, Base):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the pipeline was closed: its deals and history stay, no new deals enter it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="pipeline", order_by="Stage.position", cascade="all, delete-orphan"
    )


class Stage(Base):
    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="open")
    probability: Mapped[float | None] = mapped_column(Float)
    # When the stage was closed (retired): its history stays, no deal moves into it again.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pipeline: Mapped[Pipeline] = relationship(back_populates="stages")

    __table_args__ = (
        UniqueConstraint("pipeline_id", "name"),
        CheckConstraint("kind in ('open', 'won', 'lost')", name="kind"),
        CheckConstraint(
            "probability is null or (probability >= 0 and probability <= 1)", name="probability"
        ),
    )


class LostReason(Base):
    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Deal(Versioned, Timestamped, Base):
    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"), index=True)
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(120))
    channel: Mapped[str | None] = mapped_column(String(120))
    # None when the source did not say when the deal was opened (never the import time):
    # analytics leave such deals out of cohorts and durations and say how many.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    expected_close: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("lost_reasons.id"))
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    account: Mapped[Account | None] = relationship(back_populates="deals")
    pipeline: Mapped[Pipeline] = relationship()
    stage: Mapped[Stage | None] = relationship()
    owner: Mapped[User | None] = relationship()
    lost_reason: Mapped[LostReason | None] = relationship()
    changes: Mapped[list[StageChange]] = relationship(
        back_populates="deal",
        order_by="(StageChange.changed_at, StageChange.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        Index("ix_deals_stage_owner_opened", "stage_id", "owner_id", "opened_at"),
        # the workspace's currency (most deals' currency) on every accounts and pipeline
        # page: counted from this index, 100k deals on SQLite 36 ms -> 8 ms
        Index("ix_deals_currency", "currency"),
        CheckConstraint("status in ('open', 'won', 'lost')", name="status"),
        {"sqlite_autoincrement": True},
    )


class DealContact(Base):
    """A person associated with a deal in the CRM (HubSpot deal-contact associations,
    Salesforce OpportunityContactRole): who the deal involves, before anyone has placed them
    in the buying committee."""

    __tablename__ = "deal_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str | None] = mapped_column(String(120), info=PROFESSIONAL)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("deal_id", "contact_id"),)


class StageChange(Base):
    """One move of a deal into a stage: the history that makes time in stage a query."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount: Mapped[float | None] = mapped_column(Float)
    # True when the change only records the stage a deal was in when a file was imported
    # (``changed_at`` is then the import time): the source did not say when it moved there.
    is_snapshot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Columns of imported history files that mapped to no field (segment, owner, ...).
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    deal: Mapped[Deal] = relationship(back_populates="changes")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_stage_changes_deal_time", "deal_id", "changed_at"),
        UniqueConstraint("deal_id", "to_stage_id", "changed_at"),
    )


class Note(Versioned, Timestamped, Base):
    """Dated free text with a source (a call note, an interview, an open survey answer)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="note")
    title: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, info=PROFILE)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str | None] = mapped_column(String(120))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)


class SurveyAnswer(Base):
    """One answer of one respondent to one survey question (long format)."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    value_text: Mapped[str | None] = mapped_column(Text, info=PROFILE)
    value_number: Mapped[float | None] = mapped_column(Float, info=PROFILE)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("survey", "question", "contact_id"),)


class CustomFieldDef(Base):
    """The typed schema of a workspace's custom fields, per entity."""

    __tablename__ = "custom_field_defs"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # account | contact | deal
    key: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    choices: Mapped[list[str]] = mapped_column(JSONType, default=list)
    data_class: Mapped[str] = mapped_column(String(30), default="none")
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("entity", "key"),)


class CommitteeMember(Versioned, Timestamped, Base):
    """A person in the buying committee of a deal (or of an account, when deal_id is null)."""

    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null once the account is deleted: a deal's committee stays with the deal.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30), info=PROFESSIONAL)
    formal_position: Mapped[str | None] = mapped_column(String(200), info=PROFESSIONAL)
    real_position: Mapped[str | None] = mapped_column(String(200), info=PROFILE)
    influence: Mapped[int | None] = mapped_column(Integer, info=PROFILE)  # 1 (low) .. 5 (high)
    attitude: Mapped[str] = mapped_column(String(20), default="unknown", info=PROFILE)
    # How the person relates to us (a former customer, met at a fair, knows our CEO, ...).
    relation: Mapped[str | None] = mapped_column(String(200), info=PROFILE)
    # What the role, influence and attitude rest on: a note, and where it came from.
    evidence: Mapped[str | None] = mapped_column(Text, info=PROFILE)
    source: Mapped[str | None] = mapped_column(String(120))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The deal's stage when the person joined its committee (None: not known).
    added_stage: Mapped[str | None] = mapped_column(String(120))

    contact: Mapped[Contact] = relationship()

    __table_args__ = (
        UniqueConstraint("account_id", "deal_id", "contact_id"),
        CheckConstraint("influence is null or (influence between 1 and 5)", name="influence"),
        CheckConstraint("account_id is not null or deal_id is not null", name="anchored"),
    )


class CommitteeRoleEntry(Timestamped, Base):
    """The workspace's changes to the committee role catalogue (domain/committee.py
    DEFAULT_ROLES): a new role, a default renamed, or a default hidden (``active`` False)."""

    __tablename__ = "committee_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CommitteeStageRole(Base):
    """A role a pipeline requires from a stage on. A pipeline with none of these rows
    requires the defaults (domain/committee.py DEFAULT_REQUIRED, matched to its stages)."""

    __tablename__ = "committee_stage_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(
        ForeignKey("pipelines.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(30))

    stage: Mapped[Stage] = relationship()

    __table_args__ = (UniqueConstraint("pipeline_id", "role"),)


class ContactRelationship(Versioned, Timestamped, Base):
    """A directed tie between two people (reports to, influences, ally, rival, informal
    advisor or a workspace's own type): the relationship map (docs/committee.md). ``kind``
    is a type key (domain/relationships.py TYPE_PATTERN); ``evidence`` and ``source`` say
    what the tie rests on."""

    __tablename__ = "contact_relationships"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    to_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30), info=PROFILE)
    strength: Mapped[int | None] = mapped_column(Integer, info=PROFILE)
    evidence: Mapped[str | None] = mapped_column(Text, info=PROFILE)
    source: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (
        UniqueConstraint("from_contact_id", "to_contact_id", "kind"),
        CheckConstraint("from_contact_id <> to_contact_id", name="not_self"),
        CheckConstraint("strength is null or (strength between 1 and 5)", name="strength"),
        Index("ix_contact_relationships_to_contact_id", "to_contact_id"),
    )


class SavedMapping(Timestamped, Base):
    """A reusable column mapping for imports (``--mapping NAME``)."""

    __tablename__ = "saved_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    entity: Mapped[str] = mapped_column(String(20))
    columns: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)


class SavedView(Timestamped, Base):
    """A list page's filters and sort order, saved under a name for the whole workspace."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("page", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ImportRun(Base):
    """An audit row per imported file: what came in, and what became of it."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The rejected rows as a quarantine CSV (for the web's download); null when none.
    quarantine_csv: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One change people made to a record they edit (a :class:`Versioned` one), written by
    :mod:`buyermap.db.audit` in the same transaction: who, when, which record and field, and
    the value before and after -- never for a personal field (a column with a data class),
    whose values are not copied here (``data_class`` says which class it was).

    Files brought in by ``import`` are recorded as :class:`ImportRun` instead.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id", "id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    entity: Mapped[str] = mapped_column(String(60))  # the table
    entity_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(80))
    data_class: Mapped[str | None] = mapped_column(String(30))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class PersonaRun(Base):
    """A persona discovery on the workspace's contacts: inputs hash, settings, version,
    the full result and the fitted model (so contacts can be reassigned and runs compared)."""

    __tablename__ = "persona_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(500), default="workspace")
    inputs_hash: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    version: Mapped[str] = mapped_column(String(40))
    k: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    model: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)

    personas: Mapped[list[PersonaRow]] = relationship(
        back_populates="run",
        order_by="PersonaRow.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class PersonaRow(Base):
    """One persona of a run (the card's details live in the run's ``result``)."""

    __tablename__ = "personas"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("persona_runs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    stability: Mapped[float | None] = mapped_column(Float)
    bucket: Mapped[str | None] = mapped_column(String(120))
    low_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    # discovered (from a run's data) or hand_made (made by people, e.g. a journey import
    # naming a persona no run has; not backed by data)
    origin: Mapped[str] = mapped_column(String(20), server_default=text("'discovered'"))

    run: Mapped[PersonaRun] = relationship(back_populates="personas")

    __table_args__ = (UniqueConstraint("run_id", "key"),)


class PersonaAssignment(Base):
    """A contact's persona in a run, with the posterior probability of that persona."""

    __tablename__ = "persona_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("persona_runs.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    persona_key: Mapped[str] = mapped_column(String(80), info=PROFILE)
    probability: Mapped[float] = mapped_column(Float, info=PROFILE)

    __table_args__ = (
        UniqueConstraint("run_id", "contact_id"),
        Index("ix_persona_assignments_run_persona", "run_id", "persona_key"),
    )


class PersonaProfile(Versioned, Timestamped, Base):
    """A persona in words: made by hand in a workshop (``origin`` ``hand_made``, no run,
    not backed by data) or the words a team gave a discovered persona (``origin``
    ``discovered``: ``run_id`` and ``persona_key`` name it; the run's numbers stay in the
    run). ``picture`` is an uploaded image (PNG, re-encoded), null for the generated one."""

    __tablename__ = "persona_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    origin: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("persona_runs.id", ondelete="CASCADE"), index=True
    )
    persona_key: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str | None] = mapped_column(String(20))
    demographics: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[list[str]] = mapped_column(JSONType, default=list)
    frustrations: Mapped[list[str]] = mapped_column(JSONType, default=list)
    behaviour_online: Mapped[str] = mapped_column(Text, default="")
    behaviour_offline: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    messages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    objections: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    questions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    picture: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        UniqueConstraint("run_id", "persona_key"),
        CheckConstraint("origin in ('hand_made', 'discovered')", name="origin"),
    )


class SellerProfileEntry(Versioned, Timestamped, Base):
    """One key of our seller profile (the "sales persona" buyers measure us against):
    regions served, certifications, languages, support hours, payment terms, ...; one or
    more values. Buyers' supplier criteria name these keys (see domain/mutual.py)."""

    __tablename__ = "seller_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    values: Mapped[list[str]] = mapped_column(JSONType, default=list)


class SupplierCriterion(Versioned, Timestamped, Base):
    """One of a buyer's supplier-selection criteria, as the team learnt it: ``criterion``
    (a seller-profile key) ``operator`` (includes, equals, at_least, at_most) ``value``,
    with a weight and whether it is a must-have."""

    __tablename__ = "supplier_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    criterion: Mapped[str] = mapped_column(String(120))
    operator: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    must_have: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(120))

    __table_args__ = (UniqueConstraint("account_id", "criterion", "operator"),)


class Avatar(Base):
    """A customer avatar saved by name: each save of a name is a new version. ``model`` is
    the fitted model as JSON (terms, edges, levels, weights; never a pickle), ``metrics``
    the learning's document (AUC, tiers, traits, rules, warnings)."""

    __tablename__ = "avatars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # learned | rules
    source: Mapped[str] = mapped_column(String(500))  # "workspace" or the file's name
    source_hash: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    model: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("kind in ('learned', 'rules')", name="kind"),
    )


class AvatarScore(Base):
    """An account's score by one avatar version: fit 0-100, probability (null when a rules
    avatar has no calibration), tier, reasons."""

    __tablename__ = "avatar_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    avatar_id: Mapped[int] = mapped_column(ForeignKey("avatars.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    fit: Mapped[float] = mapped_column(Float)
    # null: a rules avatar not calibrated on closed accounts (migration 0011)
    probability: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(200))
    reasons: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("avatar_id", "account_id"),
        # the accounts list's tier filter and fit sort (migration 0019, docs/avatar.md)
        Index("ix_avatar_scores_tier", "avatar_id", "tier", "account_id"),
        Index("ix_avatar_scores_fit", "avatar_id", "fit", "account_id"),
    )


class Journey(Versioned, Timestamped, Base):
    """A persona's buyer-journey map (domain/journeys.py): its stage template, the stages
    (the template's, or a custom list), the draft's status and the last published number."""

    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    persona_key: Mapped[str] = mapped_column(String(80), unique=True)
    template: Mapped[str] = mapped_column(String(20))
    stages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | published
    published: Mapped[int] = mapped_column(Integer, default=0)  # last published number

    lines: Mapped[list[JourneyLine]] = relationship(
        back_populates="journey",
        order_by="(JourneyLine.stage, JourneyLine.kind, JourneyLine.position, JourneyLine.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (CheckConstraint("status in ('draft', 'published')", name="status"),)


class JourneyLine(Versioned, Base):
    """One line of a map's draft: a stage, a kind, its text, an objection's ``key`` or an
    answer's ``ref`` (the key of the objection it answers), its place in the cell and the
    evidence behind it (free text and a count)."""

    __tablename__ = "journey_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(80), default="")
    ref: Mapped[str] = mapped_column(String(80), default="")
    text: Mapped[str] = mapped_column(String(2000))
    position: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str] = mapped_column(String(2000), default="")
    evidence_count: Mapped[int | None] = mapped_column(Integer)

    journey: Mapped[Journey] = relationship(back_populates="lines")


class JourneyVersion(Base):
    """A published version of a map: its number, template, stages and lines as they were."""

    __tablename__ = "journey_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    template: Mapped[str] = mapped_column(String(20))
    stages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("journey_id", "number"),)


class ContentAsset(Versioned, Timestamped, Base):
    """One piece of our content (the content library): title, URL, type, the personas and
    journey stages it is for, the objection keys it answers, its channel, inbound or
    outbound, and performance numbers where known."""

    __tablename__ = "content_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    type: Mapped[str] = mapped_column(String(80), default="")
    personas: Mapped[list[str]] = mapped_column(JSONType, default=list)
    stages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    objections: Mapped[list[str]] = mapped_column(JSONType, default=list)
    channel: Mapped[str] = mapped_column(String(120), default="")
    direction: Mapped[str] = mapped_column(String(10), default="inbound")  # inbound | outbound
    views: Mapped[int | None] = mapped_column(Integer)
    leads: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(120))


class KnowledgeField(Timestamped, Base):
    """The workspace's version of one knowledge-template field: a default it changed
    (enabled, from_tier, cost, ...; domain/knowledge.py DEFAULT_FIELDS) or a custom field.
    A special-category field is enabled only with a recorded legal basis (who, when, what)."""

    __tablename__ = "knowledge_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    block: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(20))
    data_class: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    from_tier: Mapped[str] = mapped_column(String(1))
    cost: Mapped[int] = mapped_column(Integer)
    worth: Mapped[int] = mapped_column(Integer)
    choices: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    legal_basis_by: Mapped[str | None] = mapped_column(String(200))
    legal_basis_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("cost between 1 and 5", name="cost"),
        CheckConstraint("worth between 1 and 5", name="worth"),
        CheckConstraint(
            "data_class <> 'special_category' or not enabled or legal_basis is not null",
            name="legal_basis",
        ),
    )


class KnowledgeValue(Versioned, Timestamped, Base):
    """What we know of an account for one template field; decision-maker fields are about
    a person and carry the contact (``contact_id``), the others have none."""

    __tablename__ = "knowledge_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    field_key: Mapped[str] = mapped_column(String(60))
    # the field's data class applies (knowledge_fields / DEFAULT_FIELDS); at most this one
    value: Mapped[Any] = mapped_column(JSONType, info=PROFILE)
    source: Mapped[str | None] = mapped_column(String(120))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact | None] = relationship()

    __table_args__ = (UniqueConstraint("account_id", "field_key", "contact_id"),)


class Touchpoint(Base):
    """One touch of a contact with a content asset (docs/journeys.md, journey against
    funnel): who, which asset (by its URL), when and through which channel."""

    __tablename__ = "touchpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("content_assets.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("contact_id", "asset_id", "at"),)


class JourneyFunnelMapping(Base):
    """The declared mapping of one journey stage to the funnel stages (by name) of one
    pipeline; a pipeline without rows uses the default (by name, then by order)."""

    __tablename__ = "journey_funnel_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    journey_stage: Mapped[str] = mapped_column(String(80))
    funnel_stages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("pipeline_id", "journey_stage"),)


class FormAnswer(Base):
    """One open answer of one form response (Google Forms, Microsoft Forms, Typeform
    exports): the respondent (email when the form asked, else the response's line), the
    contact matched by email, the persona it counts for, the question, the answer, when it
    was given and the file and line it came from. ``stage``/``objection`` say where it was
    accepted as evidence (empty until then)."""

    __tablename__ = "form_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file: Mapped[str] = mapped_column(String(500))
    line: Mapped[int] = mapped_column(Integer)
    respondent: Mapped[str] = mapped_column(String(320))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    persona_key: Mapped[str] = mapped_column(String(80), index=True)
    question: Mapped[str] = mapped_column(String(500))
    answer: Mapped[str] = mapped_column(Text, info=PROFILE)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(80), default="")
    objection: Mapped[str] = mapped_column(String(80), default="")

    __table_args__ = (UniqueConstraint("source_file", "line", "question"),)


class FormQuestionMap(Base):
    """Where the answers to one form question belong: a journey stage and, optionally, an
    objection's key."""

    __tablename__ = "form_question_maps"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(500), unique=True)
    stage: Mapped[str] = mapped_column(String(80))
    objection: Mapped[str] = mapped_column(String(80), default="")


class FormKeyword(Base):
    """A keyword rule of the answer themes: a word (``cena``, or a prefix ``cen*``) that
    files an answer under an objection's key or a stage."""

    __tablename__ = "form_keywords"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # stage | objection
    key: Mapped[str] = mapped_column(String(80))
    word: Mapped[str] = mapped_column(String(80))

    __table_args__ = (
        UniqueConstraint("kind", "key", "word"),
        CheckConstraint("kind in ('stage', 'objection')", name="kind"),
    )
