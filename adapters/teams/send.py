"""Sending the core's replies to Teams through the Bot Connector.

One :class:`Courier` serves both directions: replies to an activity just
received (``origin`` known) and proactive sends from the scheduler (no
origin: stored conversation references say where). Teams has no ephemeral
messages in channels, so a reply meant for one person goes to that
person's personal chat with the bot, which keeps suggestions from private
places out of shared channels.

Where a question card goes in a channel: when it was asked in a post of its
own, the card is the first reply in that post's chain, and the chain's root
is what the core records; otherwise (asked inside another chain, from a
personal chat, or after "ask anyway") the card starts a new conversation in
the channel and is its own root. In the first case the card's own activity
id is remembered too (a conversation reference keyed by the chain, whose
``activityId`` is the card), because replacing the card in place (the asker
edited or withdrew the question) must update the card, not the asker's post.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botbuilder.core import CloudAdapterBase
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from botframework.connector.aio import ConnectorClient
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import Anchor, Reply
from kbbot.services.asking import record_posted, record_related
from kbbot.store.db import unit_of_work
from kbbot.store.models import Question

from kbbot_adapters.teams import references, render, retry
from kbbot_adapters.teams.translate import Origin, thread_conversation

log = logging.getLogger(__name__)
T = TypeVar("T")


def looks_like_channel(conversation_id: str) -> bool:
    """Team channels are ``19:…@thread.tacv2`` (or the older ``@thread.skype``); group chats end ``@thread.v2``."""
    return conversation_id.startswith("19:") and conversation_id.endswith(("@thread.tacv2", "@thread.skype"))


@dataclass(frozen=True)
class Address:
    """A resolved destination: which service, which conversation, and whether it is a channel."""

    service_url: str
    conversation_id: str
    is_channel: bool
    bot: dict[str, Any]


class Connectors:
    """Authenticated connector clients per service URL, kept so that their access token is reused.

    botbuilder would make a client (and fetch a token) per turn; one per
    service URL for the life of the process needs one token an hour.
    """

    def __init__(self, adapter: CloudAdapterBase, app_id: str) -> None:
        self._factory = adapter.bot_framework_authentication.create_connector_factory(
            adapter.create_claims_identity(app_id))
        self._clients: dict[str, ConnectorClient] = {}

    async def get(self, service_url: str) -> ConnectorClient:
        client = self._clients.get(service_url)
        if client is None:
            client = await self._factory.create(service_url, None)
            # Retries are ours (retry.py): the SDK's would retry 5xx blindly and never a 429.
            client.config.retry_policy.retries = 0
            client = self._clients.setdefault(service_url, client)
        return client

    async def close(self) -> None:
        for client in self._clients.values():
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # pragma: no cover - closing must not hide the real outcome
                log.debug("closing a connector client failed", exc_info=True)
        self._clients.clear()


@dataclass
class Batch:
    """The replies to one event (or one proactive send): shared clients, retry policy, roots posted so far."""

    connectors: Connectors
    policy: retry.RetryPolicy
    posted: dict[int, str] = field(default_factory=dict)


class Courier:
    """Delivers replies; reports question cards' thread roots back to the core."""

    def __init__(self, adapter: CloudAdapterBase, app_id: str, sessions: sessionmaker[Session],
                 policy: retry.RetryPolicy | None = None, clock: Clock = system_clock) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.sessions = sessions
        self.policy = policy or retry.RetryPolicy()
        self.clock = clock
        self.connectors = Connectors(adapter, app_id)

    @property
    def reply_policy(self) -> retry.RetryPolicy:
        """Replies to someone who just wrote run in a background task: they can wait out a longer
        ``Retry-After`` than a scheduler send, which gets RetryLater and comes back by itself."""
        return retry.RetryPolicy(attempts=self.policy.attempts + 2, base_delay=self.policy.base_delay,
                                 max_delay=max(self.policy.max_delay, 120.0))

    async def close(self) -> None:
        await self.connectors.close()

    def batch(self, origin: Origin | None = None) -> Batch:
        """State shared by the replies of one batch; replies to someone waiting get the longer retry policy."""
        return Batch(self.connectors, self.reply_policy if origin is not None else self.policy)

    async def send(self, batch: Batch, workspace_id: str, reply: Reply, origin: Origin | None = None) -> str | None:
        """Deliver one reply of ``batch``; raises RetryLater or DeliveryFailed like an Outbound port."""
        return await self._send(batch, workspace_id, reply, origin)

    async def deliver(self, workspace_id: str, replies: list[Reply], origin: Origin | None = None,
                      keep_going: bool = True) -> list[str | None]:
        """Send ``replies`` in order; with ``keep_going`` one failed reply does not stop the rest."""
        batch = self.batch(origin)
        sent: list[str | None] = []
        for reply in replies:
            try:
                sent.append(await self._send(batch, workspace_id, reply, origin))
            except (RetryLater, DeliveryFailed) as error:
                if not keep_going:
                    raise
                log.warning("Teams reply not delivered: %s", error)
                sent.append(None)
        return sent

    # -- one reply --------------------------------------------------------------------------
    async def _send(self, batch: Batch, workspace_id: str, reply: Reply, origin: Origin | None) -> str | None:
        body = render.message(reply)
        person = reply.home_of or reply.dm_to or reply.ephemeral_to
        if person is not None:
            address = await self._personal_chat(batch, workspace_id, person, origin)
            clicked_here = (origin is not None and origin.reply_to_id and origin.kind == "dm"
                            and origin.conversation_id == address.conversation_id)
            if reply.replace_original and clicked_here:
                assert origin is not None and origin.reply_to_id is not None
                return await self._update(batch, address, address.conversation_id, origin.reply_to_id, body)
            return await self._post(batch, address, address.conversation_id, body)
        if reply.conversation_id is None:
            raise DeliveryFailed("a reply without a destination")
        address = await self._conversation(workspace_id, reply.conversation_id, origin)
        if reply.replaces is not None:
            return await self._replace(batch, workspace_id, address, reply.replaces.id, body)
        thread = reply.thread_id or (batch.posted.get(reply.in_thread_of.id) if reply.in_thread_of else None)
        if reply.in_thread_of is not None and thread is None:
            # Sent apart from its question's card (a recovered event): find the chain the card
            # was posted in, or fail, rather than start a new channel post that pings experts.
            thread = await asyncio.to_thread(self._posted_before, reply.in_thread_of.id)
            if thread is None:
                raise DeliveryFailed(f"question {reply.in_thread_of.id} has no posted card to reply under")
        root: str | None
        if thread and address.is_channel:
            root = thread
            activity_id = await self._reply(batch, address, thread_conversation(address.conversation_id, root),
                                            root, body)
        elif (reply.anchor is not None and origin is not None and origin.in_root_post
              and origin.conversation_id == address.conversation_id and origin.thread_root):
            root = origin.thread_root
            activity_id = await self._reply(batch, address, thread_conversation(address.conversation_id, root),
                                            root, body)
        elif address.is_channel:
            activity_id = await self._new_thread(batch, address, body)
            root = activity_id
        else:
            activity_id = await self._post(batch, address, address.conversation_id, body)
            root = activity_id
        if reply.anchor is not None and root:
            batch.posted[reply.anchor.id] = root
            linked = await asyncio.to_thread(self._record, reply, root)
            if linked and address.is_channel and activity_id and activity_id != root:
                await asyncio.to_thread(self._remember_card, workspace_id, address, root, activity_id)
        elif reply.in_thread_of is not None and activity_id and not address.is_channel:
            # No reply chain here: the experts it mentions answer by quoting this message, not the card.
            await asyncio.to_thread(self._record_related, reply.in_thread_of, activity_id)
        return activity_id

    async def _replace(self, batch: Batch, workspace_id: str, address: Address, question_id: int,
                       body: dict[str, Any]) -> str | None:
        """Update the question's card in place; a card never found is a failed delivery, not a new post."""
        root = batch.posted.get(question_id) or await asyncio.to_thread(self._posted_before, question_id)
        if root is None:
            raise DeliveryFailed(f"question {question_id} has no posted card to update")
        if not address.is_channel:
            return await self._update(batch, address, address.conversation_id, root, body)
        chain = thread_conversation(address.conversation_id, root)
        card = await asyncio.to_thread(self._card_in_chain, workspace_id, chain)
        return await self._update(batch, address, chain, card or root, body)

    def _remember_card(self, tenant_id: str, address: Address, root: str, card_id: str) -> None:
        """The reference of a question card posted as a reply in its asker's post (see the module doc)."""
        chain = thread_conversation(address.conversation_id, root)
        reference = {"activityId": card_id, "bot": address.bot, "channelId": "msteams",
                     "serviceUrl": address.service_url,
                     "conversation": {"id": chain, "conversationType": "channel", "tenantId": tenant_id}}
        with unit_of_work(self.sessions) as session:
            references.remember(session, tenant_id, references.CONVERSATION, chain, address.conversation_id,
                                address.service_url, reference, self.clock())

    def _card_in_chain(self, tenant_id: str, chain: str) -> str | None:
        """The card's activity id in reply chain ``chain``, when the card is not the chain's root."""
        with unit_of_work(self.sessions) as session:
            stored = references.find(session, tenant_id, references.CONVERSATION, chain)
            card = stored.reference.get("activityId") if stored is not None else None
            return str(card) if card else None

    def _posted_before(self, question_id: int) -> str | None:
        """The reply chain an earlier delivery posted the question's card in, if any."""
        with unit_of_work(self.sessions) as session:
            question = session.get(Question, question_id)
            return question.message_id if question is not None else None

    def _record_related(self, anchor: Anchor, activity_id: str) -> None:
        """Best effort: the message is posted, and failing here would post it (and ping the experts) again."""
        try:
            with unit_of_work(self.sessions) as session:
                record_related(session, anchor, activity_id)
        except SQLAlchemyError:
            log.warning("invitation %s not linked to question %s; quoting it will not answer", activity_id,
                        anchor.id, exc_info=True)

    def _record(self, reply: Reply, root: str) -> bool:
        """Tell the core which reply chain carries the question, so replies there become answers.

        True when the question is now linked to this chain.
        """
        assert reply.anchor is not None
        try:
            with unit_of_work(self.sessions) as session:
                record_posted(session, reply.anchor, root)
                question = session.get(Question, reply.anchor.id)
                return question is not None and question.message_id == root
        except IntegrityError:
            # Another question already owns this chain (a redelivered or swept event): keep the first.
            log.warning("reply chain %s already carries a question; question %s not linked", root, reply.anchor.id)
            return False

    # -- where --------------------------------------------------------------------------------
    def _bot(self, origin: Origin | None, stored: references.TeamsConversationReference | None) -> dict[str, Any]:
        if origin is not None and origin.bot.get("id"):
            return origin.bot
        if stored is not None and (stored.reference.get("bot") or {}).get("id"):
            return dict(stored.reference["bot"])
        return {"id": f"28:{self.app_id}"}

    async def _conversation(self, workspace_id: str, conversation_id: str, origin: Origin | None) -> Address:
        if origin is not None and origin.tenant_id == workspace_id and origin.conversation_id == conversation_id:
            return Address(origin.service_url, conversation_id, origin.is_channel, origin.bot)
        stored, fallback = await asyncio.to_thread(self._lookup, workspace_id, references.CONVERSATION,
                                                   conversation_id)
        if stored is not None:
            kind = (stored.reference.get("conversation") or {}).get("conversationType")
            return Address(stored.service_url, conversation_id, kind == "channel", self._bot(origin, stored))
        # Never heard from (a questions channel set by an admin): the tenant's service URL reaches it too.
        same_tenant = origin if origin is not None and origin.tenant_id == workspace_id else None
        service_url = same_tenant.service_url if same_tenant else (fallback.service_url if fallback else None)
        if service_url is None:
            raise DeliveryFailed(f"no conversation reference for {conversation_id}: the bot never heard from it")
        return Address(service_url, conversation_id, looks_like_channel(conversation_id),
                       self._bot(same_tenant, fallback))

    def _lookup(self, tenant_id: str, scope: references.Scope, key: str
                ) -> tuple[references.TeamsConversationReference | None, references.TeamsConversationReference | None]:
        with unit_of_work(self.sessions) as session:
            found = references.find(session, tenant_id, scope, key)
            return found, (None if found else references.any_in_tenant(session, tenant_id))

    async def _personal_chat(self, batch: Batch, workspace_id: str, person: str,
                             origin: Origin | None) -> Address:
        """The person's 1:1 chat with the bot: the one we are in, a stored one, or a newly created one."""
        if origin is not None and origin.kind == "dm" and origin.actor_id == person \
                and origin.tenant_id == workspace_id:
            return Address(origin.service_url, origin.conversation_id, False, origin.bot)
        stored, fallback = await asyncio.to_thread(self._lookup, workspace_id, references.PERSON, person)
        if stored is not None:
            return Address(stored.service_url, stored.conversation_id, False, self._bot(origin, stored))
        same_tenant = origin if origin is not None and origin.tenant_id == workspace_id else None
        if same_tenant is None and fallback is None:
            raise DeliveryFailed(f"cannot reach {person}: the bot knows no conversation in tenant {workspace_id}")
        service_url = same_tenant.service_url if same_tenant else fallback.service_url  # type: ignore[union-attr]
        bot = self._bot(same_tenant, fallback)
        client = await batch.connectors.get(service_url)
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=bot["id"], name=bot.get("name")),
            members=[ChannelAccount(id=person)], tenant_id=workspace_id, channel_data={"tenant": {"id": workspace_id}})
        created = await retry.call(lambda: client.conversations.create_conversation(parameters), batch.policy,
                                   f"opening a chat with {person}")
        reference = {"bot": bot, "user": {"id": person}, "channelId": "msteams", "serviceUrl": service_url,
                     "conversation": {"id": created.id, "conversationType": "personal", "tenantId": workspace_id}}
        await asyncio.to_thread(self._remember_person, workspace_id, person, created.id, service_url, reference)
        return Address(service_url, created.id, False, bot)

    def _remember_person(self, tenant_id: str, person: str, conversation_id: str, service_url: str,
                         reference: dict[str, Any]) -> None:
        with unit_of_work(self.sessions) as session:
            references.remember(session, tenant_id, references.PERSON, person, conversation_id, service_url,
                                reference, self.clock())

    # -- how ----------------------------------------------------------------------------------
    def _activity(self, address: Address, conversation_id: str, body: dict[str, Any]) -> Activity:
        activity = Activity().deserialize({**body, "from": address.bot, "channelId": "msteams",
                                           "conversation": {"id": conversation_id}, "serviceUrl": address.service_url})
        return activity

    async def _call(self, batch: Batch, address: Address, what: str,
                    operation: Callable[[ConnectorClient], Awaitable[T]], idempotent: bool = True) -> T:
        client = await batch.connectors.get(address.service_url)
        return await retry.call(lambda: operation(client), batch.policy, what, idempotent)

    async def _post(self, batch: Batch, address: Address, conversation_id: str,
                    body: dict[str, Any]) -> str | None:
        activity = self._activity(address, conversation_id, body)
        response = await self._call(batch, address, f"posting to {conversation_id}",
                                    lambda c: c.conversations.send_to_conversation(conversation_id, activity),
                                    idempotent=False)
        return getattr(response, "id", None)

    async def _reply(self, batch: Batch, address: Address, conversation_id: str, reply_to: str,
                     body: dict[str, Any]) -> str | None:
        activity = self._activity(address, conversation_id, {**body, "replyToId": reply_to})
        response = await self._call(batch, address, f"replying in {conversation_id}",
                                    lambda c: c.conversations.reply_to_activity(conversation_id, reply_to, activity),
                                    idempotent=False)
        return getattr(response, "id", None)

    async def _update(self, batch: Batch, address: Address, conversation_id: str, activity_id: str,
                      body: dict[str, Any]) -> str | None:
        activity = self._activity(address, conversation_id, {**body, "id": activity_id})
        await self._call(batch, address, f"updating {activity_id}",
                         lambda c: c.conversations.update_activity(conversation_id, activity_id, activity))
        return activity_id

    async def _new_thread(self, batch: Batch, address: Address, body: dict[str, Any]) -> str | None:
        """A new post in a channel: Teams' documented way is a new conversation with the channel's id."""
        activity = self._activity(address, address.conversation_id, body)
        parameters = ConversationParameters(is_group=True, bot=ChannelAccount(id=address.bot["id"]),
                                            channel_data={"channel": {"id": address.conversation_id}},
                                            activity=activity)
        created = await self._call(batch, address, f"posting in {address.conversation_id}",
                                   lambda c: c.conversations.create_conversation(parameters), idempotent=False)
        return created.activity_id
