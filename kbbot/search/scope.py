"""Who may see which shared post, and what every person of a workspace may see, built on :mod:`kbbot.store.visibility`.

Questions are filtered by ``visible_questions`` itself. A shared post is
visible when it was shared in a conversation the viewer may see; a post kept
"just for me" (no conversation) is visible to its author only.

The *public* knowledge of a workspace (questions and posts of its public
channels) is what anyone in it may see. Ranking statistics are taken from it
alone (:mod:`kbbot.search.statistics`), so nothing a person cannot see can
change what they see.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, or_, select

from kbbot.store.visibility import listed_questions, visible_conversations
from kbbot.store.models import Conversation, ConversationKind, Person, Question, SharedPost


def visible_posts(viewer: Person) -> ColumnElement[bool]:
    """A filter on :class:`SharedPost` rows: true for those ``viewer`` may see."""
    return or_(
        and_(SharedPost.conversation_id.is_(None), SharedPost.author_id == viewer.id),
        SharedPost.conversation_id.in_(select(Conversation.id).where(visible_conversations(viewer))),
    )


def public_conversations(workspace_id: int) -> Select[tuple[int]]:
    """Ids of the conversations anyone in the workspace may see: what ``visible_conversations`` gives a non-member."""
    return select(Conversation.id).where(Conversation.workspace_id == workspace_id,
                                         Conversation.kind == ConversationKind.CHANNEL)


def public_questions_in(workspace_id: int) -> ColumnElement[bool]:
    """A filter on :class:`Question` rows: true for those everyone in the workspace may see."""
    return and_(listed_questions(), Question.conversation_id.in_(public_conversations(workspace_id)))


def public_posts_in(workspace_id: int) -> ColumnElement[bool]:
    """A filter on :class:`SharedPost` rows: true for those everyone in the workspace may see."""
    return SharedPost.conversation_id.in_(public_conversations(workspace_id))
