"""Ack-first delivery: persist an inbound event, acknowledge the platform, then do the work.

Platforms retry a delivery they think failed (Slack after 3 seconds, Teams
on a 5xx). :func:`accept` records the event under its platform id in a
transaction of its own *before* the adapter acknowledges it, so that

* a database that is down raises here and the adapter answers with an
  error: the platform retries and nothing is silently dropped;
* a repeated delivery finds the id taken and changes nothing;
* the slow part (:func:`process_to_outbox`) runs after the ack, exactly once
  even when several workers race, because it claims the pending row first
  and skips rows another worker holds (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite serialises writers anyway). Its replies are stored in
  the same transaction (kbbot/pipeline/outbox.py).

A process that dies between the two leaves the row ``pending``;
:func:`waiting` finds such rows for workers and sweeps, and :func:`prune`
forgets handled events once no platform would deliver them again.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, overload

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Executable, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import outbox
from kbbot.config import Settings
from kbbot.pipeline.dispatch import handle, inbound_values
from kbbot.contract.events import InboundEvent
from kbbot.contract.replies import Reply
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent as InboundEventRow

PENDING = "pending"
DONE = "done"
FAILED = "failed"
MAX_ATTEMPTS = 5
NOTIFY_CHANNEL = "kbbot_inbox"
STALE_AFTER = timedelta(minutes=2)
"""An event pending this long was accepted by a process that no longer works on it."""

_EVENT = TypeAdapter(InboundEvent)
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def accept(sessions: sessionmaker[Session], event: InboundEvent, now: datetime,
           context: Mapping[str, Any] | None = None) -> bool:
    """Persist ``event`` as pending; False when its id was seen before.

    Any database error propagates: the caller must then *not* acknowledge
    the delivery, so that the platform sends it again.

    This runs before every acknowledgement, so it is one Core statement
    (``INSERT … ON CONFLICT DO NOTHING``) in its own short transaction rather
    than an ORM flush: the unit of work cost more CPU than the rest of the
    ack path together, and a repeat is then a row count of 0 instead of an
    exception and a rollback.
    """
    engine = sessions.kw["bind"]
    row = inbound_values(event, now, PENDING)
    row["context"] = dict(context) if context else None
    insert = _INSERTS.get(engine.dialect.name)
    if insert is None:  # a backend without ON CONFLICT: the unique key still decides
        try:
            with unit_of_work(sessions) as session:
                session.add(InboundEventRow(**row))
            return True
        except IntegrityError:
            return False
    # Autocommit: the one statement is its own transaction, so it is one round trip to the
    # database instead of three (BEGIN, INSERT, COMMIT), and just as durable.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(_accept_statement(engine.dialect.name), row).first() is not None


@functools.cache
def _accept_statement(dialect: str) -> Executable:
    """Built once per backend, with bound parameters, so that SQLAlchemy compiles it once too."""
    columns = ("platform", "event_key", "payload", "status", "attempts", "received_at", "processed_at", "context")
    returning: list[Any] = [InboundEventRow.id]
    if dialect == "postgresql":
        # Wakes the workers listening (kbbot/pipeline/worker.py) in the same round trip; only for a new row,
        # and only once the transaction commits.
        returning.append(func.pg_notify(NOTIFY_CHANNEL, bindparam("platform")))
    return (_INSERTS[dialect](InboundEventRow).values({name: bindparam(name) for name in columns})
            .on_conflict_do_nothing(index_elements=["platform", "event_key"]).returning(*returning))


def process(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings,
            now: datetime) -> list[Reply]:
    """Run the core for an accepted event, once; ``[]`` when it is done or another worker holds it.

    The replies exist only in the caller's hands: for tests of the core alone.
    Adapters that talk to a platform use :func:`process_to_outbox`.
    """
    return _process(sessions, event, settings, now, None)


def process_to_outbox(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings, now: datetime,
                      context: Mapping[str, Any] | None = None) -> list[outbox.Parcel]:
    """Run the core once and store its replies in the outbox, in the same transaction as the DONE mark.

    Either the event stays pending (and is handled again) or it is done
    *and* its replies are stored: a crash in between can no longer lose them.
    The caller owns the returned parcels and delivers them with
    :func:`kbbot.pipeline.outbox.deliver`.
    """
    return _process(sessions, event, settings, now, dict(context or {}))


@overload
def _process(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings, now: datetime,
             keep: None) -> list[Reply]: ...
@overload
def _process(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings, now: datetime,
             keep: dict[str, Any]) -> list[outbox.Parcel]: ...
def _process(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings, now: datetime,
             keep: dict[str, Any] | None) -> list[Reply] | list[outbox.Parcel]:
    try:
        with unit_of_work(sessions) as session:
            # One conditional update is the claim on every backend. On PostgreSQL it
            # targets the row through FOR UPDATE SKIP LOCKED, so a replica never waits
            # for another that holds it; on SQLite (no row locks) it takes the write
            # lock, and a worker that got there second finds the row no longer pending.
            claimed = session.execute(_claim_statement(), {
                "claim_platform": event.platform, "claim_key": event.event_id, "claim_now": now,
                "claim_payload": {"type": event.type}}).first()
            if claimed is None:
                return []
            replies = handle(session, event, now, settings, already_claimed=True)
            if keep is None:
                return replies
            return outbox.stage(session, event.platform, event.workspace_id, replies, now, keep, claimed[0])
    except Exception as error:
        _record_failure(sessions, event, error)
        raise


@functools.cache
def _claim_statement() -> Executable:
    """The claim, built once with bound parameters (constructing it per event cost as much as running it).

    It targets the row through ``FOR UPDATE SKIP LOCKED``, and leaves only
    the key of a done event (to recognise a repeat): what people wrote, in
    any channel, is not kept here beyond the moment it is handled.
    """
    table = InboundEventRow.__table__
    target = (select(table.c.id)
              .where(table.c.platform == bindparam("claim_platform"), table.c.event_key == bindparam("claim_key"),
                     table.c.status == PENDING)
              .with_for_update(skip_locked=True).scalar_subquery())
    return (update(table).where(table.c.id == target, table.c.status == PENDING)
            .values(status=DONE, processed_at=bindparam("claim_now", type_=table.c.processed_at.type),
                    attempts=table.c.attempts + 1,
                    payload=bindparam("claim_payload", type_=table.c.payload.type), context=None)
            .returning(table.c.id))


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
                # Parked for an operator: the error and the kind of event, not what was written.
                row.status, row.payload, row.context = FAILED, {"type": event.type}, None
    except Exception:  # the database may be the very thing that failed
        return


@dataclass(frozen=True)
class Waiting:
    """An accepted event nobody has handled yet, with what its adapter stored for handling it."""

    event: InboundEvent
    context: dict[str, Any]
    row: int | None = None  # the inbox row's id, so a worker can leave the ones it already holds out of its next look


def waiting(sessions: sessionmaker[Session], now: datetime, older_than: timedelta = timedelta(0),
            limit: int = 100, platforms: Sequence[str] | None = None, skip_locked: bool = False,
            exclude: Collection[int] = ()) -> list[Waiting]:
    """Pending events received before ``now - older_than``, oldest first.

    Workers ask with no age (anything pending is theirs to take); the sweep
    asks for events old enough that their own process must have died.
    ``platforms`` limits them to those this process can answer on, so events
    of a platform served elsewhere never crowd out the ones it can finish.
    ``skip_locked`` leaves out events another worker is handling right now
    (PostgreSQL), instead of offering them again and again until it commits;
    ``exclude`` the rows a worker already has queued, so that it does not
    read and decode them again at every look.
    """
    with unit_of_work(sessions) as session:
        query = (select(InboundEventRow)
                 .where(InboundEventRow.status == PENDING, InboundEventRow.received_at <= now - older_than)
                 .order_by(InboundEventRow.id).limit(limit))
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        if platforms is not None:
            query = query.where(InboundEventRow.platform.in_(list(platforms)))
        if exclude:
            query = query.where(InboundEventRow.id.not_in(list(exclude)))
        found = []
        for row in session.scalars(query).all():
            try:
                found.append(Waiting(_EVENT.validate_python(row.payload), dict(row.context or {}), row.id))
            except ValidationError as error:
                # Stored by an older or newer kbbot: park it rather than block every sweep behind it.
                kind = row.payload.get("type") if isinstance(row.payload, dict) else None
                row.status, row.payload, row.context = FAILED, {"type": kind}, None
                row.error = f"unreadable payload ({error.error_count()} validation errors)"
        return found


KEEP_HANDLED = timedelta(days=7)
"""How long a handled event's key is kept: far longer than any platform retries a delivery."""


def prune(sessions: sessionmaker[Session], now: datetime, keep: timedelta = KEEP_HANDLED,
          batch: int = 5000) -> int:
    """Forget handled events older than ``keep``, a batch at a time; how many were removed.

    Only the key of a handled event is left (its content was dropped when it
    was handled), and that key only matters while the platform might still
    deliver the event again.
    """
    with unit_of_work(sessions) as session:
        old = (select(InboundEventRow.id)
               .where(InboundEventRow.status.in_([DONE, FAILED]), InboundEventRow.received_at < now - keep)
               .limit(batch).scalar_subquery())
        return session.execute(delete(InboundEventRow).where(InboundEventRow.id.in_(old))
                               .execution_options(synchronize_session=False)).rowcount


def receive(sessions: sessionmaker[Session], event: InboundEvent, settings: Settings,
            now: datetime) -> list[Reply]:
    """Accept and process in one go, the replies in the caller's hands (tests of the core alone).

    Adapters take :class:`kbbot.pipeline.ingest.Ingest`, which stores the
    replies in the outbox and sends them.
    """
    if not accept(sessions, event, now):
        return []
    return process(sessions, event, settings, now)
