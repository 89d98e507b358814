"""Ack-first delivery: persist an inbound event, acknowledge the platform, then do the work.

Platforms retry a delivery they think failed (Slack after 3 seconds, Teams
on a 5xx). :func:`accept` records the event under its platform id in a
transaction of its own *before* the adapter acknowledges it, so that

* a database that is down raises here and the adapter answers with an
  error: the platform retries and nothing is silently dropped;
* a repeated delivery finds the id taken and changes nothing;
* the slow part (:func:`process`) runs after the ack, exactly once even when
  several replicas race, because it locks the pending row first and skips
  rows another worker holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
  SQLite serialises writers anyway).

A worker that dies between the two leaves the row ``pending``;
:func:`stale` finds such rows so that a sweep can process them later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.dispatch import handle, inbound_row
from kbbot.events import InboundEvent
from kbbot.replies import Reply
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent as InboundEventRow

PENDING = "pending"
DONE = "done"
FAILED = "failed"
MAX_ATTEMPTS = 5

_EVENT = TypeAdapter(InboundEvent)


def accept(sessions: sessionmaker[Session], event: InboundEvent, now: datetime) -> bool:
    """Persist ``event`` as pending; False when its id was seen before.

    Any database error propagates: the caller must then *not* acknowledge
    the delivery, so that the platform sends it again.
    """
    try:
        with unit_of_work(sessions) as session:
            session.add(inbound_row(event, now, PENDING))
        return True
    except IntegrityError:
        return False


def process(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings,
            now: datetime) -> list[Reply]:
    """Run the core for an accepted event, once; ``[]`` when it is done or another worker holds it."""
    try:
        with unit_of_work(sessions) as session:
            # One conditional update is the claim on every backend. On PostgreSQL it
            # targets the row through FOR UPDATE SKIP LOCKED, so a replica never waits
            # for another that holds it; on SQLite (no row locks) it takes the write
            # lock, and a worker that got there second finds the row no longer pending.
            pending = (InboundEventRow.platform == event.platform, InboundEventRow.event_key == event.event_id,
                       InboundEventRow.status == PENDING)
            target = select(InboundEventRow.id).where(*pending).with_for_update(skip_locked=True).scalar_subquery()
            claimed = session.execute(
                update(InboundEventRow)
                .where(InboundEventRow.id == target, InboundEventRow.status == PENDING)
                # Once done, only the key is needed (to recognise a repeat): what people
                # wrote, in any channel, is not kept here beyond the moment it is handled.
                .values(status=DONE, processed_at=now, attempts=InboundEventRow.attempts + 1,
                        payload={"type": event.type})
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                return []
            return handle(session, event, now, settings, already_claimed=True)
    except Exception as error:
        _record_failure(sessions, event, error)
        raise


def _lock_pending(session: Session, platform: str, key: str) -> InboundEventRow | None:
    query = (select(InboundEventRow)
             .where(InboundEventRow.platform == platform, InboundEventRow.event_key == key,
                    InboundEventRow.status == PENDING)
             .with_for_update(skip_locked=True))
    return session.scalars(query).first()


def _record_failure(sessions: sessionmaker[Session], event: InboundEvent, error: Exception) -> None:
    """Count the attempt; after MAX_ATTEMPTS the event is parked as failed instead of retried forever."""
    try:
        with unit_of_work(sessions) as session:
            row = _lock_pending(session, event.platform, event.event_id)
            if row is None:
                return
            row.attempts += 1
            row.error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = FAILED
    except Exception:  # the database may be the very thing that failed
        return


def stale(sessions: sessionmaker[Session], now: datetime, older_than: timedelta = timedelta(minutes=2),
          limit: int = 100, platforms: list[str] | None = None) -> list[InboundEvent]:
    """Pending events nobody finished (a worker died after the ack), oldest first.

    ``platforms`` limits them to those this process can answer on, so events of a
    platform served elsewhere never crowd out the ones it can finish.
    """
    with unit_of_work(sessions) as session:
        query = (select(InboundEventRow)
                 .where(InboundEventRow.status == PENDING, InboundEventRow.received_at < now - older_than)
                 .order_by(InboundEventRow.id).limit(limit))
        if platforms is not None:
            query = query.where(InboundEventRow.platform.in_(platforms))
        rows = session.scalars(query).all()
        events = []
        for row in rows:
            try:
                events.append(_EVENT.validate_python(row.payload))
            except ValidationError as error:
                # Stored by an older or newer kbbot: park it rather than block every sweep behind it.
                row.status, row.error = FAILED, f"unreadable payload: {error}"[:2000]
        return events


def receive(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings,
            now: datetime) -> list[Reply]:
    """Accept and process in one go, for adapters with no ack deadline (the console)."""
    if not accept(sessions, event, now):
        return []
    return process(sessions, event, settings, now)
