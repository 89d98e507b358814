"""Who knows what: declared expertise plus expertise earned by answering.

Earned expertise counts answers that were accepted or upvoted, on questions
the viewer may see: a ranking never reveals activity in a private channel to
someone outside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from kbbot.presentation.cards import name
from kbbot.services import tagging
from kbbot.services.directory import get_or_create
from kbbot.store.visibility import listed_questions, visible_conversations, visible_questions
from kbbot.store.models import (
    Answer,
    Conversation,
    ConversationKind,
    DeclaredExpertise,
    Membership,
    Person,
    Question,
    QuestionTag,
    SharedPost,
    SharedPostTag,
    Tag,
    Vote,
)

DECLARED_POINTS = 3
ACCEPTED_POINTS = 2
UPVOTE_POINTS = 1
SHARED_POST_POINTS = 1


@dataclass(frozen=True)
class ExpertRank:
    """Why someone is named an expert: what they declared and what colleagues found useful."""

    person: Person
    declared: bool
    accepted: int
    upvotes: int
    posts: int = 0  # working-out-loud posts shared with a channel, tagged with the topic

    @property
    def score(self) -> int:
        return (DECLARED_POINTS * self.declared + ACCEPTED_POINTS * self.accepted + UPVOTE_POINTS * self.upvotes
                + SHARED_POST_POINTS * self.posts)


def declare(session: Session, person: Person, names: Sequence[str], now: datetime) -> tuple[list[str], list[str]]:
    """Add declared tags; returns the canonical names added and those that were already declared."""
    tags = tagging.ensure(session, names)
    have = set(session.scalars(select(DeclaredExpertise.tag_id).where(DeclaredExpertise.person_id == person.id)))
    for tag in tags:
        if tag.id not in have:
            get_or_create(session, DeclaredExpertise, {"person_id": person.id, "tag_id": tag.id},
                          {"created_at": now})
    return [tag.name for tag in tags if tag.id not in have], [tag.name for tag in tags if tag.id in have]


def undeclare(session: Session, person: Person, names: Sequence[str]) -> list[str]:
    """Remove declared tags; returns the canonical names that were removed."""
    tags = [t for t in (tagging.find(session, n) for n in names) if t]
    removed = list(session.scalars(
        select(Tag.name).join(DeclaredExpertise, DeclaredExpertise.tag_id == Tag.id).where(
            DeclaredExpertise.person_id == person.id, Tag.id.in_([t.id for t in tags]))
    ))
    session.execute(delete(DeclaredExpertise).where(
        DeclaredExpertise.person_id == person.id, DeclaredExpertise.tag_id.in_([t.id for t in tags])))
    return removed


def declared(session: Session, person: Person) -> list[str]:
    """The tags a person says they know, as shown on their home and in ``/expertise list``."""
    return list(session.scalars(
        select(Tag.name).join(DeclaredExpertise, DeclaredExpertise.tag_id == Tag.id)
        .where(DeclaredExpertise.person_id == person.id).order_by(Tag.name)
    ))


def earned(session: Session, person: Person, viewer: Person | None = None) -> list[tuple[str, int]]:
    """Tags ``person`` earned by accepted answers (with their counts), as ``viewer`` may see them."""
    viewer = viewer or person
    rows = session.execute(
        select(Tag.name, func.count())
        .select_from(Answer)
        .join(QuestionTag, QuestionTag.question_id == Answer.question_id)
        .join(Tag, Tag.id == QuestionTag.tag_id)
        .where(Answer.author_id == person.id, Answer.is_accepted, Answer.deleted_at.is_(None),
               Answer.question_id.in_(_visible_ids(viewer)))
        .group_by(Tag.name).order_by(func.count().desc(), Tag.name)
    )
    return [(name, count) for name, count in rows]


def _visible_ids(viewer: Person) -> Select[tuple[int]]:
    return select(Question.id).where(visible_questions(viewer))


def audience_scope(conversation_id: int) -> Select[tuple[int]]:
    """Conversations whose knowledge everyone in ``conversation_id`` may see: public ones and itself.

    Experts named *in* a conversation are ranked on this, not on what the asker
    alone may see, or the mention would reveal private-channel activity.
    """
    return select(Conversation.id).where(
        or_(Conversation.kind == ConversationKind.CHANNEL, Conversation.id == conversation_id))


def rank(session: Session, viewer: Person, tag_names: Sequence[str], limit: int = 5,
         exclude: Sequence[int] = (), members_of: int | None = None,
         scope: Select[tuple[int]] | None = None) -> list[ExpertRank]:
    """People ranked by expertise in any of ``tag_names``, best first.

    Earned expertise counts only answers and shared posts in the
    conversations of ``scope`` (by default, those ``viewer`` may see; a
    "just for me" post never counts). ``members_of`` restricts to members of
    a conversation: experts brought into a private channel's question must
    already be able to read it.
    """
    tag_ids = [t.id for t in (tagging.find(session, n) for n in tag_names) if t]
    if not tag_ids:
        return []
    conversations = scope if scope is not None else select(Conversation.id).where(visible_conversations(viewer))
    visible = select(Question.id).where(Question.conversation_id.in_(conversations), listed_questions())
    live_answers = (Answer.deleted_at.is_(None), Answer.question_id.in_(visible))
    tagged = select(QuestionTag.question_id).where(QuestionTag.tag_id.in_(tag_ids))
    accepted = Counter(dict(session.execute(
        select(Answer.author_id, func.count()).where(Answer.is_accepted, Answer.question_id.in_(tagged), *live_answers)
        .group_by(Answer.author_id)).all()))
    upvotes = Counter(dict(session.execute(
        select(Answer.author_id, func.count()).join(Vote, Vote.answer_id == Answer.id)
        .where(Answer.question_id.in_(tagged), *live_answers).group_by(Answer.author_id)).all()))
    posts = Counter(dict(session.execute(
        select(SharedPost.author_id, func.count(func.distinct(SharedPost.id)))
        .join(SharedPostTag, SharedPostTag.post_id == SharedPost.id)
        .where(SharedPostTag.tag_id.in_(tag_ids), SharedPost.conversation_id.in_(conversations))
        .group_by(SharedPost.author_id)).all()))
    declared_by = set(session.scalars(
        select(DeclaredExpertise.person_id).where(DeclaredExpertise.tag_id.in_(tag_ids))))
    candidates = (set(accepted) | set(upvotes) | set(posts) | declared_by) - set(exclude)
    if not candidates:
        return []
    query = select(Person).where(Person.id.in_(candidates), Person.is_active, Person.is_bot.is_(False),
                                 Person.workspace_id == viewer.workspace_id)
    if members_of is not None:
        query = query.where(Person.id.in_(
            select(Membership.person_id).where(Membership.conversation_id == members_of)))
    ranks = [ExpertRank(p, p.id in declared_by, accepted[p.id], upvotes[p.id], posts[p.id])
             for p in session.scalars(query)]
    ranks.sort(key=lambda r: (-r.score, -r.accepted, name(r.person).casefold()))
    return ranks[:limit]


def known_tags(session: Session, person_ids: Sequence[int]) -> dict[int, set[int]]:
    """Each person's tags, declared or earned (an accepted answer on a question with the tag), by tag id.

    One query for many readers: what digests and the escalated questions' lists are picked by.
    """
    tags: dict[int, set[int]] = {}
    if not person_ids:
        return tags
    ids = list(person_ids)
    for person_id, tag_id in session.execute(
            select(DeclaredExpertise.person_id, DeclaredExpertise.tag_id).where(DeclaredExpertise.person_id.in_(ids))
            .union(select(Answer.author_id, QuestionTag.tag_id)
                   .join(QuestionTag, QuestionTag.question_id == Answer.question_id)
                   .where(Answer.author_id.in_(ids), Answer.is_accepted, Answer.deleted_at.is_(None)))):
        tags.setdefault(person_id, set()).add(tag_id)
    return tags
