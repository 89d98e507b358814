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

from kbbot.contract.events import Actor, ConversationKindName, InboundEvent, MembersSynced
from kbbot.contract.outbound import DeliveryFailed
from kbbot.pipeline.ingest import Step
from kbbot_adapters.slack.bounded import Bounded
from kbbot_adapters.slack.clients import Tokens, web_client
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
                                        "is_admin": profile.is_admin})

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
        if event.actor.is_bot:  # Slack itself (an uninstall) has no profile to look up
            return event
        enriched = self.profiles.enrich(self.client(event.workspace_id), event.workspace_id, event.actor)
        return event if enriched == event.actor else event.model_copy(update={"actor": enriched})


def steps(settings: SlackSettings, tokens: Tokens, profiles: Profiles | None = None) -> tuple[Step, ...]:
    """What the core's ingest path runs for a Slack event after the ack: members first, then the profile."""
    return (Roster(settings, tokens), Enrich(settings, tokens, profiles))
