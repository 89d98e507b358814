"""Core replies → Slack Web API calls: the Slack :class:`~kbbot.contract.outbound.Outbound`.

One port for every reply, whether it answers an event (from the outbox, with
the event's stored context) or comes from the scheduler (no context). Each
destination has one route:

* :class:`~kbbot.contract.replies.Post` and :class:`~kbbot.contract.replies.DirectMessage`:
  ``chat.postMessage`` (in the thread the core resolved, where there is one);
  a public channel kbbot was not invited to is joined first, once.
* :class:`~kbbot.contract.replies.ReplaceCard`: ``chat.update`` of the card
  whose ``ts`` the core recorded; never a second card instead.
* :class:`~kbbot.contract.replies.Ephemeral`: the event's ``response_url``
  when the person is the one who acted (it also works where the bot is not a
  channel member), ``chat.postEphemeral`` otherwise.
* :class:`~kbbot.contract.replies.HomeView`: ``views.publish``.

The port reports what it posted (:class:`~kbbot.contract.replies.Posted`); the
core records it. Failures are classified once: :class:`RetryLater` when Slack
is busy or unreachable, :class:`DeliveryFailed` when retrying cannot help. A
reply to an event waits out Slack's rate limits for up to :data:`PATIENCE`
seconds; the scheduler's port gives up at once and lets the scheduler decide.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import DirectMessage, Ephemeral, HomeView, Post, Posted, ReplaceCard, Reply, Text
from kbbot.i18n import t
from kbbot_adapters.slack import messages  # noqa: F401 - registers the adapter's own messages
from kbbot_adapters.slack import render
from kbbot_adapters.slack.clients import (RATE_LIMIT_RETRIES, ConnectionRetry, RateLimitRetry, Tokens, retry_after,
                                         web_client)
from kbbot_adapters.slack.permalinks import Permalinks
from kbbot_adapters.slack.settings import SlackSettings

log = logging.getLogger(__name__)

# Errors that say the destination is gone or closed to us; retrying cannot help.
PERMANENT_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "user_not_in_channel",
    "cannot_dm_bot", "account_inactive", "token_revoked", "invalid_auth", "not_authed", "no_permission",
    "missing_scope", "restricted_action", "msg_too_long", "invalid_blocks", "invalid_arguments",
    "team_access_not_granted", "channel_is_archived", "user_is_bot", "expired_url", "used_url",
    "message_not_found", "cant_update_message", "edit_window_closed",
})

PATIENCE = 600.0
"""Seconds a reply to an event keeps waiting out Slack's rate limits before it is given up (and logged)."""

SCHEDULER_RATE_LIMIT_RETRIES = 1
"""The scheduler's sends retry a 429 once; after that it is told to retry later and paces itself."""


class RateLimited(RetryLater):
    """Slack refused the call with 429: nothing was posted, so sending again is safe."""


class NotInChannel(DeliveryFailed):
    """kbbot is not a member of the channel (a private one, or a public one it could not join)."""


_NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})


@dataclass(frozen=True)
class Origin:
    """Where the inbound event came from, so replies to the person who acted take the best route.

    Stored with the event as its context (JSON, see :meth:`context`) and read
    back for each of its replies, in whichever process sends them.
    """

    user_id: str | None = None
    channel_id: str | None = None
    response_url: str | None = None
    # The clicked message was an ephemeral one of ours: "replace the original" may replace it.
    replaceable: bool = False

    def context(self) -> dict[str, Any]:
        """The origin as stored with the event and its replies, without empty fields."""
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Origin:
        """The origin back from a stored context; other keys (the roster, a newer kbbot's) are ignored."""
        known = {item.name for item in fields(cls)}
        return cls(**{name: value for name, value in context.items() if name in known})


def classify(error: Exception, what: str) -> RetryLater | DeliveryFailed:
    """A Slack or network error as the outbound contract's exception."""
    if isinstance(error, SlackApiError):
        response = error.response
        if response.status_code == 429:
            return RateLimited(f"{what}: rate limited", retry_after(response.headers, 1.0))
        code = str(response.get("error", "")) if isinstance(response.data, dict) else ""
        if code in _NOT_IN_CHANNEL:
            return NotInChannel(f"{what}: {code}")
        if code in PERMANENT_ERRORS or (400 <= response.status_code < 500 and code != "ratelimited"):
            return DeliveryFailed(f"{what}: {code or response.status_code}")
        return RetryLater(f"{what}: {code or response.status_code}", 5.0)
    return RetryLater(f"{what}: {type(error).__name__}: {error}", 5.0)


METADATA_EVENT = "kbbot_reply"
"""The ``event_type`` of the metadata kbbot's posts carry: the outbox key that lets a resend find them."""

RECALL_MARGIN = 60.0
"""Seconds searched before the reply was stored: clocks of two machines need not agree."""

RECALL_PAGES = 5
"""Pages of 200 messages searched for a post that may already be there; past that it is posted again."""


class SlackSend:
    """Sends replies in any workspace, with that workspace's bot token. Thread-safe.

    ``patience`` (seconds) is how long a 429 storm is waited out before the
    reply is given back to the outbox; ``rate_limit_retries`` how often the
    client itself retries one call.
    """

    platform = "slack"

    def __init__(self, settings: SlackSettings, tokens: Tokens, links: Permalinks | None = None,
                 patience: float = 0.0, rate_limit_retries: int = SCHEDULER_RATE_LIMIT_RETRIES) -> None:
        self.settings = settings
        self.tokens = tokens
        self.links = links or Permalinks()
        self.patience = patience
        self.rate_limit_retries = rate_limit_retries

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        """Deliver one reply; what was posted, ``None`` for an ephemeral or a Home view."""
        client = web_client(self.settings, self.tokens.bot_token(workspace_id), self.rate_limit_retries)
        origin = Origin.of(context)
        try:
            return self._patiently(client, reply, origin)
        except NotInChannel:
            self._explain_not_in_channel(reply, origin)
            raise

    def posted_before(self, workspace_id: str, reply: Reply, since: datetime) -> Posted | None:
        """The message posted for ``reply.key`` since ``since``, read back from the conversation's history.

        Only what ``chat.postMessage`` posted can be found (it carries the key
        in its metadata); an ephemeral, a Home view or a card update answers
        ``None`` (the latter two are safe to repeat, an ephemeral is not kept).
        """
        if not reply.key:
            return None
        match reply.to:
            case Post(conversation_id=channel, thread_id=thread):
                pass
            case DirectMessage(person_id=person):
                channel, thread = person, None
            case Ephemeral(conversation_id=channel, person_id=person) if (channel or person) == person:
                channel, thread = person, None  # an ephemeral with no channel went to the person's DM
            case _:
                return None
        client = web_client(self.settings, self.tokens.bot_token(workspace_id), self.rate_limit_retries)
        oldest = (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp() - RECALL_MARGIN
        try:
            if channel.startswith(("U", "W")):
                channel = client.conversations_open(users=channel)["channel"]["id"]
            ts = self._find(client, channel, thread, f"{oldest:.6f}", reply.key)
        except (SlackApiError, SlackClientError, URLError, OSError) as error:
            raise classify(error, "slack") from error
        return None if ts is None else Posted(message_id=ts, thread_root=thread)

    @staticmethod
    def _find(client: WebClient, channel: str, thread: str | None, oldest: str, key: str) -> str | None:
        """The ts of kbbot's message carrying ``key``, searching at most :data:`RECALL_PAGES` pages."""
        cursor = None
        for _ in range(RECALL_PAGES):
            arguments: dict[str, Any] = {"channel": channel, "oldest": oldest, "limit": 200,
                                         "include_all_metadata": True, "cursor": cursor}
            page = (client.conversations_replies(ts=thread, **arguments) if thread
                    else client.conversations_history(**arguments))
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (metadata.get("event_type") == METADATA_EVENT
                        and (metadata.get("event_payload") or {}).get("key") == key):
                    return message.get("ts")
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None
        return None

    def _patiently(self, client: WebClient, reply: Reply, origin: Origin) -> Posted | None:
        """Keep honouring ``Retry-After`` through a long 429 storm, up to ``patience``; other failures are final."""
        deadline = time.monotonic() + self.patience
        while True:
            try:
                return self._send(client, reply, origin)
            except RateLimited as error:
                if time.monotonic() + error.retry_after > deadline:
                    raise
                time.sleep(error.retry_after)

    def _send(self, client: WebClient, reply: Reply, origin: Origin) -> Posted | None:
        reply = self.links.fill(client, reply)
        try:
            match reply.to:
                case HomeView(person_id=person):
                    client.views_publish(user_id=person, view=render.home_view(reply))
                    return None
                case Ephemeral():
                    return self._ephemeral(client, reply, reply.to, origin)
                case DirectMessage(person_id=person):
                    return Posted(message_id=self._post(client, reply, person, None))
                case ReplaceCard(conversation_id=channel, message_id=card, thread_id=thread):
                    if card is None:
                        raise DeliveryFailed(f"question {reply.to.question_id} has no posted card to update")
                    client.chat_update(channel=channel, ts=card, text=render.fallback(reply),
                                       blocks=render.render(reply))
                    return Posted(message_id=card, thread_root=thread if thread != card else None)
                case Post(conversation_id=channel, thread_id=thread, in_thread_of=question):
                    if question is not None and thread is None:
                        raise DeliveryFailed(f"question {question} was never posted; no thread to reply in")
                    return Posted(message_id=self._post(client, reply, channel, thread), thread_root=thread)
        except (SlackApiError, SlackClientError, URLError, OSError) as error:
            raise classify(error, "slack") from error
        raise AssertionError(f"unhandled destination {reply.to!r}")

    def _post(self, client: WebClient, reply: Reply, channel: str, thread_ts: str | None) -> str | None:
        """``chat.postMessage``; a public channel kbbot was not invited to is joined first, once."""
        message = {"channel": channel, "text": render.fallback(reply), "blocks": render.render(reply),
                   "thread_ts": thread_ts, "unfurl_links": False, "unfurl_media": False}
        if reply.key:
            message["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": reply.key}}
        try:
            return client.chat_postMessage(**message).get("ts")
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel" or not channel.startswith("C"):
                raise
        try:
            client.conversations_join(channel=channel)  # fails for private channels: they need an invite
        except SlackApiError:
            raise NotInChannel(f"slack: not_in_channel {channel}") from None
        return client.chat_postMessage(**message).get("ts")

    def _ephemeral(self, client: WebClient, reply: Reply, to: Ephemeral, origin: Origin) -> Posted | None:
        same_person = to.person_id == origin.user_id and to.conversation_id == origin.channel_id
        if origin.response_url and same_person:
            try:
                self._respond(origin.response_url, reply, replace=to.replace_original and origin.replaceable)
                return None
            except DeliveryFailed as error:  # expired (30 minutes) or used up (5 uses): the Web API still works
                log.info("response_url refused (%s); sending the ephemeral through the Web API", error)
        channel = to.conversation_id or to.person_id
        if channel == to.person_id:
            # A click in App Home has no channel: the person's DM with the bot is theirs alone.
            return Posted(message_id=self._post(client, reply, to.person_id, None))
        client.chat_postEphemeral(channel=channel, user=to.person_id, text=render.fallback(reply),
                                  blocks=render.render(reply))
        return None

    # Logs name where a reply went, never what it said: it may come from a private channel.
    def _explain_not_in_channel(self, reply: Reply, origin: Origin) -> None:
        """Tell the person who asked why nothing appeared, rather than leaving them waiting."""
        to = reply.to
        if not origin.response_url or not isinstance(to, Post | ReplaceCard) or to.conversation_id != origin.channel_id:
            return
        note = t(reply.locale, "slack.not_in_channel")
        explanation = Reply(text=note, blocks=[Text(text=note)], to=to, locale=reply.locale)
        try:
            self._respond(origin.response_url, explanation, replace=False)
        except (RetryLater, DeliveryFailed, SlackClientError, URLError, OSError) as error:
            log.warning("could not explain a failed post to %s: %s", origin.user_id, error)

    def _respond(self, url: str, reply: Reply, replace: bool) -> None:
        hook = WebhookClient(url, timeout=10, retry_handlers=[ConnectionRetry(), RateLimitRetry()])
        body = {"text": render.fallback(reply), "blocks": render.render(reply), "response_type": "ephemeral",
                "replace_original": replace}
        response = hook.send_dict(body)
        if response.status_code == 429:
            raise RateLimited("response_url: rate limited", retry_after(response.headers, 1.0))
        if response.status_code >= 500:
            raise RetryLater(f"response_url: {response.status_code}", 5.0)
        if response.status_code >= 400:
            raise DeliveryFailed(f"response_url: {response.status_code} {str(response.body)[:80]}")


def sender(settings: SlackSettings, tokens: Tokens, links: Permalinks | None = None, patient: bool = True) -> SlackSend:
    """The Slack port: ``patient`` for replies to events (rate limits waited out for up to :data:`PATIENCE`),
    else the scheduler's (one retry, then :class:`RetryLater`, so that it paces itself)."""
    if patient:
        return SlackSend(settings, tokens, links, patience=PATIENCE, rate_limit_retries=RATE_LIMIT_RETRIES)
    return SlackSend(settings, tokens, links)
