"""Ack first, then work: the path of every Slack event through kbbot.

1. :meth:`Pipeline.receive` persists the core event with
   :func:`kbbot.inbox.accept` *before* the listener acknowledges. A database
   error propagates, Bolt answers 500 (or, in Socket Mode, sends no ack),
   and Slack delivers again; a duplicate (a retry, a repeated ``event_id``)
   is acknowledged and changes nothing.
2. After the ack, :meth:`Pipeline._work` looks up the person's Slack profile,
   runs the core once (:func:`kbbot.inbox.process`) and delivers the replies.
3. An event whose work never finished (the process died after the ack) stays
   pending; ``kbbot serve``'s sweeper (adapters/server.py) finds it with
   :func:`kbbot.inbox.stale`, runs it and sends its replies through
   :class:`~.outbound.SlackOutbound`.

The core is synchronous SQLAlchemy, so both steps run in threads. They get
separate pools: slow work (a rate-limited post that waits out
``Retry-After``) must never delay the next acknowledgement. An
:class:`~.ackfirst.AckFirstGate` also gives acknowledgements precedence over
work for the GIL and, on SQLite, for its single writer.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from kbbot import inbox
from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.events import InboundEvent
from kbbot_adapters.slack.ackfirst import AckFirstGate
from kbbot_adapters.slack.clients import web_client
from kbbot_adapters.slack.delivery import Delivery, Origin
from kbbot_adapters.slack.lookups import Profiles
from kbbot_adapters.slack.permalinks import Permalinks

log = logging.getLogger(__name__)

# (accept, work) threads. SQLite has one writer, so more threads there only contend for it and the GIL;
# PostgreSQL commits in parallel.
THREADS = {"sqlite": (2, 2), "other": (8, 4)}


@dataclass(frozen=True)
class Job:
    """An accepted event and what its replies need: the workspace's bot token and the origin."""

    event: InboundEvent
    token: str | None
    origin: Origin


class Pipeline:
    """Owns the worker pools and the in-flight work of one Slack app."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Clock = system_clock,
                 profiles: Profiles | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.profiles = profiles or Profiles()
        self.links = Permalinks(sessions)
        sqlite = sessions.kw["bind"].url.get_backend_name() == "sqlite"
        accept_threads, work_threads = THREADS["sqlite" if sqlite else "other"]
        self._accept_pool = ThreadPoolExecutor(accept_threads, thread_name_prefix="kbbot-slack-accept")
        self._work_pool = ThreadPoolExecutor(work_threads, thread_name_prefix="kbbot-slack-work")
        self._in_flight: set[asyncio.Future[None]] = set()
        self.gate = AckFirstGate(exclusive=sqlite)

    async def receive(self, job: Job) -> bool:
        """Persist the event, then start its work in the background; False for a duplicate.

        Raises when the database cannot record the event: the caller must not acknowledge.
        """
        loop = asyncio.get_running_loop()
        accepted = await loop.run_in_executor(self._accept_pool, self._accept, job.event)
        if not accepted:
            log.info("slack delivery %s seen before; acknowledged, nothing to do", job.event.event_id)
            return False
        future = loop.run_in_executor(self._work_pool, self._work, job)
        self._in_flight.add(future)
        future.add_done_callback(self._finished)
        return True

    def _accept(self, event: InboundEvent) -> bool:
        with self.gate.urgent():
            return inbox.accept(self.sessions, event, self.clock())

    def _finished(self, future: asyncio.Future[None]) -> None:
        self._in_flight.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("slack event failed after the ack", exc_info=future.exception())

    def _work(self, job: Job) -> None:
        client = web_client(self.settings, job.token)
        event = job.event
        enriched = self.profiles.enrich(client, event.workspace_id, event.actor)
        if enriched != event.actor:
            event = event.model_copy(update={"actor": enriched})
        with self.gate.patient():
            replies = inbox.process(self.sessions, event, self.settings, self.clock())
        Delivery(client, self.sessions, self.links, self.gate).send_all(replies, job.origin)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the work already started (tests, and a graceful shutdown)."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking work and give running work ``timeout`` seconds, without blocking the event loop.

        Work still running after that is abandoned: an event not yet processed stays
        pending for another replica's sweeper, but replies already being delivered
        (one waiting out a long ``Retry-After``) are lost with the process, since
        replies are not yet kept in an outbox.
        """
        await self.drain(timeout)
        self._accept_pool.shutdown(wait=False, cancel_futures=True)
        try:
            await asyncio.wait_for(asyncio.to_thread(self._work_pool.shutdown, wait=True, cancel_futures=True),
                                   timeout)
        except TimeoutError:
            log.warning("slack work still running at shutdown was abandoned")

