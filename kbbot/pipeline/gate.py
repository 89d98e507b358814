"""Acknowledgements before work, inside one process: the ingest path's gate for every platform.

Persisting an event before its ack (*urgent*) and running the core for an
acknowledged event (*patient*) compete for two things:

* **Python's GIL.** The core is CPU-bound Python; a few work threads busy
  with it would stretch every ack behind them. Patient work therefore waits
  until no ack is in progress, for at most :data:`MAX_PATIENCE` seconds, so
  that under sustained overload the work lags (it is persisted, nothing is
  lost) but is never starved for good.
* **SQLite's single writer.** With ``exclusive=True`` every holder runs
  alone, urgent ones first, instead of polling SQLite's busy handler, which
  sleeps in growing steps of up to 100 ms. On PostgreSQL acks run in
  parallel; rows, not the database, are locked there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_PATIENCE = 0.1


class AckFirstGate:
    """Urgent holders overtake patient ones; ``exclusive`` makes every holder run alone."""

    def __init__(self, exclusive: bool, max_patience: float = MAX_PATIENCE) -> None:
        self.exclusive = exclusive
        self.max_patience = max_patience
        self._condition = threading.Condition()
        self._urgent = 0  # waiting or running
        self._running = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        with self._condition:
            self._urgent += 1
            if self.exclusive:
                self._condition.wait_for(lambda: self._running == 0)
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._urgent -= 1
                self._running -= 1
                self._condition.notify_all()

    def _patient_may_start(self, overdue: bool) -> bool:
        if self.exclusive and self._running:
            return False
        return self._urgent == 0 or overdue

    @contextmanager
    def patient(self) -> Iterator[None]:
        deadline = time.monotonic() + self.max_patience
        with self._condition:
            while not self._patient_may_start(time.monotonic() >= deadline):
                remaining = deadline - time.monotonic()
                self._condition.wait(timeout=remaining if remaining > 0 else None)
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._running -= 1
                self._condition.notify_all()
