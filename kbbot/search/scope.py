"""Who may see which shared post, built on :mod:`kbbot.store.visibility`.

Questions are filtered by ``visible_questions`` itself. A shared post is
visible when it was shared in a conversation the viewer may see; a post kept
"just for me" (no conversation) is visible to its author only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select

from kbbot.store.visibility import visible_conversations
from kbbot.store.models import Conversation, Person, SharedPost


def visible_posts(viewer: Person) -> ColumnElement[bool]:
    """A filter on :class:`SharedPost` rows: true for those ``viewer`` may see."""
    return or_(
        and_(SharedPost.conversation_id.is_(None), SharedPost.author_id == viewer.id),
        SharedPost.conversation_id.in_(select(Conversation.id).where(visible_conversations(viewer))),
    )
