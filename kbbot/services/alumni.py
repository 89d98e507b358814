"""People who leave, and guests: knowledge should not leave with the people who retire.

When a platform says someone left (:class:`kbbot.contract.events.PersonChanged`
with ``left``), their answers stay exactly as written and credited to them;
only who *looks after* each answer moves, to the best remaining expert in its
question's tags who can read it (:func:`successor`). The new owner hears of
it in their weekly re-check batch (:mod:`kbbot.services.rechecks`), not in a
burst of messages the day someone leaves.

A guest account (``Person.is_guest``) stays a full expert on its tags but
sees only the conversations it is a member of (:mod:`kbbot.store.visibility`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kbbot.clock import as_utc

from kbbot.services import expertise
from kbbot.services.verification import care
from kbbot.store.models import Answer, AnswerCare, ConversationKind, Person, Question
from kbbot.store.visibility import can_see

CANDIDATES = 10
"""Experts considered per answer, best first, until one who can read the question is found."""


def left(session: Session, person: Person, now: datetime) -> int:
    """``person`` left: no more messages to them, and their answers find new owners; returns how many moved.

    Repeated (a platform's retry, a second replica) it changes nothing more:
    the answers already moved.
    """
    if person.left_at is None:
        person.left_at = now
    person.is_active = False
    session.flush()
    owned = list(session.scalars(
        select(Answer).outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id)
        .where(func.coalesce(AnswerCare.owner_id, Answer.author_id) == person.id, Answer.deleted_at.is_(None),
               AnswerCare.retired_at.is_(None))
        .options(selectinload(Answer.question).selectinload(Question.tags),
                 selectinload(Answer.question).selectinload(Question.conversation))
        .order_by(Answer.id)))
    moved = 0
    for answer in owned:
        heir = successor(session, answer, exclude=person.id)
        if heir is None:
            continue  # nobody left who knows the topic: it stays with them, and the report counts it
        row = care(session, answer)
        row.owner_id, row.owner_since, row.handed_over_because = heir.id, now, "left"
        moved += 1
    session.flush()
    return moved


def successor(session: Session, answer: Answer, exclude: int) -> Person | None:
    """The best remaining expert in the answer's question's tags who can read the question and has not left."""
    question = answer.question
    if not question.tags:
        return None
    where = question.conversation
    private = where.kind is not ConversationKind.CHANNEL
    ranked = expertise.rank(session, question.asker, [tag.name for tag in question.tags], limit=CANDIDATES,
                            exclude=[exclude], members_of=where.id if private else None,
                            scope=expertise.audience_scope(where.id))
    for rank in ranked:
        person = rank.person
        if person.left_at is None and person.is_active and not person.is_bot and can_see(session, person, question):
            return person
    return None


def returned(person: Person, at: datetime) -> bool:
    """The platform says ``person`` is there again (reactivated, added back) at ``at``: they hear from kbbot again.

    Only news newer than their departure counts: a profile change sent
    before it, delivered late, does not bring anyone back. Answers that found
    new owners meanwhile stay with them.
    """
    if person.left_at is None or as_utc(at) <= as_utc(person.left_at):
        return False
    person.left_at = None
    person.is_active = True
    return True
