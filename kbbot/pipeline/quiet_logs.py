"""Repeated failures are logged once with their traceback, then as one line per interval with a count.

When the database stops, every accept, worker look, sweep and delivery
round fails the same way: at 50 events/s that was 1,667 tracebacks in
10 seconds, which buried the one line an operator needed and filled disks.
:class:`Throttle` lets the first failure of a kind through with its full
traceback, holds back the repeats for ``interval`` seconds, and then lets
one line through that says how many were held back (without a traceback;
the first one showed it). A kind is the logger, the message template (so
"event %s failed" is one kind whatever the event) and the exception type.
A kind that stayed quiet for a whole interval starts afresh: its next
failure shows its traceback again.

Only records that carry an exception are throttled; plain warnings and
information pass untouched. :func:`install` puts one throttle on each
handler of the root logger, so the failures of every library (aiohttp,
Slack Bolt, the Bot Framework, SQLAlchemy) are covered too, not only
kbbot's own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

INTERVAL = 10.0
"""Seconds during which repeats of one kind of failure are counted instead of logged."""

Kind = tuple[str, str, str]  # logger, message template, exception type


@dataclass
class _Window:
    started: float
    held_back: int = 0
    last_level: int = logging.ERROR
    last_error: str = ""


class Throttle(logging.Filter):
    """A filter for a handler (or a logger): see the module's docstring."""

    def __init__(self, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._windows: dict[Kind, _Window] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or getattr(record, "throttle_summary", False):
            return True
        error = record.exc_info[1]
        kind = (record.name, str(record.msg), type(error).__name__)
        now = self.clock()
        with self._lock:
            window = self._windows.get(kind)
            if window is None or (now - window.started >= self.interval and not window.held_back):
                self._windows[kind] = _Window(now)
                self._forget_quiet(now)
                return True  # the first of its kind: with its traceback
            if now - window.started < self.interval:
                window.held_back += 1
                window.last_level, window.last_error = record.levelno, _one_line(error)
                return False
            held_back, seconds = window.held_back + 1, now - window.started
            self._windows[kind] = _Window(now)
        _summarise(record, held_back, seconds, _one_line(error))
        return True

    def pending(self) -> list[logging.LogRecord]:
        """One summary record per kind whose interval ended with repeats held back (and not told yet).

        Without this the count of the last interval of an outage would be
        told only at the next failure of its kind, which may never come.
        """
        now = self.clock()
        records = []
        with self._lock:
            for (name, template, _), window in list(self._windows.items()):
                if window.held_back and now - window.started >= self.interval:
                    record = logging.LogRecord(name, window.last_level, "", 0, template, None, None)
                    _summarise(record, window.held_back, now - window.started, window.last_error)
                    records.append(record)
                    window.started, window.held_back = now, 0
            self._forget_quiet(now)
        return records

    def _forget_quiet(self, now: float) -> None:
        """Kinds quiet for two intervals are forgotten, so the map stays the size of what fails now."""
        for kind in [kind for kind, window in self._windows.items()
                     if not window.held_back and now - window.started >= 2 * self.interval]:
            del self._windows[kind]


def _one_line(error: BaseException | None) -> str:
    first = str(error).strip().splitlines()[0] if error is not None and str(error).strip() else ""
    return f"{type(error).__name__}: {first[:200]}" if first else type(error).__name__


def _summarise(record: logging.LogRecord, count: int, seconds: float, error: str) -> None:
    """Turn ``record`` into the one-line summary of ``count`` failures of its kind in ``seconds``."""
    message = record.getMessage() if record.args else str(record.msg)
    record.msg = (f"{message} [{count} time{'s' if count != 1 else ''} in the last {seconds:.0f} s: {error}; "
                  f"traceback logged at the first]")
    record.args = None
    record.exc_info = None
    record.exc_text = None
    record.throttle_summary = True


_installed: list[tuple[logging.Handler, Throttle]] = []


def install(interval: float = INTERVAL) -> None:
    """Throttle repeated failures on every handler of the root logger (once per process; after logging is set up)."""
    for handler in logging.getLogger().handlers:
        if not any(existing is handler for existing, _ in _installed):
            throttle = Throttle(interval)
            handler.addFilter(throttle)
            _installed.append((handler, throttle))


def flush() -> None:
    """Log the held-back counts of intervals that ended; called by the loops that keep running (sweeps)."""
    for handler, throttle in list(_installed):
        for record in throttle.pending():
            if record.levelno >= handler.level:
                handler.handle(record)
