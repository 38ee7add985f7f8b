"""Typed SQLAlchemy models. Instants are stored in UTC and always come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware in, aware out: SQLite has no time zones, so store UTC and re-attach it on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("refusing to store a naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT for 1M+ rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PolicyVersion(Base):
    """A published policy text (policy §8); append-only. The one in force is the last published
    (the highest id: store/policy.py)."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    last_updated: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("uq_policy_versions_label", "label", unique=True),)


class PolicyReview(Base):
    """A review of the complaint handling procedure (policy §6); append-only."""

    __tablename__ = "policy_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    actions: Mapped[str] = mapped_column(Text)
    # The version in force when the review was recorded: the procedure it looked at.
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_policy_reviews_reviewed_on", "reviewed_on", "id"),)


class RefCounter(Base):
    """Per-year sequence behind human-friendly refs like C-2026-00042."""

    __tablename__ = "ref_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


# What a report reads besides received_at (services/reports.py; migration 0011's index).
REPORT_COLUMNS = (
    "status",
    "channel",
    "priority",
    "category",
    "assignee_id",
    "confidential",
    "policy_version_id",
    "acknowledged_at",
    "ack_due_at",
    "resolved_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining_s",
    "queue_bucket",
    "queue_at",
    "extension_count",
    "reopen_count",
    "customer_response",
    "ack_business_s",
    "resolve_business_s",
    "referred_to",
    "root_cause",
)
# The report's breakdown (migration 0015's index): its group keys first, in the order of the
# GROUP BY, so SQLite reads the groups in index order; then the period and what the counts read.
REPORT_GROUP_COLUMNS = (
    "channel",
    "priority",
    "status",
    "category",
    "assignee_id",
    "root_cause",
    "received_at",
    "confidential",
    "policy_version_id",
    "acknowledged_at",
    "ack_due_at",
    "resolved_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining_s",
    "queue_bucket",
    "queue_at",
)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    customer: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(64))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    status: Mapped[str] = mapped_column(String(24))
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Pause: business seconds that were left (NULL when the clock had already breached).
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_remaining_s: Mapped[float | None] = mapped_column(Float)
    next_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Report figures, kept by the workflow when the event happens (the calendar is not in SQL):
    # business seconds from receipt to acknowledgement, spent paused, and from receipt to the
    # last resolution minus the paused time (NULL until it happens; a reopen clears it).
    ack_business_s: Mapped[float | None] = mapped_column(Float)
    resolve_business_s: Mapped[float | None] = mapped_column(Float)
    paused_business_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    last_customer_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    escalation_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    escalation_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outcome: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(String(200))
    customer_response: Mapped[str | None] = mapped_column(String(16))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    referred_to: Mapped[str | None] = mapped_column(String(200))
    # The reference the case had where it was imported from (NULL for cases made here).
    source_ref: Mapped[str | None] = mapped_column(String(100))

    # The queue's sort key, kept on every transition: one index range scan serves "most urgent first".
    queue_bucket: Mapped[int] = mapped_column(SmallInteger)
    queue_at: Mapped[datetime] = mapped_column(UTCDateTime)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    assignee: Mapped[Agent | None] = relationship(lazy="joined")
    services: Mapped[list[CaseService]] = relationship(
        order_by="CaseService.position", cascade="all, delete-orphan", lazy="selectin"
    )

    # Optimistic concurrency: every UPDATE carries "AND version = :seen"; a stale one fails.
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # The queue's pages walk these in order. On PostgreSQL they also carry what an agent's
        # visibility reads (the program's filter and the policy on cases), so an agent's view
        # and band counts are index-only like a supervisor's (migration 0018).
        Index(
            "ix_cases_queue",
            "queue_bucket",
            "queue_at",
            "id",
            postgresql_include=["assignee_id", "confidential"],
        ),
        Index(
            "ix_cases_assignee_queue",
            "assignee_id",
            "queue_bucket",
            "queue_at",
            "id",
            postgresql_include=["confidential"],
        ),
        # An agent's "My escalated cases" (escalation_level > 0), one range per person.
        Index(
            "ix_cases_assignee_escalated",
            "assignee_id",
            "escalation_level",
            "escalation_due_at",
            "id",
        ),
        Index("ix_cases_customer", "customer", "received_at"),
        Index("ix_cases_escalation", "escalation_pending", "escalation_due_at", "id"),
        # "Mine to decide": the pending escalations of one level, by review deadline.
        Index(
            "ix_cases_escalation_level",
            "escalation_pending",
            "escalation_level",
            "escalation_due_at",
            "id",
        ),
        Index("ix_cases_received", "received_at"),
        # Reports (migration 0011): one index range per period, covering what a report reads.
        Index("ix_cases_report", "received_at", *REPORT_COLUMNS),
        Index("ix_cases_report_groups", *REPORT_GROUP_COLUMNS),
        # The percentiles walk these in order, the period filtered within (migration 0015).
        Index("ix_cases_ack_business", "ack_business_s", "received_at"),
        Index("ix_cases_resolve_business", "resolve_business_s", "received_at"),
        Index("ix_cases_source_ref", "source_ref"),
        # The team view: each person's open cases, grouped by assignee from the index alone
        # (services/team.py; only the open cases are in it).
        Index(
            "ix_cases_open_workload",
            "assignee_id",
            "queue_bucket",
            "queue_at",
            "received_at",
            "escalation_pending",
            sqlite_where=text("queue_bucket < 2"),
            postgresql_where=text("queue_bucket < 2"),
        ),
        # The team view's escalations pending, by assignee (any status).
        Index(
            "ix_cases_pending_review",
            "assignee_id",
            sqlite_where=text("escalation_pending = true"),
            postgresql_where=text("escalation_pending = true"),
        ),
        # "Next update due": the open cases owed an update, longest overdue first.
        Index(
            "ix_cases_next_update",
            "next_update_due_at",
            "id",
            postgresql_include=["assignee_id", "confidential"],  # as ix_cases_queue's
        ),
    )


class CaseService(Base):
    __tablename__ = "case_services"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The case's receipt instant, copied when the case is made (it never changes): a report
    # counts the services of a period from ix_case_services_received alone (migration 0015).
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_case_services_service", "service", "case_id"),
        Index("ix_case_services_received", "service", "received_at"),
    )


class ReportedEvent(Base):
    """A dated event the customer reported (policy §1: dates and times of relevant events)."""

    __tablename__ = "reported_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)

    # Write order only, never loaded: a flush writes the case before the rows pointing at it
    # (on PostgreSQL row-level security checks those rows against the case as changed so far).
    case: Mapped[Case] = relationship(lazy="raise")

    __table_args__ = (Index("ix_reported_events_case", "case_id", "at"),)


class TimelineEvent(Base):
    """Append-only: the services never update or delete a row of this table."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    customer_visible: Mapped[bool] = mapped_column(Boolean, default=False)

    # Write order only, never loaded: a flush writes the case before the rows pointing at it
    # (on PostgreSQL row-level security checks those rows against the case as changed so far).
    case: Mapped[Case] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_timeline_case", "case_id", "id"),
        Index("ix_timeline_actor", "actor", "at"),  # one person's audit trail
    )


class Escalation(Base):
    """Append-only: one customer request for a review, at level 1 (supervisor) or 2 (manager).

    The case row says which level is pending (cases.escalation_pending/_level/_due_at, what the
    queue and the workflow read); this keeps what was asked, by whom and when. A case has at most
    one request per level."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(SmallInteger)
    request: Mapped[str] = mapped_column(Text)  # the customer's words
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The review deadline; NULL only for requests backfilled from before schema 0009 whose
    # deadline the case row no longer held.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Write order only, never loaded (see TimelineEvent.case).
    case: Mapped[Case] = relationship(lazy="raise")

    __table_args__ = (Index("ix_escalations_case", "case_id", "level", unique=True),)


class EscalationDecision(Base):
    """Append-only: a supervisor's or manager's decision on an escalation (domain
    EscalationOutcome), with the explanation the customer is sent and an internal note."""

    __tablename__ = "escalation_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(SmallInteger)
    outcome: Mapped[str] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text)  # customer-visible
    note: Mapped[str] = mapped_column(Text, default="")  # internal
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Write order only, never loaded (see TimelineEvent.case).
    case: Mapped[Case] = relationship(lazy="raise")
    escalation: Mapped[Escalation] = relationship(lazy="raise")

    __table_args__ = (
        # The "Decided" view: newest first, keyset-paged.
        Index("ix_escalation_decisions_decided", "decided_at", "id"),
        Index("ix_escalation_decisions_case", "case_id", "id"),
    )


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(64))

    # Write order only, never loaded: a flush writes the case before the rows pointing at it
    # (on PostgreSQL row-level security checks those rows against the case as changed so far).
    case: Mapped[Case] = relationship(lazy="raise")

    __table_args__ = (Index("ix_attachments_case", "case_id"),)


class Recusal(Base):
    """An agent stepped away from a case for a conflict of interest (policy §5)."""

    __tablename__ = "recusals"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)

    # Write order only, never loaded: a flush writes the case before the rows pointing at it
    # (on PostgreSQL row-level security checks those rows against the case as changed so far).
    case: Mapped[Case] = relationship(lazy="raise")


class AccessLog(Base):
    """Append-only record of every case view and every refused attempt (policy §4)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    case_ref: Mapped[str | None] = mapped_column(String(20))
    allowed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_access_log_case", "case_ref", "at"),
        Index("ix_access_log_actor", "actor", "at"),
    )


class JsonDoc(TypeDecorator[object]):
    """JSON on SQLite, JSONB on PostgreSQL; the PostgreSQL dialect module is imported only when
    a PostgreSQL engine needs it (it costs start-up time on SQLite)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class CaseHistory(Base):
    """Append-only: every INSERT, DELETE and changing UPDATE of a case row, written on PostgreSQL
    by a trigger (whoever made the change, with any client), with the login as actor.

    ``changed`` lists the columns an UPDATE changed; ``old_values``/``new_values`` hold them
    (a DELETE keeps the whole old row; an INSERT only marks the creation). ``via_app`` is the
    session's claim to be complaint-tui: a claim anyone can make, so only False means something
    (the change certainly came from outside the program). SQLite (advisory) writes no rows.
    """

    __tablename__ = "case_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger)  # no foreign key: history outlives a case
    ref: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(8))
    changed: Mapped[list] = mapped_column(JsonDoc)
    old_values: Mapped[dict | None] = mapped_column(JsonDoc)
    new_values: Mapped[dict | None] = mapped_column(JsonDoc)
    via_app: Mapped[bool] = mapped_column(Boolean)
    # PostgreSQL: the 64-bit id of the transaction that made the change (groups one action's
    # changes; row-level security asks whether the current transaction wrote a case).
    xact: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_case_history_case", "case_id", "id"),
        Index("ix_case_history_actor", "actor", "at"),
    )
