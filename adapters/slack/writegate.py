"""One writer at a time on SQLite, acknowledgements first.

SQLite lets one transaction write at a time; others wait in its busy
handler, which sleeps in growing steps (up to 100 ms) and so can hold an
acknowledgement far longer than the write it waits for. Inside one process
we know better: :meth:`WriteGate.urgent` (persisting an event before its
ack) goes ahead of every :meth:`WriteGate.patient` writer (work after the
ack) that is still waiting. On PostgreSQL the gate is disabled: rows, not
the database, are locked there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker


def engine_url(sessions: sessionmaker[Session]) -> str:
    bind = sessions.kw.get("bind")
    return str(getattr(bind, "url", ""))


class WriteGate:
    """A priority lock: urgent holders overtake patient ones that have not started yet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._condition = threading.Condition()
        self._busy = False
        self._urgent_waiting = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        with self._condition:
            self._urgent_waiting += 1
            self._condition.wait_for(lambda: not self._busy)
            self._urgent_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def patient(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        with self._condition:
            self._condition.wait_for(lambda: not self._busy and self._urgent_waiting == 0)
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._condition:
            self._busy = False
            self._condition.notify_all()
