"""The outbox: replies are stored in the transaction that produced them, then delivered one by one.

Without it, the replies to an event lived only in the memory of the process
that handled it: a crash (or a redeploy) between "the event is done" and
"Slack has the message" lost them, and nobody would ever know. Now
:func:`kbbot.pipeline.inbox.process_to_outbox` commits the event's DONE mark and its
replies together, and each reply leaves the outbox only when the platform
took it (:func:`deliver`).

Ownership is a lease. Stored replies belong to the process that stored them
(``owner``) until ``due_at``; a process that died leaves them to any
replica's sweep (:func:`due`), which takes them over with a new owner: at
once when the owner is known dead (kbbot/pipeline/liveness.py), else when
the lease ends. Every
outcome is a compare-and-set on the owner, so a process whose lease ran out
cannot undo the work of the one that took over.

A crash *after* the platform took a message and *before* the outbox heard
so would send that message once more when the lease ends. Platforms offer
no idempotency key for posting, so every reply carries its own ``key``
(``kbbot-reply-<row id>``) and a reply taken over from another owner is
first looked for (:class:`kbbot.contract.outbound.Recalls`: Slack keeps the
key in the message's metadata): found, it is recorded as delivered instead
of posted again. What cannot be read back (an ephemeral, a platform with no
history to ask) is sent again: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased, sessionmaker

from kbbot.contract.outbound import DeliveryFailed, Outbound, RetryLater
from kbbot.contract.replies import DirectMessage, HomeView, Posted, Reply
from kbbot.pipeline import liveness, posting
from kbbot.store.db import unit_of_work
from kbbot.store.models import OutboxReply

log = logging.getLogger(__name__)

SENDING = "sending"
FAILED = "failed"

LEASE = timedelta(minutes=15)
"""How long the storing process owns its replies; longer than any adapter waits out one reply's rate limits."""

RENEW_AFTER = timedelta(minutes=1)
"""A lease younger than this is not renewed before sending: nobody can take it over for 14 more minutes,
and a write (and a commit) per reply was a measurable share of the work per event."""

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
    leased_at: datetime | None = None
    maybe_sent: bool = False
    """Taken over from another owner, which may have posted it before it died: look before posting."""
    created_at: datetime | None = None

    @property
    def key(self) -> str:
        """The reply's delivery key: the same for every attempt, unique to this stored reply."""
        return f"kbbot-reply-{self.id}"


def stage(session: Session, platform: str, workspace_id: str, replies: Sequence[Reply], now: datetime,
          context: Mapping[str, Any] | None = None, event_row: int | None = None) -> list[Parcel]:
    """Store ``replies`` in the caller's transaction, owned by a fresh lease; in order."""
    owner = liveness.owner()
    rows = [OutboxReply(inbound_event_id=event_row, position=position, platform=platform, workspace_id=workspace_id,
                        reply=reply.model_dump(mode="json"), context=dict(context or {}) or None, status=SENDING,
                        owner=owner, due_at=now + LEASE, attempts=0, created_at=now)
            for position, reply in enumerate(replies)]
    session.add_all(rows)
    session.flush()
    return [Parcel(id=row.id, owner=owner, platform=platform, workspace_id=workspace_id, reply=reply,
                   context=dict(context or {}), event_row=event_row, leased_at=now, created_at=now)
            for row, reply in zip(rows, replies, strict=True)]


def due(sessions: sessionmaker[Session], now: datetime, platforms: Sequence[str] | None = None,
        limit: int = 100) -> list[Parcel]:
    """Take over replies whose owner's lease ended, or whose owner is known dead; in delivery order.

    A lease ends when it is due (its process died unnoticed, or was told to
    retry later); a process known dead (:mod:`kbbot.pipeline.liveness`: its
    pid is gone on this machine, or its heartbeat stopped) loses its leases
    at once. Rows another replica is taking over at this moment are
    skipped, not waited for (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
    """
    owner = liveness.owner()
    earlier = aliased(OutboxReply)
    with unit_of_work(sessions) as session:
        dead = liveness.dead(session, now)
        takeable = OutboxReply.due_at <= now
        held = earlier.due_at > now
        if dead:
            takeable = or_(takeable, liveness.owned_by(OutboxReply.owner, dead))
            held = and_(held, ~liveness.owned_by(earlier.owner, dead))
        # A reply waits while an earlier reply of its event is still to be sent and not yet due (or
        # held by another live process): a thread reply must never overtake the card it belongs under.
        blocked = exists().where(earlier.inbound_event_id == OutboxReply.inbound_event_id,
                                 earlier.position < OutboxReply.position, earlier.status == SENDING, held)
        query = (select(OutboxReply.id, OutboxReply.owner).where(OutboxReply.status == SENDING, takeable, ~blocked)
                 .order_by(OutboxReply.id).limit(limit).with_for_update(skip_locked=True))
        if platforms is not None:
            query = query.where(OutboxReply.platform.in_(list(platforms)))
        # A reply given back (postponed, owner cleared) was not sent; one with an owner was being sent.
        previous = {id_: earlier_owner for id_, earlier_owner in session.execute(query)}
        ids = list(previous)
        if not ids:
            return []
        session.execute(update(OutboxReply)
                        .where(OutboxReply.id.in_(ids), OutboxReply.status == SENDING, takeable)
                        .values(owner=owner, due_at=now + LEASE)
                        .execution_options(synchronize_session=False))
        rows = session.scalars(select(OutboxReply).where(OutboxReply.id.in_(ids), OutboxReply.owner == owner)
                               .order_by(OutboxReply.id)).all()
        parcels = []
        for row in rows:
            try:
                reply = Reply.model_validate(legacy_reply(row.reply))
            except ValidationError as error:
                # Stored by another kbbot version: park it rather than retry it forever, without its content.
                row.status, row.owner, row.context = FAILED, None, None
                row.reply = {"unreadable": True}
                row.error = f"unreadable reply ({error.error_count()} validation errors)"
                continue
            parcels.append(Parcel(id=row.id, owner=owner, platform=row.platform, workspace_id=row.workspace_id,
                                  reply=reply, context=dict(row.context or {}), event_row=row.inbound_event_id,
                                  attempts=row.attempts, leased_at=now, maybe_sent=previous[row.id] is not None,
                                  created_at=row.created_at))
        return parcels


def legacy_reply(stored: Any) -> Any:
    """A reply stored by the kbbot before destinations were one tagged type, in today's shape.

    Replies wait in the outbox across a deploy (a lease, a ``Retry-After``),
    so the shape the previous version wrote is still read: its optional
    destination fields become the one destination they meant.
    """
    if not isinstance(stored, dict) or "to" in stored:
        return stored
    old = dict(stored)
    fields = ("conversation_id", "thread_id", "ephemeral_to", "dm_to", "home_of", "in_thread_of",
              "replace_original", "replaces")
    conversation, thread, ephemeral, dm, home, in_thread_of, replace_original, replaces = (
        old.pop(name, None) for name in fields)
    if home:
        to: dict[str, Any] = {"to": "home", "person_id": home}
    elif ephemeral:
        to = {"to": "ephemeral", "conversation_id": conversation or ephemeral, "person_id": ephemeral,
              "replace_original": bool(replace_original)}
    elif dm:
        to = {"to": "dm", "person_id": dm}
    elif replaces:
        to = {"to": "replace", "conversation_id": conversation, "question_id": replaces.get("id")}
    else:
        to = {"to": "post", "conversation_id": conversation, "thread_id": thread,
              "in_thread_of": (in_thread_of or {}).get("id")}
    return {**old, "to": to}


def renew(sessions: sessionmaker[Session], parcel: Parcel, now: datetime) -> bool:
    """Extend the lease just before sending; False when another process took the reply over meanwhile.

    A batch may take long (a platform's rate limits are waited out reply by
    reply), so the lease is renewed per reply rather than trusted for the
    whole batch, once it is :data:`RENEW_AFTER` old (see :class:`Round`).
    """
    with unit_of_work(sessions) as session:
        return session.execute(update(OutboxReply)
                               .where(OutboxReply.id == parcel.id, OutboxReply.owner == parcel.owner,
                                      OutboxReply.status == SENDING)
                               .values(due_at=now + LEASE).execution_options(synchronize_session=False)
                               ).rowcount == 1


def delivered(sessions: sessionmaker[Session], parcel: Parcel, posted: Posted | None = None) -> bool:
    """The platform has it: the reply leaves the outbox and what was posted is recorded, in one transaction.

    What people wrote is kept no longer than needed. Recording in the same
    transaction means a crash leaves either both (done) or neither (the
    reply goes out once more when the lease ends, and is recorded then).
    """
    with unit_of_work(sessions) as session:
        posting.record(session, parcel.reply, posted)
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


KEEP_FAILED = timedelta(days=30)
"""How long a reply that could not be delivered is kept (where it was going and why), for operators."""


def prune(sessions: sessionmaker[Session], now: datetime, keep: timedelta = KEEP_FAILED) -> int:
    """Forget failed replies older than ``keep``; how many were removed."""
    with unit_of_work(sessions) as session:
        return session.execute(delete(OutboxReply).where(OutboxReply.status == FAILED, OutboxReply.created_at < now - keep)
                               .execution_options(synchronize_session=False)).rowcount


def _redacted(parcel: Parcel) -> dict[str, Any]:
    """Where a parked reply was going (its destination holds ids only), without what it said."""
    return {"to": parcel.reply.to.model_dump(mode="json")}


Send = Callable[[Parcel], Posted | None]
"""Sends one parcel whose reply has its platform ids filled in; says what was posted."""


def through(port: Outbound) -> Send:
    """The plain way to send a parcel: the platform's port, with the context stored with its event."""

    def send(parcel: Parcel) -> Posted | None:
        reply = parcel.reply.model_copy(update={"key": parcel.key})
        since = (parcel.created_at or parcel.leased_at or datetime.now().astimezone()) if parcel.maybe_sent else None
        return posting.deliver_once(port, parcel.workspace_id, reply, parcel.context, since)

    return send


@dataclass
class Tally:
    """What one delivery round did, for logs and tests."""

    delivered: int = 0
    postponed: int = 0
    failed: int = 0


class Round:
    """The bookkeeping of one delivery round, shared by the blocking and the asyncio senders.

    Replies to one event keep their order: once one of them has to wait,
    the ones after it wait as long (a thread reply must not overtake the
    question it belongs under).
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock
        self.tally = Tally()
        self._waiting: dict[int, float] = {}  # event row → seconds its replies wait
        self._lost: set[int | None] = set()  # event rows whose replies another process now owns

    def must_wait(self, parcel: Parcel) -> bool:
        """True when the parcel must not be sent now: an earlier reply of its event waits (it is
        postponed as long), or its lease was taken over by another process (it is theirs now)."""
        if parcel.event_row in self._lost:
            return True
        if parcel.event_row is None or parcel.event_row not in self._waiting:
            now = self.clock()
            if parcel.leased_at is not None and now - parcel.leased_at < RENEW_AFTER:
                return False
            if renew(self.sessions, parcel, now):
                return False
            log.warning("reply %s was taken over by another process; leaving it (and its event's rest) to it",
                        parcel.id)
            if parcel.event_row is not None:
                self._lost.add(parcel.event_row)
            return True
        postpone(self.sessions, parcel, self.clock(), self._waiting[parcel.event_row],
                 "waiting for an earlier reply to the same event", counts=False)
        self.tally.postponed += 1
        return True

    def ready(self, parcel: Parcel) -> Parcel | None:
        """The parcel with the platform ids the core recorded filled in; None (and parked) when one is missing."""
        if not posting.needs_resolving(parcel.reply):
            return parcel
        try:
            with unit_of_work(self.sessions) as session:
                reply = posting.resolve(session, parcel.reply)
        except DeliveryFailed as error:
            self.not_sent(parcel, error)
            return None
        return parcel if reply is parcel.reply else replace(parcel, reply=reply)

    def sent(self, parcel: Parcel, posted: Posted | None = None) -> None:
        self.tally.delivered += 1
        try:
            if not delivered(self.sessions, parcel, posted):
                log.warning("reply %s was delivered after its lease ended; another process may send it too",
                            parcel.id)
        except SQLAlchemyError:  # sent, but not recorded: it goes out once more when the lease ends
            log.exception("could not record the delivery of reply %s", parcel.id)

    def not_sent(self, parcel: Parcel, error: Exception) -> None:
        """Record why: a busy platform postpones it, a refusal parks it, anything else is retried later."""
        if isinstance(error, DeliveryFailed):
            log.warning("reply %s to %s given up: %s", parcel.id, _target(parcel.reply), error)
            give_up(self.sessions, parcel, str(error))
            self.tally.failed += 1
            return
        if isinstance(error, RetryLater):
            after, reason = error.retry_after, str(error)
        else:  # a bug in one renderer must not lose the rest; the sweep retries it
            log.error("reply %s to %s failed unexpectedly", parcel.id, _target(parcel.reply), exc_info=error)
            after, reason = 60.0, f"{type(error).__name__}: {error}"
        postpone(self.sessions, parcel, self.clock(), after, reason)
        if parcel.event_row is not None:
            self._waiting[parcel.event_row] = after
        self.tally.postponed += 1


def deliver(sessions: sessionmaker[Session], parcels: Sequence[Parcel], send: Send,
            clock: Callable[[], datetime]) -> Tally:
    """Send each parcel and record the outcome; one failure never stops the rest."""
    round_ = Round(sessions, clock)
    for parcel in parcels:
        if round_.must_wait(parcel) or (ready := round_.ready(parcel)) is None:
            continue
        try:
            posted = send(ready)
        except Exception as error:
            round_.not_sent(ready, error)
        else:
            round_.sent(ready, posted)
    return round_.tally


async def deliver_async(sessions: sessionmaker[Session], parcels: Sequence[Parcel],
                        send: Callable[[Parcel], Awaitable[Posted | None]], clock: Callable[[], datetime]) -> Tally:
    """:func:`deliver` for adapters that send on an event loop; the bookkeeping runs in threads."""
    round_ = Round(sessions, clock)
    for parcel in parcels:
        if await asyncio.to_thread(round_.must_wait, parcel):
            continue
        ready = await asyncio.to_thread(round_.ready, parcel) if posting.needs_resolving(parcel.reply) else parcel
        if ready is None:
            continue
        try:
            posted = await send(ready)
        except Exception as error:
            await asyncio.to_thread(round_.not_sent, ready, error)
        else:
            await asyncio.to_thread(round_.sent, ready, posted)
    return round_.tally


def _target(reply: Reply) -> str:
    """Where a reply was going, for logs (ids only, never content: it may come from a private channel)."""
    to = reply.to
    if isinstance(to, DirectMessage | HomeView):
        return f"{to.to} {to.person_id}"
    return to.conversation_id
