"""Work after the ack in a process of its own: ``kbbot worker``, or the workers ``kbbot serve`` starts.

Acknowledging is latency-bound (Slack allows 3 s; kbbot aims at 50 ms p99
under load); the work after it (search, the core's rules, posting) is
CPU-bound Python. In one process both share the GIL and one event loop, so
a burst of work stretches every acknowledgement behind it. In separate
processes the operating system schedules them, and workers run at a lower
priority (``nice``), so acknowledgements come first while the work catches
up. Nothing is lost in between: an event is persisted before its ack, and a
worker takes it from the database.

Any number of workers, on any number of machines, may share one
PostgreSQL: :func:`kbbot.inbox.process_to_outbox` claims each event once
(``FOR UPDATE SKIP LOCKED``), replies go through the outbox
(:mod:`kbbot.outbox`), and a worker that dies leaves its events pending and
its replies leased, for another to finish. On PostgreSQL workers wake on a
``NOTIFY`` sent with each accepted event; elsewhere they poll.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kbbot import inbox, outbox
from kbbot.clock import system_clock
from kbbot.config import Settings

log = logging.getLogger(__name__)

OUTBOX_SWEEP_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 60.0
MAX_REMEMBERED_FAILURES = 10_000
MAX_EXCLUDED_RESTING = 1_000  # resting events left out of a look by id; beyond that, the query would grow unwieldy


class Handler(Protocol):
    """What a platform adapter does with an accepted event, and with a reply left in the outbox."""

    platform: str

    def work(self, found: inbox.Waiting) -> None:
        """Run the core for the event (:func:`kbbot.inbox.process_to_outbox`) and deliver its replies."""
        ...

    def resend(self, parcel: outbox.Parcel) -> object:
        """Deliver one stored reply; raise RetryLater or DeliveryFailed like an Outbound port."""
        ...


def deferred(settings: Settings) -> bool:
    """Whether the serving process leaves the work to workers (its own children, or ones elsewhere)."""
    return settings.external_workers or worker_count(settings) > 0


def worker_count(settings: Settings) -> int:
    """Worker processes ``kbbot serve`` starts: as configured, else one on PostgreSQL and none on SQLite.

    SQLite has a single writer per file: a second process only adds lock
    waits, so there the serving process works itself, behind its acks.
    """
    if settings.workers is not None or settings.external_workers:
        return max(0, settings.workers or 0)
    return 0 if settings.database_url.startswith("sqlite") else 1


class Wakeup:
    """Sleeps until an event is accepted (PostgreSQL ``LISTEN``) or ``poll`` seconds pass."""

    RECONNECT_EVERY = 30.0

    def __init__(self, engine: Engine, poll: float) -> None:
        self.engine = engine
        self.poll = poll
        self._connection: Any = None
        self._next_attempt = 0.0
        self._listen()

    def _listen(self) -> None:
        """(Re)open the listening connection; on failure poll, and try again later."""
        if self.engine.dialect.name != "postgresql" or time.monotonic() < self._next_attempt:
            return
        import psycopg

        # The dialect's own arguments, so options such as a search_path reach libpq as they do for the pool.
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        try:
            self._connection = psycopg.connect(*args, **{"connect_timeout": 10, **kwargs}, autocommit=True)
            self._connection.execute(f"LISTEN {inbox.NOTIFY_CHANNEL}")
        except psycopg.Error:
            log.warning("could not LISTEN for new events; polling every %.1f s meanwhile", self.poll, exc_info=True)
            self.close()
            self._next_attempt = time.monotonic() + self.RECONNECT_EVERY

    def wait(self, timeout: float | None = None) -> None:
        timeout = self.poll if timeout is None else timeout
        if self._connection is None:
            self._listen()
        if self._connection is None:
            time.sleep(timeout)
            return
        try:
            for _ in self._connection.notifies(timeout=timeout, stop_after=1):
                break
            # Notifications that arrived meanwhile say nothing new: the next round reads every pending row.
            for _ in self._connection.notifies(timeout=0.0):
                pass
        except Exception:  # the listening connection died with the server: poll, and reconnect later
            log.warning("lost the LISTEN connection; polling until it is back", exc_info=True)
            self.close()
            self._next_attempt = time.monotonic() + self.RECONNECT_EVERY

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


class Worker:
    """Takes pending events for the platforms it has handlers for, a few at a time, in threads."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], handlers: Mapping[str, Handler],
                 threads: int = 4, clock: Callable[[], datetime] = system_clock) -> None:
        self.settings = settings
        self.sessions = sessions
        self.handlers = dict(handlers)
        self.clock = clock
        self._threads = threads
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="kbbot-worker")
        self._sweeper = ThreadPoolExecutor(1, thread_name_prefix="kbbot-worker-sweep")
        self._in_flight: dict[tuple[str, str], Future[None]] = {}
        self._rows: dict[tuple[str, str], int] = {}  # inbox row ids of the events in hand
        self._lock = threading.Lock()
        # Events that failed here: how often, until when they rest, and their inbox row.
        self._failures: dict[tuple[str, str], tuple[int, float, int | None]] = {}
        # Set when the queue runs low, so the loop refills it at once instead of at its next poll.
        self._low = threading.Event()

    def run_once(self) -> int:
        """Start the pending events not already in hand; how many were started."""
        with self._lock:
            room = 2 * self._threads - len(self._in_flight)
        if room <= 0 or not self.handlers:
            return 0
        started = 0
        now = time.monotonic()
        with self._lock:
            # In hand or resting after a failure: not worth reading again, and not in the way of new events.
            resting = [row for _, until, row in self._failures.values() if until > now and row is not None]
            held = [*self._rows.values(), *resting[-MAX_EXCLUDED_RESTING:]]
        for found in inbox.waiting(self.sessions, self.clock(), limit=room,
                                   platforms=sorted(self.handlers), skip_locked=True, exclude=held):
            key = (found.event.platform, found.event.event_id)
            with self._lock:
                if key in self._in_flight or self._failures.get(key, (0, 0.0, None))[1] > now:
                    continue
                future = self._pool.submit(self._work, found)
                self._in_flight[key] = future
                if found.row is not None:
                    self._rows[key] = found.row
            future.add_done_callback(lambda done, key=key: self._finished(key, done))
            started += 1
            if started >= room:
                break
        return started

    def _work(self, found: inbox.Waiting) -> None:
        self.handlers[found.event.platform].work(found)

    def _finished(self, key: tuple[str, str], future: Future[None]) -> None:
        with self._lock:
            self._in_flight.pop(key, None)
            row = self._rows.pop(key, None)
            if len(self._in_flight) <= self._threads:
                self._low.set()
            error = None if future.cancelled() else future.exception()
            if error is None:
                self._failures.pop(key, None)
                return
            count = self._failures.get(key, (0, 0.0, None))[0] + 1
            # The inbox counts attempts and parks the event after a few; until then, back off.
            self._failures[key] = (count, time.monotonic() + min(MAX_BACKOFF_SECONDS, 2.0 ** count), row)
            if len(self._failures) > MAX_REMEMBERED_FAILURES:  # parked events never succeed: forget the oldest
                self._failures.pop(next(iter(self._failures)))
        log.error("event %s/%s failed; it stays pending", key[0], key[1], exc_info=error)

    def sweep_outbox(self) -> outbox.Tally:
        """Deliver replies whose owner's lease ended (a process died or was told to retry later)."""
        tally = outbox.Tally()
        parcels = outbox.due(self.sessions, self.clock(), platforms=sorted(self.handlers))
        for platform, handler in self.handlers.items():
            mine = [parcel for parcel in parcels if parcel.platform == platform]
            if mine:
                done = outbox.deliver(self.sessions, mine, handler.resend, self.clock)
                tally.delivered += done.delivered
                tally.postponed += done.postponed
                tally.failed += done.failed
        return tally

    def _queued(self) -> bool:
        with self._lock:
            return len(self._in_flight) > self._threads

    def idle(self) -> bool:
        with self._lock:
            return not self._in_flight

    def run(self, stop: threading.Event, poll: float = 1.0) -> None:
        """Work until ``stop`` is set; a database blip only pauses the loop."""
        engine = self.sessions.kw["bind"]
        wakeup = Wakeup(engine, poll)
        next_sweep = 0.0
        sweeping: Future[outbox.Tally] | None = None
        try:
            while not stop.is_set():
                self._low.clear()  # before taking: a slot freed from here on ends the wait below at once
                try:
                    started = self.run_once()
                    # In a thread of its own: resending may wait out a platform's rate limits for
                    # minutes, and new events must not wait behind that.
                    if time.monotonic() >= next_sweep and (sweeping is None or sweeping.done()):
                        sweeping = self._sweeper.submit(self.sweep_outbox)
                        next_sweep = time.monotonic() + OUTBOX_SWEEP_SECONDS
                except Exception:
                    log.exception("worker round failed; trying again shortly")
                    started = 0
                if self._queued():
                    # Events wait for a thread: take more as soon as only the running ones are left
                    # (not per finished event, which would cost a query each), or after 50 ms.
                    self._low.wait(0.05)
                    wakeup.wait(0.0)
                elif started or not self.idle():
                    # Threads to spare: a notification starts new events at once; look again soon
                    # anyway, as notifications may already have been consumed.
                    wakeup.wait(0.05)
                else:
                    wakeup.wait()
        finally:
            wakeup.close()

    def close(self, timeout: float = 10.0) -> None:
        """Let running work finish for up to ``timeout`` seconds; the rest stays pending for another worker."""
        deadline = time.monotonic() + timeout
        while not self.idle() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._sweeper.shutdown(wait=False, cancel_futures=True)


def lower_priority(niceness: int) -> None:
    """Let the serving process's acknowledgements win the CPU whenever both want it."""
    if niceness > 0 and hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:
            log.info("could not lower the worker's priority")
