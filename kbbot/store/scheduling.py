"""Tables of the scheduler: the delivery ledger, schedule choices and APScheduler's job table.

The ledger is what makes weekly prompts and digests exactly-once across
several ``kbbot serve`` processes: a delivery is *claimed* by inserting a row
under the unique key (recipient, kind, period) before anything is sent, and
marked *sent* afterwards. A second process finds the key taken; a process
that died between claim and mark leaves a stale claim that is retried.

Like every table, these are created only by the Alembic migration
``0004_scheduler``; the classes must match it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kbbot.store.models import Base


class DeliveryStatus:
    """Where a delivery stands. Plain strings (not an enum type) so adding one needs no migration."""

    CLAIMED = "claimed"   # a process is sending it now (or died doing so: retried after the lease)
    PENDING = "pending"   # the platform asked to retry later; anyone may claim it after next_attempt_at
    SENT = "sent"
    FAILED = "failed"     # the platform refused for good, or attempts ran out
    EMPTY = "empty"       # nothing worth saying: deliberately not sent
    SKIPPED = "skipped"   # due longer ago than the misfire grace window (kbbot was down): not sent


class Delivery(Base):
    """One prompt or digest for one recipient and one period (ISO week), at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("recipient", "kind", "period", name="uq_deliveries_recipient_kind_period"),
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_deliveries_person_kind", "person_id", "kind"),
        # Every round looks up the current weeks' rows; the unique key starts with the recipient.
        Index("ix_deliveries_period_kind", "period", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # "person:<id>" or "channel:<conversation id>": one non-null key for the unique constraint.
    recipient: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "prompt", "digest", "channel_digest"
    period: Mapped[str] = mapped_column(String(16))  # ISO week of the scheduled moment, "2026-W48"
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A digest covers [window_start, claimed_at): from the recipient's previous sent digest's claim up to
    # its own (kbbot/scheduler/windows.py); written when it is built, rewritten by a retry's new claim.
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Which rotating prompt question was asked (an index into the catalogue's list).
    variant: Mapped[int | None] = mapped_column(Integer)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The platform's id of the posted message: replies in its thread are prompt answers.
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    error: Mapped[str | None] = mapped_column(Text)


class PersonSchedule(Base):
    """A person's own prompt and digest moments; ``None`` fields fall back to the workspace's."""

    __tablename__ = "person_schedules"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    prompt_day: Mapped[str | None] = mapped_column(String(3))
    prompt_time: Mapped[str | None] = mapped_column(String(5))
    digest_day: Mapped[str | None] = mapped_column(String(3))
    digest_time: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChannelDigest(Base):
    """A channel that asked for a weekly digest, at the moment of whoever asked, in their timezone.

    Its language is the channel's (:func:`kbbot.services.language.channel_locale`), like everything
    kbbot posts there; ``locale`` keeps the requester's, as it was stored before that rule, and is not read.
    """

    __tablename__ = "channel_digests"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# APScheduler's own job table, exactly as ``SQLAlchemyJobStore`` defines it, so that
# the migration creates it (the job store's start-up ``create(checkfirst=True)``
# then finds it) and the models-vs-migrations comparison knows it.
APSCHEDULER_JOBS = "apscheduler_jobs"
apscheduler_jobs = Table(
    APSCHEDULER_JOBS,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class ScheduleNext(Base):
    """When a person is next due for a prompt or a digest, so that a round reads only the people due now.

    A row is a cache of :func:`kbbot.weekly.schedules.moment`: missing, past
    or computed under other defaults (``basis``), it is worked out again. Any
    change to what decides the moment (timezone, own schedule, opting in,
    the workspace's days) deletes it on flush (kbbot/scheduler/next_due.py), so
    no service has to remember to.
    """

    __tablename__ = "schedule_next"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    basis: Mapped[str] = mapped_column(String(16))
