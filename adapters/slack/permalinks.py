"""Links from a listed question to its Slack message (``chat.getPermalink``), cached.

The core lists questions as :class:`~kbbot.contract.replies.Item` entries carrying
``question_id`` and leaves ``link`` empty, because only the platform knows how
to link to a message. This module finds the question's channel and ``ts`` in
the database and asks Slack for the permalink. A question the link cannot be
found for is simply listed without a link.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.contract.replies import Item, ListBlock, Reply
from kbbot.store.db import unit_of_work
from kbbot.store.models import Question
from kbbot_adapters.slack.bounded import Bounded

log = logging.getLogger(__name__)


CACHED = 50_000
"""Permalinks a process remembers (they never change while the message exists)."""


class Permalinks:
    """Fills ``Item.link`` for listed questions that were posted on Slack. Thread-safe."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._known: Bounded[int, str] = Bounded(CACHED)

    def fill(self, client: WebClient, reply: Reply) -> Reply:
        if not any(isinstance(b, ListBlock) for b in reply.blocks):
            return reply
        filled = [ListBlock(items=[self._item(client, i) for i in b.items]) if isinstance(b, ListBlock) else b
                  for b in reply.blocks]
        return reply.model_copy(update={"blocks": filled})

    def _item(self, client: WebClient, item: Item) -> Item:
        if item.link or item.question_id is None:
            return item
        link = self.link(client, item.question_id)
        return item.model_copy(update={"link": link}) if link else item

    def link(self, client: WebClient, question_id: int) -> str | None:
        known = self._known.get(question_id)
        if known is not None:
            return known
        with unit_of_work(self.sessions) as session:
            question = session.get(Question, question_id)
            where = (question.conversation.external_id, question.message_id) if question else None
        if where is None or where[1] is None:
            return None
        try:
            link = client.chat_getPermalink(channel=where[0], message_ts=where[1]).get("permalink")
        except (SlackApiError, SlackClientError, OSError) as error:
            log.warning("no permalink for question %s: %s", question_id, error)
            return None
        if link:
            self._known.put(question_id, link)
        return link
