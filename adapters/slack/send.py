"""Core replies → Slack Web API calls, for both event replies and the scheduler's sends.

One path for every reply: a public post (``chat.postMessage``, in a thread
where asked), a question card replaced in place (``chat.update`` on the
channel and ``ts`` recorded when it was posted), an ephemeral (through the
event's ``response_url`` when the person is the one who acted, which also
works where the bot is not a channel member; ``chat.postEphemeral``
otherwise), a direct message, or the App Home (``views.publish``). After
posting a reply that carries an anchor the message ``ts`` is recorded with
:func:`kbbot.services.asking.record_posted`, which is how replies in the
question's thread become answers.

Failures are classified once, for the scheduler's :class:`~kbbot.contract.outbound.Outbound`
contract: :class:`RetryLater` when Slack is busy or unreachable,
:class:`DeliveryFailed` when retrying cannot help.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.i18n import t
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import Reply, Text
from kbbot.services.asking import record_posted
from kbbot.store.db import unit_of_work
from kbbot.store.models import Question
from kbbot_adapters.slack import render as blocks, permalinks
from kbbot.pipeline.gate import AckFirstGate
from kbbot_adapters.slack.clients import ConnectionRetry, RateLimitRetry, retry_after

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


class RateLimited(RetryLater):
    """Slack refused the call with 429: nothing was posted, so sending again is safe."""


class NotInChannel(DeliveryFailed):
    """kbbot is not a member of the channel (a private one, or a public one it could not join)."""


_NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found"})


@dataclass(frozen=True)
class Origin:
    """Where the inbound event came from, so replies to the person who acted take the best route."""

    user_id: str | None = None
    channel_id: str | None = None
    response_url: str | None = None
    # The clicked message was an ephemeral one of ours: "replace the original" may replace it.
    replaceable: bool = False


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


class Delivery:
    """Sends replies in one workspace with one bot token."""

    def __init__(self, client: WebClient, sessions: sessionmaker[Session], links: permalinks.Permalinks,
                 gate: AckFirstGate | None = None) -> None:
        self.client = client
        self.sessions = sessions
        self.links = links
        self.gate = gate or AckFirstGate(exclusive=False, max_patience=0)

    # Logs name where a reply went, never what it said: it may come from a private channel.
    def explain_not_in_channel(self, reply: Reply, origin: Origin) -> None:
        """Tell the person who asked why nothing appeared, rather than leaving them waiting."""
        if not origin.response_url or reply.conversation_id != origin.channel_id or reply.is_ephemeral:
            return
        note = t(reply.locale, "slack.not_in_channel")
        try:
            self._respond(origin.response_url, Reply(text=note, blocks=[Text(text=note)], locale=reply.locale),
                          replace=False)
        except (RetryLater, DeliveryFailed, SlackClientError, URLError, OSError) as error:
            log.warning("could not explain a failed post to %s: %s", origin.user_id, error)

    def send_patiently(self, reply: Reply, origin: Origin, posted: dict[int, str]) -> str | None:
        """Keep honouring ``Retry-After`` through a long 429 storm; other failures are final."""
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                return self.send(reply, origin, posted)
            except RateLimited as error:
                if time.monotonic() + error.retry_after > deadline:
                    raise
                time.sleep(error.retry_after)

    def send(self, reply: Reply, origin: Origin = Origin(), posted: dict[int, str] | None = None) -> str | None:
        """Deliver one reply; the posted message's ``ts`` where there is one."""
        posted = posted if posted is not None else {}
        reply = self.links.fill(self.client, reply)
        try:
            if reply.home_of:
                self.client.views_publish(user_id=reply.home_of, view=blocks.home_view(reply))
                return None
            if reply.ephemeral_to:
                return self._ephemeral(reply, origin)
            if reply.dm_to:
                return self._post(reply, reply.dm_to, None)
            if reply.replaces is not None:
                return self._update(reply, posted)
            thread = reply.thread_id
            if reply.in_thread_of is not None:
                thread = posted.get(reply.in_thread_of.id) or self._posted_before(reply.in_thread_of.id)
                if thread is None:
                    raise DeliveryFailed(f"question {reply.in_thread_of.id} was never posted; no thread to reply in")
            ts = self._post(reply, reply.conversation_id or "", thread)
        except (SlackApiError, SlackClientError, URLError, OSError) as error:
            raise classify(error, "slack") from error
        if reply.anchor is not None and ts:
            posted[reply.anchor.id] = ts
            try:
                with self.gate.patient(), unit_of_work(self.sessions) as session:
                    record_posted(session, reply.anchor, ts)
            except SQLAlchemyError:
                # Posted all the same: sending it again would show the card twice. Answers in its
                # thread are not recognised until it is recorded, which the log says.
                log.exception("question %s posted as %s but not recorded", reply.anchor.id, ts)
        return ts

    def _posted_before(self, question_id: int) -> str | None:
        """The ``ts`` recorded for an anchor sent earlier (the scheduler and the sweep send a batch one by one)."""
        with unit_of_work(self.sessions) as session:
            question = session.get(Question, question_id)
            return question.message_id if question is not None else None

    def _update(self, reply: Reply, posted: dict[int, str]) -> str:
        """``chat.update`` of the card posted for ``reply.replaces``; never a second card instead."""
        assert reply.replaces is not None
        ts = posted.get(reply.replaces.id) or self._posted_before(reply.replaces.id)
        if ts is None:
            raise DeliveryFailed(f"question {reply.replaces.id} has no posted card to update")
        self.client.chat_update(channel=reply.conversation_id or "", ts=ts, text=blocks.fallback(reply),
                                blocks=blocks.render(reply))
        return ts

    def _post(self, reply: Reply, channel: str, thread_ts: str | None) -> str | None:
        """``chat.postMessage``; a public channel kbbot was not invited to is joined first, once."""
        message = {"channel": channel, "text": blocks.fallback(reply), "blocks": blocks.render(reply),
                   "thread_ts": thread_ts, "unfurl_links": False, "unfurl_media": False}
        try:
            return self.client.chat_postMessage(**message).get("ts")
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel" or not channel.startswith("C"):
                raise
        try:
            self.client.conversations_join(channel=channel)  # fails for private channels: they need an invite
        except SlackApiError:
            raise NotInChannel(f"slack: not_in_channel {channel}") from None
        return self.client.chat_postMessage(**message).get("ts")

    def _ephemeral(self, reply: Reply, origin: Origin) -> str | None:
        same_person = reply.ephemeral_to == origin.user_id and reply.conversation_id == origin.channel_id
        if origin.response_url and same_person:
            try:
                self._respond(origin.response_url, reply, replace=reply.replace_original and origin.replaceable)
                return None
            except DeliveryFailed as error:  # expired (30 minutes) or used up (5 uses): the Web API still works
                log.info("response_url refused (%s); sending the ephemeral through the Web API", error)
        channel = reply.conversation_id or reply.ephemeral_to or ""
        if channel == reply.ephemeral_to:
            # A click in App Home has no channel: the person's DM with the bot is theirs alone.
            return self._post(reply, reply.ephemeral_to, None)
        response = self.client.chat_postEphemeral(channel=channel, user=reply.ephemeral_to,
                                                  text=blocks.fallback(reply), blocks=blocks.render(reply))
        return response.get("message_ts")

    def _respond(self, url: str, reply: Reply, replace: bool) -> None:
        hook = WebhookClient(url, timeout=10, retry_handlers=[ConnectionRetry(), RateLimitRetry()])
        body = {"text": blocks.fallback(reply), "blocks": blocks.render(reply), "response_type": "ephemeral",
                "replace_original": replace}
        response = hook.send_dict(body)
        if response.status_code == 429:
            raise RateLimited("response_url: rate limited", retry_after(response.headers, 1.0))
        if response.status_code >= 500:
            raise RetryLater(f"response_url: {response.status_code}", 5.0)
        if response.status_code >= 400:
            raise DeliveryFailed(f"response_url: {response.status_code} {str(response.body)[:80]}")
