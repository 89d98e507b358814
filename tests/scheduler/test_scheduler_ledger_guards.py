"""The ledger never lets a worker whose lease ran out overwrite the outcome of the one that took over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.scheduler import ledger
from kbbot.store.db import unit_of_work
from kbbot.store.models import Workspace
from kbbot.store.scheduling import Delivery, DeliveryStatus

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def _wanted(session: Session) -> ledger.Wanted:
    space = Workspace(platform="slack", external_id="T1", name="T", settings={}, created_at=NOW)
    session.add(space)
    session.flush()
    return ledger.Wanted(space.id, "person:1", "prompt", "2026-W48", NOW)


def _status(sessions: sessionmaker[Session]) -> str:
    with unit_of_work(sessions) as session:
        return session.scalars(select(Delivery.status)).one()


def test_a_late_worker_cannot_undo_the_send_of_the_worker_that_took_over(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        delivery_id = ledger.claim(session, _wanted(session), NOW, "worker-a")
    assert delivery_id is not None
    later = NOW + ledger.LEASE + timedelta(minutes=1)  # A is still sending, slowly
    with unit_of_work(sessions) as session:
        (row,) = ledger.retryable(session, later)
        assert ledger.reclaim(session, row, later, "worker-b")
    with unit_of_work(sessions) as session:
        assert ledger.mark_sent(session, ledger.Claim(delivery_id, "worker-b", 2), later, "ts-b")
    with unit_of_work(sessions) as session:  # A finally hears "retry later" and tries to release its claim
        status = ledger.mark_retry(session, ledger.Claim(delivery_id, "worker-a", 1), later, 30, "429")
        assert not ledger.mark_sent(session, ledger.Claim(delivery_id, "worker-a", 1), later, "ts-a")
    assert status == DeliveryStatus.PENDING  # what A asked for, not what happened
    assert _status(sessions) == DeliveryStatus.SENT
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Delivery.message_id)).one() == "ts-b"


def test_being_rate_limited_again_and_again_never_gives_the_delivery_up(sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        delivery_id = ledger.claim(session, _wanted(session), NOW, "w")
    attempts, when = 1, NOW
    for _ in range(ledger.MAX_ATTEMPTS + 2):
        with unit_of_work(sessions) as session:
            outcome = ledger.mark_retry(session, ledger.Claim(delivery_id, "w", attempts), when, 1, "429",
                                        rate_limited=True)
        assert outcome == DeliveryStatus.PENDING
        when += timedelta(seconds=2)
        with unit_of_work(sessions) as session:
            (row,) = ledger.retryable(session, when)
            assert ledger.reclaim(session, row, when, "w")
        attempts += 1
    with unit_of_work(sessions) as session:  # an actual error still gives up after MAX_ATTEMPTS
        assert ledger.mark_retry(session, ledger.Claim(delivery_id, "w", attempts), when, 1, "boom") == \
            DeliveryStatus.FAILED
