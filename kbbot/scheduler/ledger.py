"""The delivery ledger: claim before sending, mark after, so each delivery happens once.

``claim`` inserts (recipient, kind, period) with ``ON CONFLICT DO NOTHING``
and reports whether this process won; a concurrent process on the same
database gets nothing back and moves on. Rows that were claimed but never
marked (the process died mid-send) become claimable again once their lease
has expired, and rows the platform asked to retry once their
``next_attempt_at`` has passed; both are taken over with a compare-and-set on
``attempts``, so two processes never retry the same row together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kbbot.clock import as_utc
from kbbot.store.scheduling import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
"""A claim older than this, still not marked, belongs to a process that died: retry it.

Well above the longest send (Teams gives up after 2 minutes, Slack waits out
``Retry-After`` within its client), so a slow send is not mistaken for a dead one."""
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Wanted:
    """A delivery the schedule says is due: who, what, for which week, and when it was due."""

    workspace_id: int
    recipient: str
    kind: str
    period: str
    due_at: datetime
    person_id: int | None = None
    conversation_id: int | None = None
    variant: int | None = None


def person_key(person_id: int) -> str:
    """The ledger's recipient key for a person's prompt or digest."""
    return f"person:{person_id}"


def channel_key(conversation_id: int) -> str:
    """The ledger's recipient key for a channel's digest."""
    return f"channel:{conversation_id}"


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(Delivery)
    if dialect == "sqlite":
        return sqlite_insert(Delivery)
    raise NotImplementedError(f"kbbot's ledger supports SQLite and PostgreSQL, not {dialect}")


def _values(wanted: Wanted, status: str, now: datetime, worker: str | None) -> dict[str, Any]:
    claimed = status == DeliveryStatus.CLAIMED
    return {"workspace_id": wanted.workspace_id, "recipient": wanted.recipient, "person_id": wanted.person_id,
            "conversation_id": wanted.conversation_id, "kind": wanted.kind, "period": wanted.period,
            "status": status, "attempts": 1 if claimed else 0, "due_at": wanted.due_at,
            "variant": wanted.variant,
            "claimed_at": now if claimed else None, "claimed_by": worker if claimed else None}


def claim(session: Session, wanted: Wanted, now: datetime, worker: str) -> int | None:
    """Insert the delivery as claimed by ``worker``; its id, or ``None`` when someone has it already.

    Runs in the caller's transaction; commit it before sending so other
    processes see the claim.
    """
    statement = _insert(session).values(**_values(wanted, DeliveryStatus.CLAIMED, now, worker))
    statement = statement.on_conflict_do_nothing(
        index_elements=["recipient", "kind", "period"]).returning(Delivery.id)
    return session.execute(statement).scalar()


def record(session: Session, wanted: Iterable[Wanted], status: str, now: datetime) -> int:
    """Record deliveries that will not be sent (``skipped``), ignoring any that exist; returns how many were asked.

    Callers pass what they found missing from the ledger, so the count is what
    they recorded, but for rows another process wrote in the meantime (a
    multi-row count is not reliable on every driver).
    """
    rows = [_values(w, status, now, None) for w in wanted]
    if not rows:
        return 0
    # As "executemany" (one compiled statement, sent in batches): after a long outage everyone's week is
    # recorded at once, and one multi-row VALUES would pass PostgreSQL's 65,535 parameters a statement.
    statement = _insert(session).on_conflict_do_nothing(index_elements=["recipient", "kind", "period"])
    session.flush()
    session.connection().execute(statement, rows)  # Core: one compiled statement, sent in batches
    return len(rows)


def last_sent_at(session: Session, recipient: str, kind: str, before: datetime) -> datetime | None:
    """The claim time of ``recipient``'s latest *sent* ``kind`` delivery claimed before ``before``, if any.

    A digest is built right after it is claimed and covers up to its claim
    time (see :mod:`kbbot.scheduler.windows`), so this is where the next
    digest of the same recipient begins. Empty, skipped and failed deliveries
    were never read, so they do not count. The unique key (recipient, kind,
    period) keeps this lookup to one recipient's few rows.
    """
    found = session.scalar(
        select(Delivery.claimed_at)
        .where(Delivery.recipient == recipient, Delivery.kind == kind, Delivery.status == DeliveryStatus.SENT,
               Delivery.claimed_at < before)
        .order_by(Delivery.claimed_at.desc()).limit(1))
    return as_utc(found) if found is not None else None


def due_again(now: datetime) -> ColumnElement[bool]:
    """Stale claims and pending retries whose time has come: what a round takes up again (and, asked
    about a moment ago, what ``kbbot status`` calls overdue)."""
    return or_(
        (Delivery.status == DeliveryStatus.CLAIMED) & (Delivery.claimed_at < now - LEASE),
        (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
    )


def retryable(session: Session, now: datetime, kinds: Iterable[str] | None = None) -> list[Delivery]:
    """Rows another attempt should be made for: stale claims and pending retries whose time has come."""
    query = select(Delivery).where(due_again(now)).order_by(Delivery.due_at, Delivery.id)
    if kinds is not None:
        query = query.where(Delivery.kind.in_(list(kinds)))
    return list(session.scalars(query))


def reclaim(session: Session, row: Delivery, now: datetime, worker: str) -> bool:
    """Take over ``row`` for another attempt, unless another process got there first."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.attempts == row.attempts,
               Delivery.status.in_((DeliveryStatus.CLAIMED, DeliveryStatus.PENDING)))
        .values(status=DeliveryStatus.CLAIMED, attempts=row.attempts + 1, claimed_at=now, claimed_by=worker,
                next_attempt_at=None)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass(frozen=True)
class Claim:
    """What a worker holds: the row, as of the attempt it claimed. Every mark is conditional on it."""

    delivery_id: int
    worker: str
    attempts: int


def _settle(session: Session, claim: Claim, **values: Any) -> bool:
    """Write the outcome only if ``claim`` still holds the row; False (and a log line) when it was taken over.

    A process whose lease ran out must not overwrite the outcome of the process
    that took the row over (say, turn its "sent" back into "pending").
    """
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == claim.delivery_id, Delivery.status == DeliveryStatus.CLAIMED,
               Delivery.claimed_by == claim.worker, Delivery.attempts == claim.attempts)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        log.warning("delivery %s was taken over by another worker; its outcome is theirs (%s)",
                    claim.delivery_id, values.get("status"))
        return False
    return True


def note_window(session: Session, claim: Claim, start: datetime) -> None:
    """Keep where the digest being built begins, so the row says what it covered: ``[window_start, claimed_at)``.

    Written only while ``claim`` still holds the row, like every outcome.
    """
    session.execute(
        update(Delivery)
        .where(Delivery.id == claim.delivery_id, Delivery.status == DeliveryStatus.CLAIMED,
               Delivery.claimed_by == claim.worker, Delivery.attempts == claim.attempts)
        .values(window_start=start).execution_options(synchronize_session=False))


def mark_sent(session: Session, claim: Claim, now: datetime, message_id: str | None) -> bool:
    """The platform took the message."""
    return _settle(session, claim, status=DeliveryStatus.SENT, sent_at=now, message_id=message_id, error=None)


def mark_empty(session: Session, claim: Claim) -> bool:
    """Nothing worth sending (an empty digest, an opted-out person): done, without a message."""
    return _settle(session, claim, status=DeliveryStatus.EMPTY)


def skip_unreachable(session: Session, rows: Iterable[Delivery], reason: str) -> int:
    """Settle retries that can no longer go anywhere (kbbot was removed from their workspace) as skipped.

    Left pending they would be offered to every round, and counted as
    overdue by ``kbbot status``, for as long as the workspace stays away.
    Each row only as the retry it was, so a process that took it meanwhile keeps it.
    """
    settled = 0
    for row in rows:
        settled += session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.attempts == row.attempts,
                   Delivery.status.in_((DeliveryStatus.CLAIMED, DeliveryStatus.PENDING)))
            .values(status=DeliveryStatus.SKIPPED, error=reason, next_attempt_at=None)
            .execution_options(synchronize_session=False)).rowcount
    return settled


def mark_skipped(session: Session, claim: Claim) -> bool:
    """Too late to be worth sending (beyond the grace window)."""
    return _settle(session, claim, status=DeliveryStatus.SKIPPED)


def mark_failed(session: Session, claim: Claim, error: str) -> bool:
    """The platform refused for good: not retried."""
    return _settle(session, claim, status=DeliveryStatus.FAILED, error=error[:2000])


def mark_retry(session: Session, claim: Claim, now: datetime, after: float, error: str,
               rate_limited: bool = False) -> str:
    """Release the claim for a later attempt, or give up after :data:`MAX_ATTEMPTS`; returns the new status.

    Being rate limited is not a failure of the delivery: it is retried until the
    grace window closes, however many times the platform says "later".
    """
    if claim.attempts >= MAX_ATTEMPTS and not rate_limited:
        mark_failed(session, claim, f"gave up after {claim.attempts} attempts: {error}")
        return DeliveryStatus.FAILED
    _settle(session, claim, status=DeliveryStatus.PENDING, next_attempt_at=now + timedelta(seconds=after),
            error=error[:2000], claimed_by=None)
    return DeliveryStatus.PENDING
