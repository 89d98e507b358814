"""Ack first, then work: the path of every Slack event through kbbot.

1. :meth:`Pipeline.receive` persists the core event with
   :func:`kbbot.pipeline.inbox.accept` *before* the listener acknowledges, together
   with what answering needs later (the :class:`~.delivery.Origin`: who acted
   where, Slack's ``response_url``). A database error propagates, Bolt
   answers 500 (or, in Socket Mode, sends no ack), and Slack delivers again;
   a duplicate (a retry, a repeated ``event_id``) is acknowledged and
   changes nothing.
2. After the ack, :meth:`Pipeline.work` looks up the person's Slack profile,
   runs the core once (:func:`kbbot.pipeline.inbox.process_to_outbox`, which stores
   the replies with the DONE mark) and delivers them from the outbox. Where
   it runs depends on ``deferred``: in this process's work threads (SQLite,
   or ``KBBOT_WORKERS=0``), or in a worker process (:mod:`kbbot.pipeline.worker`,
   through :class:`SlackHandler`), which keeps the acknowledging process
   free for acknowledging.
3. An event whose work never finished (a process died after the ack) stays
   pending, and replies never delivered stay in the outbox; a worker or
   ``kbbot serve``'s sweeper (adapters/hosting/server.py) finishes both.

The core is synchronous SQLAlchemy, so both steps run in threads. They get
separate pools: slow work (a rate-limited post that waits out
``Retry-After``) must never delay the next acknowledgement. An
:class:`~.ackfirst.AckFirstGate` also gives acknowledgements precedence over
work for the GIL and, on SQLite, for its single writer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, outbox
from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.contract.events import InboundEvent, MembersSynced
from kbbot.contract.outbound import DeliveryFailed
from kbbot.pipeline.gate import AckFirstGate
from kbbot_adapters.slack.clients import web_client
from kbbot_adapters.slack.send import Delivery, NotInChannel, Origin
from kbbot_adapters.slack.lookups import Profiles
from kbbot_adapters.slack.outbound import SCHEDULER_RATE_LIMIT_RETRIES, Tokens
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
    # A private channel whose members must be asked for before the event is handled (after the ack).
    roster: str | None = None


class Pipeline:
    """Owns the worker pools and the in-flight work of one Slack app."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Clock = system_clock,
                 profiles: Profiles | None = None, deferred: bool = False) -> None:
        self.settings = settings
        self.deferred = deferred
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
        accepted = await loop.run_in_executor(self._accept_pool, self._accept, job)
        if not accepted:
            log.info("slack delivery %s seen before; acknowledged, nothing to do", job.event.event_id)
            return False
        if self.deferred:
            return True  # a worker process takes it from the database
        future = loop.run_in_executor(self._work_pool, self.work, job.event, job.token, job.origin, job.roster)
        self._in_flight.add(future)
        future.add_done_callback(self._finished)
        return True

    def _accept(self, job: Job) -> bool:
        with self.gate.urgent():
            context = origin_context(job.origin)
            if job.roster:
                context["roster"] = job.roster
            return inbox.accept(self.sessions, job.event, self.clock(), context=context)

    def _finished(self, future: asyncio.Future[None]) -> None:
        self._in_flight.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("slack event failed after the ack", exc_info=future.exception())

    def work(self, event: InboundEvent, token: str | None, origin: Origin, roster: str | None = None) -> None:
        """Run the core for an accepted event and deliver its replies from the outbox."""
        client = web_client(self.settings, token)
        if roster and isinstance(event, MembersSynced):
            event = event.model_copy(update={"member_ids": members_of(client, roster)})
        if not event.actor.is_bot:  # Slack itself (an uninstall) has no profile to look up
            enriched = self.profiles.enrich(client, event.workspace_id, event.actor)
            if enriched != event.actor:
                event = event.model_copy(update={"actor": enriched})
        with self.gate.patient():
            parcels = inbox.process_to_outbox(self.sessions, event, self.settings, self.clock(),
                                              origin_context(origin))
        delivery = Delivery(client, self.sessions, self.links, self.gate)
        outbox.deliver(self.sessions, parcels, sender(delivery, origin), self.clock)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the work already started (tests, and a graceful shutdown)."""
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=timeout)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking work and give running work ``timeout`` seconds, without blocking the event loop.

        Work still running after that is abandoned, and nothing is lost with it: an
        event not yet processed stays pending, and replies not yet delivered (one
        waiting out a long ``Retry-After``) stay in the outbox under a lease, for a
        worker's or another replica's sweep once the lease ends.
        """
        await self.drain(timeout)
        self._accept_pool.shutdown(wait=False, cancel_futures=True)
        try:
            await asyncio.wait_for(asyncio.to_thread(self._work_pool.shutdown, wait=True, cancel_futures=True),
                                   timeout)
        except TimeoutError:
            log.warning("slack work still running at shutdown was abandoned")



GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
"""Answers meaning kbbot can no longer see a conversation's members, rather than "try again"."""


def members_of(client: WebClient, channel: str) -> list[str]:
    """Everyone in ``channel``, every page; raises on trouble worth retrying, so the event stays pending."""
    members: list[str] = []
    try:
        for page in client.conversations_members(channel=channel, limit=200):
            members.extend(page.get("members", []))
    except SlackApiError as error:
        if error.response.get("error") not in GONE:
            raise
        # kbbot itself was removed (or the channel archived): it can no longer tell who is
        # in there, so nobody is known to be, and the channel's questions are shown to no one.
        return []
    return members


def origin_context(origin: Origin) -> dict[str, object]:
    """The origin as stored with the event and its replies (JSON), without empty fields."""
    return {name: value for name, value in asdict(origin).items() if value}


def origin_of(context: Mapping[str, object]) -> Origin:
    """The origin back from what :func:`origin_context` stored; unknown keys (a newer kbbot) are ignored."""
    known = {item.name for item in fields(Origin)}
    return Origin(**{name: value for name, value in context.items() if name in known})  # type: ignore[arg-type]


def sender(delivery: Delivery, origin: Origin) -> Callable[[outbox.Parcel], object]:
    """Send parcels of one batch in order, the way a reply to ``origin`` should go.

    Slack's rate limits are waited out here (up to the delivery's patience),
    and a post to a channel kbbot is not in is explained to the person who
    asked before it is given up.
    """
    posted: dict[int, str] = {}

    def send(parcel: outbox.Parcel) -> object:
        try:
            return delivery.send_patiently(parcel.reply, origin, posted)
        except NotInChannel:
            delivery.explain_not_in_channel(parcel.reply, origin)
            raise

    return send


class SlackHandler:
    """The Slack side of :class:`kbbot.pipeline.worker.Handler`: work and resends in a worker process."""

    platform = "slack"

    def __init__(self, pipeline: Pipeline, tokens: Tokens) -> None:
        self.pipeline = pipeline
        self.tokens = tokens

    def _token(self, team_id: str) -> str | None:
        try:
            return self.tokens.bot_token(team_id)
        except DeliveryFailed:
            # The knowledge is still recorded; its replies then fail to deliver, and say why in the log.
            log.warning("no bot token for Slack workspace %s", team_id)
            return None

    def work(self, found: inbox.Waiting) -> None:
        event = found.event
        roster = found.context.get("roster")
        self.pipeline.work(event, self._token(event.workspace_id), origin_of(found.context),
                           roster if isinstance(roster, str) else None)

    def resend(self, parcel: outbox.Parcel) -> object:
        client = web_client(self.pipeline.settings, self.tokens.bot_token(parcel.workspace_id),
                            SCHEDULER_RATE_LIMIT_RETRIES)
        delivery = Delivery(client, self.pipeline.sessions, self.pipeline.links)
        return sender(delivery, origin_of(parcel.context))(parcel)
