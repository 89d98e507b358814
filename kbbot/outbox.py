"""The outbox: replies are stored in the transaction that produced them, then delivered one by one.

Without it, the replies to an event lived only in the memory of the process
that handled it: a crash (or a redeploy) between "the event is done" and
"Slack has the message" lost them, and nobody would ever know. Now
:func:`kbbot.inbox.process_to_outbox` commits the event's DONE mark and its
replies together, and each reply leaves the outbox only when the platform
took it (:func:`deliver`).

Ownership is a lease. Stored replies belong to the process that stored them
(``owner``) until ``due_at``; a process that died leaves them to any
replica's sweep (:func:`due`), which takes them over with a new owner. Every
outcome is a compare-and-set on the owner, so a process whose lease ran out
cannot undo the work of the one that took over.

What it costs: a crash *after* the platform took a message and *before* the
outbox heard so sends that message once more when the lease ends (at least
once, never lost). Platforms offer no idempotency key for posting a message,
so no design without one can do better.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.outbound import DeliveryFailed, RetryLater
from kbbot.replies import Reply
from kbbot.store.db import unit_of_work
from kbbot.store.models import OutboxReply

log = logging.getLogger(__name__)

SENDING = "sending"
FAILED = "failed"

LEASE = timedelta(minutes=15)
"""How long the storing process owns its replies; longer than any adapter waits out one reply's rate limits."""

MAX_ATTEMPTS = 8
"""Deliveries a reply gets (each after its ``Retry-After``) before it is parked as failed."""


@dataclass(frozen=True)
class Parcel:
    """One stored reply, as the process that owns it sees it."""

    id: int
    owner: str
    platform: str
    workspace_id: str
    reply: Reply
    context: Mapping[str, Any] = field(default_factory=dict)
    event_row: int | None = None
    attempts: int = 0


def stage(session: Session, platform: str, workspace_id: str, replies: Sequence[Reply], now: datetime,
          context: Mapping[str, Any] | None = None, event_row: int | None = None) -> list[Parcel]:
    """Store ``replies`` in the caller's transaction, owned by a fresh lease; in order."""
    owner = uuid.uuid4().hex
    rows = [OutboxReply(inbound_event_id=event_row, position=position, platform=platform, workspace_id=workspace_id,
                        reply=reply.model_dump(mode="json"), context=dict(context or {}) or None, status=SENDING,
                        owner=owner, due_at=now + LEASE, attempts=0, created_at=now)
            for position, reply in enumerate(replies)]
    session.add_all(rows)
    session.flush()
    return [Parcel(id=row.id, owner=owner, platform=platform, workspace_id=workspace_id, reply=reply,
                   context=dict(context or {}), event_row=event_row)
            for row, reply in zip(rows, replies, strict=True)]


def due(sessions: sessionmaker[Session], now: datetime, platforms: Sequence[str] | None = None,
        limit: int = 100) -> list[Parcel]:
    """Take over replies whose owner's lease ended (it died, or was told to retry later); in delivery order.

    Rows another replica is taking over at this moment are skipped, not
    waited for (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
    """
    owner = uuid.uuid4().hex
    with unit_of_work(sessions) as session:
        query = (select(OutboxReply.id).where(OutboxReply.status == SENDING, OutboxReply.due_at <= now)
                 .order_by(OutboxReply.id).limit(limit).with_for_update(skip_locked=True))
        if platforms is not None:
            query = query.where(OutboxReply.platform.in_(list(platforms)))
        ids = list(session.scalars(query))
        if not ids:
            return []
        session.execute(update(OutboxReply)
                        .where(OutboxReply.id.in_(ids), OutboxReply.status == SENDING, OutboxReply.due_at <= now)
                        .values(owner=owner, due_at=now + LEASE)
                        .execution_options(synchronize_session=False))
        rows = session.scalars(select(OutboxReply).where(OutboxReply.owner == owner)
                               .order_by(OutboxReply.inbound_event_id, OutboxReply.position, OutboxReply.id)).all()
        parcels = []
        for row in rows:
            try:
                reply = Reply.model_validate(row.reply)
            except ValidationError as error:
                # Stored by another kbbot version: park it rather than retry it forever.
                row.status, row.owner, row.error = FAILED, None, f"unreadable reply: {error}"[:2000]
                continue
            parcels.append(Parcel(id=row.id, owner=owner, platform=row.platform, workspace_id=row.workspace_id,
                                  reply=reply, context=dict(row.context or {}), event_row=row.inbound_event_id,
                                  attempts=row.attempts))
        return parcels


def delivered(sessions: sessionmaker[Session], parcel: Parcel) -> bool:
    """The platform has it: the reply leaves the outbox (what people wrote is kept no longer than needed)."""
    with unit_of_work(sessions) as session:
        return session.execute(delete(OutboxReply).where(OutboxReply.id == parcel.id, OutboxReply.owner == parcel.owner)
                               .execution_options(synchronize_session=False)).rowcount == 1


def postpone(sessions: sessionmaker[Session], parcel: Parcel, now: datetime, after: float, reason: str,
             counts: bool = True) -> None:
    """Give the reply back for a sweep to try after ``after`` seconds; parked as failed after MAX_ATTEMPTS."""
    attempts = parcel.attempts + int(counts)
    values: dict[str, Any] = {"owner": None, "due_at": now + timedelta(seconds=max(after, 1.0)),
                              "attempts": attempts, "error": reason[:2000]}
    if attempts >= MAX_ATTEMPTS:
        values.update(status=FAILED, reply=_redacted(parcel), context=None)
    with unit_of_work(sessions) as session:
        session.execute(update(OutboxReply).where(OutboxReply.id == parcel.id, OutboxReply.owner == parcel.owner)
                        .values(**values).execution_options(synchronize_session=False))


def give_up(sessions: sessionmaker[Session], parcel: Parcel, reason: str) -> None:
    """Retrying cannot help (channel gone, kbbot removed): keep where it was going and why, not what it said."""
    with unit_of_work(sessions) as session:
        session.execute(update(OutboxReply).where(OutboxReply.id == parcel.id, OutboxReply.owner == parcel.owner)
                        .values(status=FAILED, owner=None, error=reason[:2000], reply=_redacted(parcel), context=None,
                                attempts=parcel.attempts + 1)
                        .execution_options(synchronize_session=False))


def _redacted(parcel: Parcel) -> dict[str, Any]:
    reply = parcel.reply
    return {"conversation_id": reply.conversation_id, "dm_to": reply.dm_to, "ephemeral_to": reply.ephemeral_to,
            "home_of": reply.home_of}


Send = Callable[[Parcel], object]


@dataclass
class Tally:
    """What one delivery round did, for logs and tests."""

    delivered: int = 0
    postponed: int = 0
    failed: int = 0


def deliver(sessions: sessionmaker[Session], parcels: Sequence[Parcel], send: Send,
            clock: Callable[[], datetime]) -> Tally:
    """Send each parcel and record the outcome; one failure never stops the rest.

    Replies to one event keep their order: once one of them has to wait,
    the ones after it wait too (a thread reply must not overtake the
    question it belongs under).
    """
    tally = Tally()
    waiting: dict[int, float] = {}  # event row → seconds its replies wait
    for parcel in parcels:
        if parcel.event_row is not None and parcel.event_row in waiting:
            postpone(sessions, parcel, clock(), waiting[parcel.event_row],
                     "waiting for an earlier reply to the same event", counts=False)
            tally.postponed += 1
            continue
        try:
            send(parcel)
        except RetryLater as error:
            postpone(sessions, parcel, clock(), error.retry_after, str(error))
            if parcel.event_row is not None:
                waiting[parcel.event_row] = error.retry_after
            tally.postponed += 1
            continue
        except DeliveryFailed as error:
            log.warning("reply %s to %s given up: %s", parcel.id, _target(parcel.reply), error)
            give_up(sessions, parcel, str(error))
            tally.failed += 1
            continue
        except Exception as error:  # a bug in one renderer must not lose the rest; the sweep retries it
            log.exception("reply %s to %s failed unexpectedly", parcel.id, _target(parcel.reply))
            postpone(sessions, parcel, clock(), 60.0, f"{type(error).__name__}: {error}")
            if parcel.event_row is not None:
                waiting[parcel.event_row] = 60.0
            tally.postponed += 1
            continue
        tally.delivered += 1
        try:
            if not delivered(sessions, parcel):
                log.warning("reply %s was delivered after its lease ended; another process may send it too",
                            parcel.id)
        except SQLAlchemyError:  # sent, but not recorded: it goes out once more when the lease ends
            log.exception("could not record the delivery of reply %s", parcel.id)
    return tally


def _target(reply: Reply) -> str:
    """Where a reply was going, for logs (ids only, never content: it may come from a private channel)."""
    return reply.conversation_id or (f"DM {reply.dm_to}" if reply.dm_to else f"home of {reply.home_of}")
