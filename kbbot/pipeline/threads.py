"""Where a question's thread is on its platform, for an adapter that lets people name a question by number.

Message ids belong to the platform; question numbers (``Q3``) to the core, and
they outlive any one session. A platform whose own message numbers do not
last (the console numbers messages from 1 every time it starts) lets people
answer an earlier question by its number, and needs the thread its card
started. Read-only; like :mod:`kbbot.pipeline.addresses`, adapters call this
and never the model, so the schema stays the core's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.contract.replies import MessageRef
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Person, Question, Workspace
from kbbot.store.visibility import visible_questions


def question_thread(sessions: sessionmaker[Session], platform: str, workspace_id: str,
                    question_id: int, viewer_id: str) -> MessageRef | None:
    """The conversation and thread where replies to question ``question_id`` become answers.

    None when there is no such question in that workspace of that platform,
    its card was never posted (so there is no thread to answer in), or the
    person ``viewer_id`` may not see it: a number must not open a private
    channel's question to someone outside it.
    """
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace).where(Workspace.platform == platform,
                                                         Workspace.external_id == workspace_id)).first()
        if space is None:
            return None
        # Someone kbbot has not met yet is in no private conversation it knows of: a stand-in, never stored.
        viewer = session.scalars(select(Person).where(Person.workspace_id == space.id,
                                                      Person.external_id == viewer_id)).first() \
            or Person(id=-1, workspace_id=space.id, external_id=viewer_id)
        row = session.execute(
            select(Conversation.external_id, Question.message_id)
            .join(Conversation, Question.conversation_id == Conversation.id)
            .join(Workspace, Question.workspace_id == Workspace.id)
            .where(Question.id == question_id, Question.message_id.is_not(None), visible_questions(viewer),
                   Workspace.platform == platform, Workspace.external_id == workspace_id)).first()
    if row is None:
        return None
    return MessageRef(conversation_id=row.external_id, message_id=row.message_id)
