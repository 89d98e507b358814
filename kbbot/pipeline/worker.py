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
PostgreSQL: :func:`kbbot.pipeline.inbox.process_to_outbox` claims each event once
(``FOR UPDATE SKIP LOCKED``), replies go through the outbox
(:mod:`kbbot.pipeline.outbox`), and a worker that dies leaves its events pending and
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
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, liveness, outbox, quiet_logs
from kbbot.clock import system_clock
from kbbot.config import Settings

log = logging.getLogger(__name__)

OUTBOX_SWEEP_SECONDS = 30.0
BUSY_POLL_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 60.0
MAX_REMEMBERED_FAILURES = 10_000
MAX_EXCLUDED_RESTING = 1_000  # resting events left out of a look by id; beyond that, the query would grow unwieldy


class Handler(Protocol):
    """What a platform adapter does with an accepted event, and with a reply left in the outbox."""

    platform: str

    def work(self, found: inbox.Waiting) -> None:
        """Run the core for the event (:func:`kbbot.pipeline.inbox.process_to_outbox`) and deliver its replies."""
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
    """Sets ``bell`` whenever an event is accepted: a thread that LISTENs on PostgreSQL, nothing elsewhere.

    A thread of its own, so that the worker's loop waits on one
    ``threading.Event`` for either news: a new event, or a thread of its own
    that became free. Waiting on the connection itself left free threads
    idle until the next poll.
    """

    RECONNECT_EVERY = 30.0

    def __init__(self, engine: Engine, bell: threading.Event) -> None:
        self.engine = engine
        self.bell = bell
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if engine.dialect.name == "postgresql":
            self._thread = threading.Thread(target=self._listen, name="kbbot-worker-listen", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        """Listen until closed; when the connection fails, the loop polls meanwhile and this reconnects later."""
        import psycopg

        # The dialect's own arguments, so options such as a search_path reach libpq as they do for the pool.
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        while not self._stop.is_set():
            try:
                with psycopg.connect(*args, **{"connect_timeout": 10, **kwargs}, autocommit=True) as connection:
                    connection.execute(f"LISTEN {inbox.NOTIFY_CHANNEL}")
                    self.bell.set()  # events accepted while nobody listened
                    while not self._stop.is_set():
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            self.bell.set()
            except Exception:
                if self._stop.is_set():
                    return
                log.warning("not listening for new events; polling meanwhile, reconnecting in %.0f s",
                            self.RECONNECT_EVERY, exc_info=True)
                self._stop.wait(self.RECONNECT_EVERY)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)


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
        # Rung by a new event (see Wakeup) and when the queue runs low, so the loop takes more at once.
        self._bell = threading.Event()

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
            # Forget failures whose event has had its chance again long since (parked, or done elsewhere),
            # so that this map, read at every look, stays the size of what actually rests.
            for stale in [key for key, (_, until, _) in self._failures.items() if until < now - MAX_BACKOFF_SECONDS]:
                del self._failures[stale]
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
                self._bell.set()
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
        wakeup = Wakeup(self.sessions.kw["bind"], self._bell)
        # Others take this worker's leased replies over as soon as it stops beating (or its pid is gone).
        heartbeat = liveness.Heartbeat(self.sessions, "worker", self.clock).start()
        next_sweep = 0.0
        sweeping: Future[outbox.Tally] | None = None
        try:
            while not stop.is_set():
                self._bell.clear()  # before taking: news from here on ends the wait below at once
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
                quiet_logs.flush()  # how often each failure repeated since it was last told
                # Busy, look again within 50 ms anyway: notifications that came while every thread had
                # work were let go (see _wait), and events another worker's look had locked are free again.
                self._wait(BUSY_POLL_SECONDS if started or not self.idle() else poll, stop)
        finally:
            wakeup.close()
            heartbeat.close()

    def _wait(self, timeout: float, stop: threading.Event) -> None:
        """Until the bell rings, ``stop`` is set or ``timeout`` passes; while events queue for a thread,
        only a freed thread counts.

        New events are not worth a query each while every thread has work
        waiting: they are taken together once the queue runs low.
        """
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0 and not stop.is_set():
            if not self._bell.wait(min(remaining, 0.5)):
                continue
            if not self._queued():
                return
            self._bell.clear()
            if not self._queued():  # a thread freed up between the check and the clear
                return

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
