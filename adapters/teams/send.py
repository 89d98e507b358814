"""The core's replies to Teams through the Bot Connector: the adapter's outbound port.

:class:`Courier` sends one reply (async, on the event loop the SDK's
connector clients live on, whichever SDK: :class:`ConnectorKit`); :class:`TeamsOutbound` is the port the core calls from
its threads, the ingest path's and the scheduler's alike
(:class:`~kbbot.contract.outbound.Outbound`). Each reply arrives with every
platform id filled in by the core; the courier reports what it posted
(:class:`~kbbot.contract.replies.Posted`) and the core records it.

Where a reply goes, by its destination:

* :class:`Ephemeral`, :class:`DirectMessage`, :class:`HomeView`: Teams has no
  "only you can see this" in channels, so these go to the person's personal
  chat with the bot, which keeps suggestions from private places out of
  shared channels (a pressed button's card there is updated in place).
* :class:`Post` of a question card in a channel: when it was asked in a post
  of its own, the card is the first reply in that post's chain and the chain's
  root is the question's thread (``Posted.thread_root``; the card's own id is
  ``Posted.message_id``); otherwise it starts a new post in the channel.
* :class:`Post` in a question's thread in a group chat (no reply chains): the
  message is reported as ``related``, so quoting it answers the question.
* :class:`ReplaceCard`: the card is updated where it is, never posted again.

Proactive sends (no origin) find their conversation through the addresses
the bot stored when it heard from it (:mod:`kbbot.pipeline.addresses`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import DirectMessage, Ephemeral, HomeView, Post, Posted, ReplaceCard, Reply
from kbbot.pipeline import addresses

from kbbot_adapters.teams import render, retry
from kbbot_adapters.teams.translate import PLATFORM, Origin, thread_conversation

log = logging.getLogger(__name__)
T = TypeVar("T")

SEND_TIMEOUT = 120.0


def looks_like_channel(conversation_id: str) -> bool:
    """Team channels are ``19:…@thread.tacv2`` (or the older ``@thread.skype``); group chats end ``@thread.v2``."""
    return conversation_id.startswith("19:") and conversation_id.endswith(("@thread.tacv2", "@thread.skype"))


class ConnectorClients(Protocol):
    """Bot Connector clients by service URL (``connectors.py`` for botbuilder, ``agents/connectors.py``)."""

    async def get(self, service_url: str) -> Any: ...

    async def close(self) -> None: ...


class ConnectorKit(Protocol):
    """What the courier needs of an SDK: its connector clients and its models, built from the protocol's JSON.

    Both SDKs' connector clients have the same operations (``conversations.send_to_conversation``,
    ``reply_to_activity``, ``update_activity``, ``create_conversation``, ``get_conversation_paged_members``)
    with the same arguments and answers (``.id``, ``.activity_id``); only their model classes differ.
    """

    connectors: ConnectorClients

    def activity(self, body: dict[str, Any]) -> Any:
        """The SDK's Activity for ``body`` (Bot Framework activity JSON)."""

    def conversation_parameters(self, body: dict[str, Any]) -> Any:
        """The SDK's ConversationParameters for ``body`` (their JSON, ``activity`` included)."""


@dataclass(frozen=True)
class Where:
    """A resolved destination: which service, which conversation, and whether it is a channel."""

    service_url: str
    conversation_id: str
    is_channel: bool
    bot: dict[str, Any]


class Courier:
    """Sends one reply at a time; says what it posted."""

    def __init__(self, kit: ConnectorKit, app_id: str, sessions: sessionmaker[Session],
                 policy: retry.RetryPolicy | None = None, clock: Clock = system_clock) -> None:
        self.kit = kit
        self.app_id = app_id
        self.sessions = sessions
        self.policy = policy or retry.RetryPolicy()
        self.clock = clock
        self.connectors = kit.connectors

    @property
    def reply_policy(self) -> retry.RetryPolicy:
        """Replies to someone who just wrote run after the ack: they can wait out a longer
        ``Retry-After`` than a scheduler send, which gets RetryLater and comes back by itself."""
        return retry.RetryPolicy(attempts=self.policy.attempts + 2, base_delay=self.policy.base_delay,
                                 max_delay=max(self.policy.max_delay, 120.0))

    async def close(self) -> None:
        await self.connectors.close()

    async def send(self, workspace_id: str, reply: Reply, origin: Origin | None = None) -> Posted | None:
        """Deliver ``reply`` (its ids filled in by the core); raises RetryLater or DeliveryFailed."""
        policy = self.reply_policy if origin is not None else self.policy
        body = render.message(reply)
        match reply.to:
            case Ephemeral(person_id=person, replace_original=replace):
                where = await self._personal_chat(policy, workspace_id, person, origin)
                clicked_here = (origin is not None and origin.reply_to_id and origin.kind == "dm"
                                and origin.conversation_id == where.conversation_id)
                if replace and clicked_here:
                    assert origin is not None and origin.reply_to_id is not None
                    return Posted(message_id=await self._update(policy, where, where.conversation_id,
                                                                origin.reply_to_id, body))
                return Posted(message_id=await self._post(policy, where, where.conversation_id, body))
            case DirectMessage(person_id=person) | HomeView(person_id=person):
                where = await self._personal_chat(policy, workspace_id, person, origin)
                return Posted(message_id=await self._post(policy, where, where.conversation_id, body))
            case ReplaceCard(conversation_id=conversation, question_id=question, message_id=card, thread_id=root):
                if card is None:
                    raise DeliveryFailed(f"question {question} has no posted card to update")
                where = await self._conversation(workspace_id, conversation, origin)
                chain = thread_conversation(conversation, root or card) if where.is_channel else conversation
                return Posted(message_id=await self._update(policy, where, chain, card, body))
            case Post(conversation_id=conversation, thread_id=thread, in_thread_of=question):
                if question is not None and thread is None:
                    # Never a new channel post pinging experts out of context: the core resolves the thread.
                    raise DeliveryFailed(f"question {question} has no posted card to reply under")
                where = await self._conversation(workspace_id, conversation, origin)
                return await self._post_in(policy, where, reply, thread, origin, body)
        raise AssertionError(f"unhandled destination {reply.to!r}")

    async def _post_in(self, policy: retry.RetryPolicy, where: Where, reply: Reply, thread: str | None,
                       origin: Origin | None, body: dict[str, Any]) -> Posted:
        """A message everyone in the conversation sees: in a reply chain, under the asker's post, or new."""
        if thread and where.is_channel:
            root: str | None = thread
            activity_id = await self._reply(policy, where, thread_conversation(where.conversation_id, thread),
                                            thread, body)
        elif (reply.anchor is not None and origin is not None and origin.in_root_post
              and origin.conversation_id == where.conversation_id and origin.thread_root):
            root = origin.thread_root
            activity_id = await self._reply(policy, where, thread_conversation(where.conversation_id, root),
                                            root, body)
        elif where.is_channel:
            activity_id = await self._new_thread(policy, where, body)
            root = activity_id
        else:
            activity_id = await self._post(policy, where, where.conversation_id, body)
            root = activity_id
        in_thread = isinstance(reply.to, Post) and reply.to.in_thread_of is not None
        # No reply chains here: the experts it mentions answer by quoting this message, not the card.
        related = (activity_id,) if in_thread and activity_id and not where.is_channel else ()
        return Posted(message_id=activity_id, thread_root=root if reply.anchor is not None else None,
                      related=related)

    # -- where --------------------------------------------------------------------------------
    def _bot(self, origin: Origin | None, stored: Mapping[str, Any] | None) -> dict[str, Any]:
        if origin is not None and origin.bot.get("id"):
            return origin.bot
        if stored is not None and (stored.get("bot") or {}).get("id"):
            return dict(stored["bot"])
        return {"id": f"28:{self.app_id}"}

    async def _conversation(self, workspace_id: str, conversation_id: str, origin: Origin | None) -> Where:
        if origin is not None and origin.tenant_id == workspace_id and origin.conversation_id == conversation_id:
            return Where(origin.service_url, conversation_id, origin.is_channel, origin.bot)
        stored, fallback = await asyncio.to_thread(self._lookup, workspace_id, addresses.CONVERSATION,
                                                   conversation_id)
        if stored is not None and stored.get("serviceUrl"):
            kind = (stored.get("conversation") or {}).get("conversationType")
            return Where(str(stored["serviceUrl"]), conversation_id, kind == "channel", self._bot(origin, stored))
        # Never heard from (a questions channel set by an admin): the tenant's service URL reaches it too.
        same_tenant = origin if origin is not None and origin.tenant_id == workspace_id else None
        service_url = same_tenant.service_url if same_tenant else (fallback or {}).get("serviceUrl")
        if not service_url:
            raise DeliveryFailed(f"no conversation reference for {conversation_id}: the bot never heard from it")
        return Where(str(service_url), conversation_id, looks_like_channel(conversation_id),
                     self._bot(same_tenant, fallback))

    def _lookup(self, tenant_id: str, scope: addresses.Scope, key: str
                ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        found = addresses.find(self.sessions, PLATFORM, tenant_id, scope, key)
        return found, (None if found else addresses.any_in_workspace(self.sessions, PLATFORM, tenant_id))

    async def _personal_chat(self, policy: retry.RetryPolicy, workspace_id: str, person: str,
                             origin: Origin | None) -> Where:
        """The person's 1:1 chat with the bot: the one we are in, a stored one, or a newly created one."""
        if origin is not None and origin.kind == "dm" and origin.actor_id == person \
                and origin.tenant_id == workspace_id:
            return Where(origin.service_url, origin.conversation_id, False, origin.bot)
        stored, fallback = await asyncio.to_thread(self._lookup, workspace_id, addresses.PERSON, person)
        chat = (stored or {}).get("conversation") or {}
        if stored is not None and stored.get("serviceUrl") and chat.get("id"):
            return Where(str(stored["serviceUrl"]), str(chat["id"]), False, self._bot(origin, stored))
        same_tenant = origin if origin is not None and origin.tenant_id == workspace_id else None
        service_url = same_tenant.service_url if same_tenant else (fallback or {}).get("serviceUrl")
        if not service_url:
            raise DeliveryFailed(f"cannot reach {person}: the bot knows no conversation in tenant {workspace_id}")
        bot = self._bot(same_tenant, fallback)
        client = await self.connectors.get(service_url)
        parameters = self.kit.conversation_parameters({
            "isGroup": False, "bot": {"id": bot["id"], "name": bot.get("name")}, "members": [{"id": person}],
            "tenantId": workspace_id, "channelData": {"tenant": {"id": workspace_id}}})
        created = await retry.call(lambda: client.conversations.create_conversation(parameters), policy,
                                   f"opening a chat with {person}")
        reference = {"bot": bot, "user": {"id": person}, "channelId": "msteams", "serviceUrl": service_url,
                     "conversation": {"id": created.id, "conversationType": "personal", "tenantId": workspace_id}}
        await asyncio.to_thread(addresses.remember, self.sessions, PLATFORM, workspace_id, addresses.PERSON, person,
                                created.id, reference, self.clock())
        return Where(service_url, created.id, False, bot)

    # -- how ----------------------------------------------------------------------------------
    def _json(self, where: Where, conversation_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "from": where.bot, "channelId": "msteams", "conversation": {"id": conversation_id},
                "serviceUrl": where.service_url}

    def _activity(self, where: Where, conversation_id: str, body: dict[str, Any]) -> Any:
        return self.kit.activity(self._json(where, conversation_id, body))

    async def _call(self, policy: retry.RetryPolicy, where: Where, what: str,
                    operation: Callable[[Any], Awaitable[T]], idempotent: bool = True) -> T:
        client = await self.connectors.get(where.service_url)
        return await retry.call(lambda: operation(client), policy, what, idempotent)

    async def _post(self, policy: retry.RetryPolicy, where: Where, conversation_id: str,
                    body: dict[str, Any]) -> str | None:
        activity = self._activity(where, conversation_id, body)
        response = await self._call(policy, where, f"posting to {conversation_id}",
                                    lambda c: c.conversations.send_to_conversation(conversation_id, activity),
                                    idempotent=False)
        return getattr(response, "id", None)

    async def _reply(self, policy: retry.RetryPolicy, where: Where, conversation_id: str, reply_to: str,
                     body: dict[str, Any]) -> str | None:
        activity = self._activity(where, conversation_id, {**body, "replyToId": reply_to})
        response = await self._call(policy, where, f"replying in {conversation_id}",
                                    lambda c: c.conversations.reply_to_activity(conversation_id, reply_to, activity),
                                    idempotent=False)
        return getattr(response, "id", None)

    async def _update(self, policy: retry.RetryPolicy, where: Where, conversation_id: str, activity_id: str,
                      body: dict[str, Any]) -> str:
        activity = self._activity(where, conversation_id, {**body, "id": activity_id})
        await self._call(policy, where, f"updating {activity_id}",
                         lambda c: c.conversations.update_activity(conversation_id, activity_id, activity))
        return activity_id

    async def _new_thread(self, policy: retry.RetryPolicy, where: Where, body: dict[str, Any]) -> str | None:
        """A new post in a channel: Teams' documented way is a new conversation with the channel's id."""
        parameters = self.kit.conversation_parameters({
            "isGroup": True, "bot": {"id": where.bot["id"]}, "channelData": {"channel": {"id": where.conversation_id}},
            "activity": self._json(where, where.conversation_id, body)})
        created = await self._call(policy, where, f"posting in {where.conversation_id}",
                                   lambda c: c.conversations.create_conversation(parameters), idempotent=False)
        return created.activity_id


class TeamsOutbound:
    """The Teams :class:`~kbbot.contract.outbound.Outbound`: a blocking port over the async courier.

    The core sends from threads (the ingest path's work threads, the
    scheduler, a sweep) while the SDK's clients live on the server's event
    loop. When a loop is bound (``kbbot serve``, a worker) the send runs there
    and the calling thread waits for it; without one (a one-off ``kbbot``
    command) each send runs on a loop of its own.
    """

    platform = PLATFORM

    def __init__(self, courier: Courier) -> None:
        self.courier = courier
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Run sends on ``loop`` from now on (None: a fresh loop per send)."""
        self._loop = loop

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any] | None = None) -> Posted | None:
        """Deliver ``reply`` where ``context`` (the stored :class:`Origin`) says the event came from.

        Without the origin a recovered question card would open a new channel
        post instead of going under the asker's; a scheduled send has none.
        Raises RetryLater / DeliveryFailed.
        """
        origin = stored_origin(context or {})
        return self.run(lambda: self.courier.send(workspace_id, reply, origin))

    def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """On the bound loop, waiting for it from this thread; on a loop of its own when none is bound."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return asyncio.run(self._alone(work))
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("TeamsOutbound would block its own event loop; await the courier instead")
        future = asyncio.run_coroutine_threadsafe(work(), loop)
        try:
            return future.result(timeout=SEND_TIMEOUT)
        except concurrent.futures.TimeoutError as error:
            future.cancel()
            raise RetryLater("Teams send timed out", retry_after=30.0) from error


    async def _alone(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """One send on a loop of its own; its connector clients go with the loop."""
        try:
            return await work()
        finally:
            await self.courier.close()


def stored_origin(context: Mapping[str, Any]) -> Origin | None:
    """The Origin stored with an event (see bot.py); None for scheduled sends.

    Fields another kbbot version added are left out rather than losing the
    whole origin; one missing that this version needs means there is none.
    """
    if not context:
        return None
    known = {field.name for field in dataclasses.fields(Origin)}
    try:
        return Origin(**{key: value for key, value in context.items() if key in known})
    except TypeError:
        return None
