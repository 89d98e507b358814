"""Links from chat to the web knowledge base: every question a reply lists opens its own page.

Where an operator has set the web address (``KBBOT_WEB_URL``), each list item
that stands for a question (a search result, a digest entry, a home entry)
gets ``link`` set to that question's page, and a question's card gets one
line linking to it. Adapters already render ``Item.link`` as the platform's
own link. The page decides who may read it (the core's visibility rule), so
a link forwarded to someone outside a private channel shows them nothing.

Called where replies leave the core, beside :func:`kbbot.presentation.people.by_name`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kbbot.contract.replies import Item, ListBlock, ReplaceCard, Reply
from kbbot.i18n import t

QUESTION_PATH = "/kb/q/{id}"


def question_url(base_url: str, question_id: int) -> str:
    """The address of a question's page under ``base_url`` (the server's public address)."""
    return base_url.rstrip("/") + QUESTION_PATH.format(id=question_id)


def with_links(replies: Sequence[Reply], base_url: str | None) -> list[Reply]:
    """``replies`` with every question they list linked to its page; unchanged when there is no web address."""
    if not base_url:
        return list(replies)
    return [_linked(reply, base_url) for reply in replies]


def _linked(reply: Reply, base_url: str) -> Reply:
    blocks = [block.model_copy(update={"items": [_item(item, base_url) for item in block.items]})
              if isinstance(block, ListBlock) else block for block in reply.blocks]
    card_of = reply.anchor.id if reply.anchor is not None else (
        reply.to.question_id if isinstance(reply.to, ReplaceCard) else None)
    if card_of is not None:
        blocks.append(ListBlock(items=[Item(text=t(reply.locale, "web.link.open_question"),
                                            link=question_url(base_url, card_of))]))
    return reply.model_copy(update={"blocks": blocks})


def _item(item: Item, base_url: str) -> Item:
    if item.question_id is None or item.link is not None:
        return item
    return item.model_copy(update={"link": question_url(base_url, item.question_id)})
