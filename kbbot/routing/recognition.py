"""Where escalation shows in the digests: questions nobody answered go first, and those who took them are thanked.

A question that reached the ladder's last step (its asker was told nobody
answered) leads the "waiting for your expertise" list of every expert on its
tags in their next personal digest. The channel digest thanks the people who
picked up a question after the ladder had to escalate it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from kbbot.presentation import cards
from kbbot.services import expertise
from kbbot.store.models import (
    Answer,
    Conversation,
    ConversationKind,
    Invitation,
    InvitationState,
    Membership,
    Person,
    Question,
    QuestionStatus,
    RoutingStep,
)
from kbbot.store.visibility import listed_questions

TELL = 4
ESCALATED_FROM = 2
THANKED = 5


def escalated_first(session: Session, people: Sequence[Person], waiting: dict[int, list[Question]],
                    limit: int) -> dict[int, list[Question]]:
    """``waiting`` with each person's escalated questions (in their tags, visible to them) put first."""
    escalated = list(session.scalars(
        select(Question).join(RoutingStep, and_(RoutingStep.question_id == Question.id, RoutingStep.step == TELL))
        .where(Question.status == QuestionStatus.OPEN)
        .options(selectinload(Question.tags), selectinload(Question.answers), selectinload(Question.asker),
                 selectinload(Question.conversation))
        .order_by(Question.created_at.desc())))
    if not escalated or not people:
        return waiting
    ids = [p.id for p in people]
    tags = expertise.known_tags(session, ids)
    member = set(session.execute(select(Membership.person_id, Membership.conversation_id)
                                 .where(Membership.person_id.in_(ids))).all())
    answered = set(session.execute(select(Answer.author_id, Answer.question_id).where(
        Answer.author_id.in_(ids), Answer.question_id.in_([q.id for q in escalated]),
        Answer.deleted_at.is_(None))).all())
    result = dict(waiting)
    for person in people:
        mine = [q for q in escalated
                if q.workspace_id == person.workspace_id and q.asker_id != person.id
                and (person.id, q.id) not in answered and {t.id for t in q.tags} & tags.get(person.id, set())
                and (q.conversation.kind is ConversationKind.CHANNEL or (person.id, q.conversation_id) in member)]
        if mine:
            chosen = {q.id for q in mine}
            result[person.id] = (mine + [q for q in waiting.get(person.id, []) if q.id not in chosen])[:limit]
    return result


def escalation_takers(session: Session, conversation: Conversation, start: object, end: object) -> list[Person]:
    """Who, in ``[start, end)``, took or answered a question of ``conversation`` after the ladder escalated it."""
    escalated = select(RoutingStep.question_id).where(RoutingStep.step >= ESCALATED_FROM,
                                                      RoutingStep.outcome != "nobody")
    here = and_(Question.conversation_id == conversation.id, listed_questions(), Question.id.in_(escalated))
    answered = (select(Answer.author_id).join(Question, Question.id == Answer.question_id)
                .where(here, Answer.deleted_at.is_(None), Answer.author_id != Question.asker_id,
                       Answer.created_at >= start, Answer.created_at < end))
    took = (select(Invitation.person_id).join(Question, Question.id == Invitation.question_id)
            .where(here, Invitation.state == InvitationState.CLAIMED, Invitation.responded_at >= start,
                   Invitation.responded_at < end))
    people = session.scalars(select(Person).where(
        or_(Person.id.in_(answered), Person.id.in_(took)), Person.is_active, Person.is_bot.is_(False))).all()
    return sorted(people, key=lambda p: cards.name(p).casefold())[:THANKED]
