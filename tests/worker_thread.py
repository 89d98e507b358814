"""Waiting for a test's worker thread, shared by the Slack and Teams harnesses (they run one on PostgreSQL)."""

from __future__ import annotations

import time
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.models import InboundEvent as InboundEventRow


class Idle(Protocol):
    def idle(self) -> bool: ...


def wait_for_worker(sessions: sessionmaker[Session], worker: Idle, timeout: float = 30.0) -> None:
    """Until the worker has taken every accepted event and holds none; raises TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Untried events are the worker's to take; one that failed keeps its count and waits its turn.
        try:
            with sessions() as session:
                untried = session.scalar(select(func.count()).select_from(InboundEventRow).where(
                    InboundEventRow.status == "pending", InboundEventRow.attempts == 0))
        except SQLAlchemyError:
            return  # a database that is down holds nothing for the worker to do
        if not untried and worker.idle():
            return
        time.sleep(0.02)
    raise TimeoutError("the worker did not finish the accepted events in time")
