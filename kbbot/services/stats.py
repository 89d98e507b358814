"""A person's own figures and where they stand: consuming, contributing or creating.

The stage is shown to the person themself as encouragement, never as a
league table of others.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kbbot.services.activity import CONSUMING, CONTRIBUTING, CREATING
from kbbot.store.visibility import listed_questions
from kbbot.store.models import Activity, Answer, Person, Question, SharedPost, Vote



@dataclass(frozen=True)
class PersonStats:
    questions: int
    answers: int
    accepted_answers: int
    upvotes_received: int
    consumed: int
    contributed: int
    created: int
    shared_posts: int = 0

    @property
    def stage(self) -> str:
        """Creating once others found an answer of yours useful (accepted or 3 upvotes) or you shared a post."""
        if self.accepted_answers or self.upvotes_received >= 3 or self.shared_posts:
            return "creating"
        if self.answers or self.contributed:
            return "contributing"
        return "consuming"


def for_person(session: Session, person: Person) -> PersonStats:
    """A person's figures, counted from the knowledge itself and the activity log.

    A question its asker withdrew no longer counts as asked; answers given to
    it still count for whoever gave them, since withdrawing is not theirs to undo.
    """
    kinds = dict(session.execute(
        select(Activity.kind, func.count()).where(Activity.person_id == person.id).group_by(Activity.kind)).all())
    live = (Answer.author_id == person.id, Answer.deleted_at.is_(None))
    return PersonStats(
        questions=session.scalar(select(func.count()).select_from(Question).where(
            Question.asker_id == person.id, listed_questions())) or 0,
        answers=session.scalar(select(func.count()).select_from(Answer).where(*live)) or 0,
        accepted_answers=session.scalar(select(func.count()).select_from(Answer).where(*live, Answer.is_accepted)) or 0,
        upvotes_received=session.scalar(
            select(func.count()).select_from(Vote).join(Answer, Answer.id == Vote.answer_id).where(*live)) or 0,
        consumed=sum(n for k, n in kinds.items() if k in CONSUMING),
        contributed=sum(n for k, n in kinds.items() if k in CONTRIBUTING),
        created=sum(n for k, n in kinds.items() if k in CREATING),
        shared_posts=session.scalar(select(func.count()).select_from(SharedPost).where(
            SharedPost.author_id == person.id, SharedPost.conversation_id.is_not(None))) or 0,
    )
