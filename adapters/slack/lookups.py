"""What Slack knows about channels and people, asked once and cached.

*Conversation kinds* decide visibility, so an unknown kind is looked up
(``conversations.info``) before the event is accepted, and when Slack cannot
tell us in time we assume ``private``: a public channel's question hidden for
a while is a smaller harm than a private channel's question shown to
outsiders.

*Profiles* (``users.info`` with ``include_locale``) give each person's
language and timezone hints; the core applies them unless the person chose
otherwise. They are fetched after the ack and refreshed every
:data:`PROFILE_TTL` seconds.

*Members* of a private channel decide who may see its questions; a large
channel takes many pages, more than Slack's 3 seconds allow, so they too are
asked after the ack. :func:`steps` gives both to the core's ingest path as
its after-the-ack middleware (:data:`kbbot.pipeline.ingest.Step`).

Caches are per process and keyed by workspace; nothing here must be shared
between replicas for correctness.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from kbbot.contract.events import Actor, ConversationKindName, InboundEvent, MembersSynced, PersonChanged, ThreadSaved
from kbbot.contract.outbound import DeliveryFailed
from kbbot.contract.replies import MessageRef
from kbbot.pipeline.ingest import Step
from kbbot_adapters.slack import translate
from kbbot_adapters.slack.bounded import Bounded
from kbbot_adapters.slack.clients import Tokens, web_client
from kbbot_adapters.slack.permalinks import Permalinks
from kbbot_adapters.slack.settings import SlackSettings

log = logging.getLogger(__name__)

KIND_TTL = 300.0
"""Short on purpose: a channel made private must stop counting as public soon, even for payloads that
do not state their channel's kind (reactions, mentions). Message events and slash commands always state it."""
PROFILE_TTL = 6 * 3600.0
CACHED = 50_000
"""Entries each cache keeps; the least recently used are forgotten first."""
LOOKUP_TIMEOUT = 1.5
SAFE_KIND: ConversationKindName = "private"


def kind_of(channel: dict) -> ConversationKindName:
    """A ``conversations.info`` channel object's kind."""
    if channel.get("is_im"):
        return "dm"
    if channel.get("is_mpim"):
        return "group"
    # A Slack Connect channel includes people of other organisations: what is said there
    # is not the workspace's public knowledge, and the workspace's is not theirs.
    if channel.get("is_private") or channel.get("is_group") or channel.get("is_ext_shared"):
        return "private"
    return "channel"


class ConversationKinds:
    """Channel kinds by (team, channel), learned from payload hints and ``conversations.info``."""

    def __init__(self, ttl: float = KIND_TTL) -> None:
        self._ttl = ttl
        self._known: Bounded[tuple[str, str], tuple[ConversationKindName, float]] = Bounded(CACHED)

    def remember(self, team_id: str, channel_id: str, kind: ConversationKindName) -> None:
        self._known.put((team_id, channel_id), (kind, time.monotonic() + self._ttl))

    def cached(self, team_id: str, channel_id: str) -> ConversationKindName | None:
        found = self._known.get((team_id, channel_id))
        return found[0] if found and found[1] > time.monotonic() else None

    async def resolve(self, client: AsyncWebClient, team_id: str, channel_id: str,
                      hint: ConversationKindName | None) -> ConversationKindName:
        """The kind: the payload's own hint, the cache, Slack's answer, or the safe default."""
        if hint is not None:
            self.remember(team_id, channel_id, hint)
            return hint
        if (known := self.cached(team_id, channel_id)) is not None:
            return known
        try:
            response = await asyncio.wait_for(client.conversations_info(channel=channel_id), LOOKUP_TIMEOUT)
        except (SlackApiError, SlackClientError, TimeoutError, OSError) as error:
            log.warning("conversations.info %s/%s failed (%s); treating it as private", team_id, channel_id, error)
            return SAFE_KIND
        kind = kind_of(response["channel"])
        self.remember(team_id, channel_id, kind)
        return kind


@dataclass(frozen=True)
class Profile:
    name: str | None
    locale: str | None
    timezone: str | None
    is_bot: bool
    is_guest: bool = False
    is_admin: bool = False
    """Slack's ``is_admin`` or ``is_owner``: may use ``/kb admin``."""


class Profiles:
    """``users.info`` answers by (team, user), refreshed after :data:`PROFILE_TTL` seconds. Thread-safe."""

    def __init__(self, ttl: float = PROFILE_TTL) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._known: Bounded[tuple[str, str], tuple[Profile, float]] = Bounded(CACHED)

    def enrich(self, client: WebClient, team_id: str, actor: Actor) -> Actor:
        """``actor`` with Slack's name, locale and timezone filled in where Slack knows them."""
        profile = self.get(client, team_id, actor.id)
        if profile is None:
            return actor
        return actor.model_copy(update={"name": profile.name or actor.name, "locale": profile.locale,
                                        "timezone": profile.timezone, "is_bot": profile.is_bot or actor.is_bot,
                                        "is_guest": profile.is_guest, "is_admin": profile.is_admin})

    def get(self, client: WebClient, team_id: str, user_id: str) -> Profile | None:
        with self._lock:
            found = self._known.get((team_id, user_id))
        if found and found[1] > time.monotonic():
            return found[0]
        try:
            user = client.users_info(user=user_id, include_locale=True)["user"]
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("users.info %s/%s failed: %s", team_id, user_id, error)
            return found[0] if found else None  # a stale profile beats none
        details = user.get("profile") or {}
        profile = Profile(name=details.get("display_name") or details.get("real_name") or user.get("real_name")
                          or user.get("name"), locale=user.get("locale"), timezone=user.get("tz"),
                          is_bot=bool(user.get("is_bot")),
                          is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
                          is_admin=bool(user.get("is_admin") or user.get("is_owner")))
        with self._lock:
            self._known.put((team_id, user_id), (profile, time.monotonic() + self._ttl))
        return profile


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


class _Asking:
    """A step that asks Slack something in the event's workspace, with that workspace's bot token."""

    def __init__(self, settings: SlackSettings, tokens: Tokens) -> None:
        self.settings = settings
        self.tokens = tokens

    def client(self, team_id: str) -> WebClient:
        try:
            token: str | None = self.tokens.bot_token(team_id)
        except DeliveryFailed:
            # The knowledge is still recorded; the lookups and replies then fail, and say why in the log.
            log.warning("no bot token for Slack workspace %s", team_id)
            token = None
        return web_client(self.settings, token)


class Roster(_Asking):
    """A private conversation's members changed: fill in who is in it now (the ``roster`` in the context)."""

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        channel = context.get("roster")
        if not isinstance(event, MembersSynced) or not isinstance(channel, str) or not channel:
            return event
        return event.model_copy(update={"member_ids": members_of(self.client(event.workspace_id), channel)})


class Enrich(_Asking):
    """The person who acted, with the name, locale and timezone Slack knows for them."""

    def __init__(self, settings: SlackSettings, tokens: Tokens, profiles: Profiles | None = None) -> None:
        super().__init__(settings, tokens)
        self.profiles = profiles or Profiles()

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        if event.actor.is_bot or isinstance(event, PersonChanged):
            return event  # Slack itself (an uninstall) has no profile; a profile change carries its own
        enriched = self.profiles.enrich(self.client(event.workspace_id), event.workspace_id, event.actor)
        return event if enriched == event.actor else event.model_copy(update={"actor": enriched})


def steps(settings: SlackSettings, tokens: Tokens, profiles: Profiles | None = None) -> tuple[Step, ...]:
    """What the core's ingest path runs for a Slack event after the ack: members first, then the profile,
    then (for a saved thread) the thread itself."""
    profiles = profiles or Profiles()
    return (Roster(settings, tokens), Enrich(settings, tokens, profiles), Threads(settings, tokens, profiles))


# -- Threads read for "Save to kbbot" (issue 14) -----------------------------------------------------

THREAD_PAGES = 10
"""Pages of ``conversations.replies`` read at most (200 messages each): the answer is in there or nowhere."""
READ_BUDGET = 1.0
"""Seconds the form's thread is read for at most, of Slack's three (names, the database and views.open follow)."""
UNREADABLE = frozenset({"not_in_channel", "channel_not_found", "thread_not_found", "is_archived", "missing_scope"})
"""Answers meaning kbbot cannot read the thread (rather than "try again")."""


async def read_thread(client: AsyncWebClient, channel: str, root_ts: str, join: bool) -> list[dict] | None:
    """The thread's messages, root first, while the person waits for the form; None: kbbot may not read it.

    A public channel kbbot was never invited to (``join``) is joined first,
    as a post there would; a private one needs an invitation.
    """
    try:
        return await _replies(client, channel, root_ts)
    except SlackApiError as error:
        code = error.response.get("error")
        if code != "not_in_channel" or not join:
            if code in UNREADABLE:
                return None
            raise
    try:
        await client.conversations_join(channel=channel)
        return await _replies(client, channel, root_ts)
    except SlackApiError:
        return None


async def _replies(client: AsyncWebClient, channel: str, root_ts: str) -> list[dict]:
    """The thread's pages, as many as :data:`READ_BUDGET` allows: the form must open within Slack's three
    seconds, and a very long thread then offers its first replies (the submission reads it whole)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READ_BUDGET
    messages: list[dict] = []
    cursor = None
    for _ in range(THREAD_PAGES):
        page = await asyncio.wait_for(client.conversations_replies(channel=channel, ts=root_ts, limit=200,
                                                                   cursor=cursor), LOOKUP_TIMEOUT)
        messages.extend(page.get("messages") or [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor or loop.time() > deadline:
            break
    return messages


async def profiles_of(client: AsyncWebClient, user_ids: set[str]) -> dict[str, Profile | None]:
    """The profiles of a thread's authors and of the person saving it, asked at once while they wait.

    Whoever Slack does not answer for in time stays without a name (and the
    form in the language kbbot already knew for them).
    """
    async def one(user_id: str) -> tuple[str, Profile | None]:
        try:
            user = (await asyncio.wait_for(client.users_info(user=user_id, include_locale=True),
                                           LOOKUP_TIMEOUT))["user"]
        except (SlackApiError, SlackClientError, TimeoutError, OSError, KeyError):
            return user_id, None
        details = user.get("profile") or {}
        return user_id, Profile(name=details.get("display_name") or details.get("real_name") or user.get("real_name")
                                or user.get("name"), locale=user.get("locale"), timezone=user.get("tz"),
                                is_bot=bool(user.get("is_bot")),
                                is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
                                is_admin=bool(user.get("is_admin") or user.get("is_owner")))

    return dict(await asyncio.gather(*(one(user_id) for user_id in sorted(user_ids))))


class Threads(_Asking):
    """A submitted "Save to kbbot": the thread as Slack shows it now, its authors' names and the link back."""

    def __init__(self, settings: SlackSettings, tokens: Tokens, profiles: Profiles | None = None,
                 links: Permalinks | None = None) -> None:
        super().__init__(settings, tokens)
        self.profiles = profiles or Profiles()
        self.links = links or Permalinks()

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        if not isinstance(event, ThreadSaved) or event.thread is not None:
            return event
        client = self.client(event.workspace_id)
        channel, root = event.conversation.id, event.root_id
        messages: list[dict] = []
        try:
            for page in client.conversations_replies(channel=channel, ts=root, limit=200):
                messages.extend(page.get("messages") or [])
                if len(messages) >= THREAD_PAGES * 200:
                    break
        except SlackApiError as error:
            if error.response.get("error") not in UNREADABLE:
                raise  # Slack is busy or down: the event stays pending and is tried again
            return event.model_copy(update={"thread": translate.unreadable(root)})
        authors = {str(m["user"]) for m in messages if m.get("user") and not m.get("bot_id")}
        names = {}
        for author in sorted(authors):
            profile = self.profiles.get(client, event.workspace_id, author)
            names[author] = profile.name if profile else None
        link = self.links.link(client, MessageRef(conversation_id=channel, message_id=root))  # None: saved unlinked
        return event.model_copy(update={"thread": translate.thread(root, messages, names, link)})
