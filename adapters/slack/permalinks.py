"""Links from a listed question to its Slack message (``chat.getPermalink``), cached.

The core lists questions as :class:`~kbbot.contract.replies.Item` entries and,
before the reply reaches the adapter, fills in ``posted``: the channel and
``ts`` of the message the question lives in. Only Slack knows how to link to
a message, so this module asks it, once per message and process. A question
the link cannot be found for is simply listed without a link.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from kbbot.contract.replies import Item, ListBlock, MessageRef, Reply
from kbbot_adapters.slack.bounded import Bounded

log = logging.getLogger(__name__)


CACHED = 50_000
"""Permalinks a process remembers (they never change while the message exists)."""


class Permalinks:
    """Fills ``Item.link`` for listed questions that were posted on Slack. Thread-safe."""

    def __init__(self) -> None:
        self._known: Bounded[tuple[str, str], str] = Bounded(CACHED)

    def fill(self, client: WebClient, reply: Reply) -> Reply:
        """``reply`` with a link on every listed item whose message is known and linkable."""
        if not any(isinstance(b, ListBlock) for b in reply.blocks):
            return reply
        filled = [ListBlock(items=[self._item(client, i) for i in b.items]) if isinstance(b, ListBlock) else b
                  for b in reply.blocks]
        return reply.model_copy(update={"blocks": filled})

    def _item(self, client: WebClient, item: Item) -> Item:
        if item.link or item.posted is None:
            return item
        link = self.link(client, item.posted)
        return item.model_copy(update={"link": link}) if link else item

    def link(self, client: WebClient, message: MessageRef) -> str | None:
        key = (message.conversation_id, message.message_id)
        known = self._known.get(key)
        if known is not None:
            return known
        try:
            link = client.chat_getPermalink(channel=message.conversation_id,
                                            message_ts=message.message_id).get("permalink")
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("no permalink for %s/%s: %s", message.conversation_id, message.message_id, error)
            return None
        if link:
            self._known.put(key, link)
        return link
