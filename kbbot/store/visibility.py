"""The one place that decides who may see a question.

Every surface (search, suggestions, home, digests, exports for a person,
expert rankings) filters with :func:`visible_questions`, so a private
channel's knowledge never reaches someone outside it. A question its asker
withdrew is visible to no one (:func:`listed_questions`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from kbbot.store.models import Conversation, ConversationKind, Membership, Person, Question, QuestionStatus


def visible_conversations(viewer: Person) -> ColumnElement[bool]:
    """Conversations of the viewer's workspace that are public, or that the viewer is known to be in.

    A guest (a platform's guest account, such as a retired colleague kept as
    a guest expert) sees only the conversations they are a member of, public
    channels included: what the organisation says elsewhere is not theirs.
    """
    is_member = exists().where(
        Membership.conversation_id == Conversation.id, Membership.person_id == viewer.id
    )
    if viewer.is_guest:
        return and_(Conversation.workspace_id == viewer.workspace_id, is_member)
    return and_(
        Conversation.workspace_id == viewer.workspace_id,
        or_(Conversation.kind == ConversationKind.CHANNEL, is_member),
    )


def listed_questions() -> ColumnElement[bool]:
    """A filter on :class:`Question` rows: false for those their asker withdrew, which show nowhere."""
    return Question.status != QuestionStatus.WITHDRAWN


def visible_questions(viewer: Person) -> ColumnElement[bool]:
    """A filter on :class:`Question` rows: true for those ``viewer`` may see."""
    return and_(listed_questions(),
                Question.conversation_id.in_(select(Conversation.id).where(visible_conversations(viewer))))


def can_see(session: Session, viewer: Person, question: Question) -> bool:
    """Whether ``viewer`` may see ``question``: the single check behind every surface."""
    return session.scalar(
        select(Question.id).where(Question.id == question.id, visible_questions(viewer))
    ) is not None


def can_see_conversation(session: Session, viewer: Person, conversation: Conversation) -> bool:
    """Whether ``viewer`` may see what was said in ``conversation``."""
    return session.scalar(
        select(Conversation.id).where(Conversation.id == conversation.id, visible_conversations(viewer))
    ) is not None


def public_questions() -> ColumnElement[bool]:
    """Questions anyone in their workspace may see: those asked in public channels.

    What leaves kbbot without a viewer (an export) is limited to these unless
    an operator explicitly asks for more.
    """
    return and_(listed_questions(), Question.conversation_id.in_(
        select(Conversation.id).where(Conversation.kind == ConversationKind.CHANNEL)
    ))


def may_be_invited(session: Session, person: Person, where: Conversation) -> bool:
    """Whether ``person`` may be brought into a question asked in ``where``: the one rule for every invitation.

    Guests (a retired colleague kept as a guest expert) are as welcome as
    anyone on questions in their tags, but only where they can read the
    question: a conversation they are a member of (they see nothing else).
    Whoever left the organisation is never invited.
    """
    if person.left_at is not None or not person.is_active or person.is_bot or person.removed_at is not None:
        return False
    return not person.is_guest or can_see_conversation(session, person, where)
