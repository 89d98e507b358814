"""How a shared working-out-loud post looks as a search result.

Questions keep their look from :func:`kbbot.presentation.cards.hit_item`; a post needs its
own, because it has an author instead of an asker and may be a "just for me"
note that must say so (it is only ever listed for its author).
"""

from __future__ import annotations

from kbbot.presentation import cards
from kbbot.i18n import t
from kbbot.contract.replies import Item
from kbbot.store.models import SharedPost


def post_item(post: SharedPost, locale: str) -> Item:
    """A post as one list entry: its text, who shared it where (or that it is private), its week and tags."""
    if post.conversation is None:
        parts = [t(locale, "search.post_private")]
    else:
        channel = f"#{post.conversation.name or post.conversation.external_id}"  # posts are shared to channels
        parts = [t(locale, "search.post_shared", author=cards.name(post.author, locale), channel=channel)]
    if post.period:
        parts.append(t(locale, "search.post_week", week=post.period))
    if post.tags:
        parts.append(" ".join(f"#{tag.name}" for tag in post.tags))
    return Item(text=cards.snippet(post.text, 200), detail=" · ".join(parts))
