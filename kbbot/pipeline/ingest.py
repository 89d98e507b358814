"""The one path every event takes, whatever the platform: persist → ack → work → deliver.

1. :meth:`Ingest.receive` (or :meth:`Ingest.accept` from a thread) persists
   the core event with :func:`kbbot.pipeline.inbox.accept` before the
   adapter acknowledges the platform, together with the *context* the
   adapter needs to answer later (who acted where, a response URL). A
   database error propagates: the adapter answers with an error and the
   platform delivers again. A repeat changes nothing.
2. After the ack, :meth:`Ingest.work` runs the adapter's *steps* (small
   middleware: look up a profile, fetch a private channel's members), runs
   the core once (:func:`kbbot.pipeline.inbox.process_to_outbox`, which
   stores the replies with the DONE mark), and delivers the replies from the
   outbox through the platform's :class:`~kbbot.contract.outbound.Outbound`:
   the core fills in platform ids before each send and records what was
   posted after it (:mod:`kbbot.pipeline.posting`).
3. Where the work runs is the deployment's choice: in this process's work
   threads, in a worker process (:mod:`kbbot.pipeline.worker` calls
   :meth:`Ingest.work` there), or at once for an adapter with no ack
   deadline (:meth:`Ingest.run`, the console).

Acknowledgements and work compete for the GIL and, on SQLite, for its one
writer; an :class:`~kbbot.pipeline.gate.AckFirstGate` lets acknowledgements
go first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.contract.events import InboundEvent
from kbbot.contract.outbound import Outbound
from kbbot.contract.replies import Posted
from kbbot.pipeline import inbox, outbox
from kbbot.pipeline.gate import AckFirstGate

log = logging.getLogger(__name__)

Step = Callable[[InboundEvent, Mapping[str, Any]], InboundEvent]
"""Adapter middleware run after the ack and before the core: returns the event, completed where needed.

Raising leaves the event pending (it is tried again), so a step that asks
the platform something may fail on a blip without losing anything.
"""

THREADS = {"sqlite": (2, 2), "other": (8, 4)}
"""(accept, work) threads. SQLite has one writer, so more threads there only contend for it and the GIL."""

MAX_IN_FLIGHT = 1000
"""Work items a process keeps in memory at most. When acknowledgements outrun the work for long (a
machine shared with other work, a slow database), further accepted events wait in the inbox instead of
this process's memory, which otherwise grew with the backlog (tens of MB a minute at 200 events/s)."""
CATCH_UP = 200
"""Events left waiting in the inbox taken back at a time, once the work in memory has run out."""


class Ingest:
    """Owns the thread pools and the in-flight work of one platform in one process."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], outbound: Outbound,
                 steps: Sequence[Step] = (), clock: Clock = system_clock, deferred: bool = False) -> None:
        self.settings = settings
        self.sessions = sessions
        self.outbound = outbound
        self.platform = outbound.platform
        self.steps = tuple(steps)
        self.clock = clock
        self.deferred = deferred
        sqlite = sessions.kw["bind"].url.get_backend_name() == "sqlite"
        accept_threads, work_threads = THREADS["sqlite" if sqlite else "other"]
        self.gate = AckFirstGate(exclusive=sqlite)
        self._accept_pool = ThreadPoolExecutor(accept_threads, thread_name_prefix=f"kbbot-{self.platform}-accept")
        self._work_pool = ThreadPoolExecutor(work_threads, thread_name_prefix=f"kbbot-{self.platform}-work")
        self._in_flight: set[asyncio.Future[None]] = set()
        self.max_in_flight = MAX_IN_FLIGHT
        self._behind = False  # events were left in the inbox because the work queue was full
        self._catching_up: asyncio.Future[None] | None = None

    # -- before the ack ---------------------------------------------------------------------
    def accept(self, event: InboundEvent, context: Mapping[str, Any] | None = None) -> bool:
        """Persist ``event`` (first in line for the database); False for a repeat. Raises when it cannot."""
        with self.gate.urgent():
            return inbox.accept(self.sessions, event, self.clock(), context=context)

    async def receive(self, event: InboundEvent, context: Mapping[str, Any] | None = None) -> bool:
        """Persist the event, then start its work in the background (unless deferred); False for a repeat.

        Raises when the database cannot record the event: the caller must not acknowledge.
        """
        return await self.receive_all([event], context) == 1

    async def receive_all(self, events: Sequence[InboundEvent], context: Mapping[str, Any] | None = None) -> int:
        """Persist events that arrived together (one activity, one payload), then work them in their order.

        One work item for all of them, so that a reaction added and removed
        in one payload is applied in that order, never the other way round.
        Returns how many were new. Raises when the database cannot record
        one: the caller must not acknowledge (those already recorded are
        recognised as repeats when the platform delivers again).
        """
        loop = asyncio.get_running_loop()
        accepted = []
        for event in events:
            if await loop.run_in_executor(self._accept_pool, self.accept, event, context):
                accepted.append(event)
            else:
                log.info("%s delivery %s seen before; acknowledged, nothing to do", self.platform, event.event_id)
        if accepted and not self.deferred:
            if len(self._in_flight) < self.max_in_flight:
                self._start(self._work_in_order, accepted, dict(context or {}))
            elif not self._behind:
                self._behind = True
                log.warning("%s work is %d work items behind; new events wait in the inbox until it catches up",
                            self.platform, len(self._in_flight))
        return len(accepted)

    def _start(self, work: Callable[..., None], *args: Any) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().run_in_executor(self._work_pool, work, *args)
        self._in_flight.add(future)
        future.add_done_callback(self._finished)
        return future

    def _catch_up(self) -> None:
        """Work a batch of the events left waiting in the inbox while the queue was full, oldest first."""
        found = inbox.waiting(self.sessions, self.clock(), limit=CATCH_UP, platforms=[self.platform], skip_locked=True)
        for item in found:  # one also in the work queue, or taken by a sweep, is simply not claimed twice
            try:
                self.work_on(item.event, item.context)
            except Exception:
                log.exception("%s event %s failed after the ack; it stays pending", self.platform,
                              item.event.event_id)
        if len(found) == CATCH_UP:
            self._behind = True  # more are waiting: the next batch once this one is done

    def _work_in_order(self, events: Sequence[InboundEvent], context: Mapping[str, Any]) -> None:
        """Each event in turn; one that fails stays pending (for a sweep) and does not hold up the rest."""
        for event in events:
            try:
                self.work_on(event, context)
            except Exception:
                log.exception("%s event %s failed after the ack; it stays pending", self.platform, event.event_id)

    def _finished(self, future: asyncio.Future[None]) -> None:
        self._in_flight.discard(future)
        if future is self._catching_up:
            self._catching_up = None
        if not future.cancelled() and future.exception() is not None:
            log.error("%s event failed after the ack; it stays pending", self.platform, exc_info=future.exception())
        if self._behind and self._catching_up is None and len(self._in_flight) < self.max_in_flight // 2:
            self._behind = False
            self._catching_up = self._start(self._catch_up)

    # -- after the ack ----------------------------------------------------------------------
    def work(self, found: inbox.Waiting) -> None:
        """What a worker process or a sweep does with an accepted event (:class:`kbbot.pipeline.worker.Handler`)."""
        self.work_on(found.event, found.context)

    def work_on(self, event: InboundEvent, context: Mapping[str, Any]) -> outbox.Tally:
        """Run the steps and the core once, store the replies with the DONE mark, deliver them."""
        for step in self.steps:
            event = step(event, context)
        with self.gate.patient():
            parcels = inbox.process_to_outbox(self.sessions, event, self.settings, self.clock(), context)
        return outbox.deliver(self.sessions, parcels, outbox.through(self.outbound), self.clock)

    def resend(self, parcel: outbox.Parcel) -> Posted | None:
        """Send one reply a sweep took over from the outbox, where its event came from."""
        return outbox.through(self.outbound)(parcel)

    def run(self, event: InboundEvent, context: Mapping[str, Any] | None = None) -> outbox.Tally | None:
        """Accept and work at once, for an adapter with no ack deadline (the console); None for a repeat."""
        if not self.accept(event, context):
            return None
        return self.work_on(event, dict(context or {}))

    # -- shutting down ----------------------------------------------------------------------
    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the work already started (tests, and a graceful shutdown)."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking work and give running work ``timeout`` seconds, without blocking the event loop.

        Nothing is lost with work abandoned after that: an event not yet
        processed stays pending, and replies not yet delivered stay in the
        outbox under a lease, for a worker's or another replica's sweep.
        """
        await self.drain(timeout)
        self._accept_pool.shutdown(wait=False, cancel_futures=True)
        try:
            await asyncio.wait_for(asyncio.to_thread(self._work_pool.shutdown, wait=True, cancel_futures=True),
                                   timeout)
        except TimeoutError:
            log.warning("%s work still running at shutdown was abandoned", self.platform)
