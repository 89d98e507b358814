"""Who to invite to a question, best first, the way a thoughtful colleague would choose.

The score starts from expertise on the question's tags (declared, accepted
and upvoted answers, shared posts: :func:`kbbot.services.expertise.rank`),
plus half the expertise on the tags of similar answered questions the
question's audience may see (searched for when the question's own tags
name fewer people than wanted). It is then weighed by how often the person
answered when invited before, whether they were active lately, how often
they said "not me" to these tags, and whether it is working time for them
now; finally divided by the pings they already had this week, so the load
spreads over equally good people instead of always landing on the top one.

Never the asker, nobody deactivated, removed from kbbot, opted out
(``pings 0``) or already invited to this question; for a question in a
private conversation only its members; nobody whose budget is spent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kbbot.store.visibility import may_be_invited

from kbbot.presentation.cards import name
from kbbot.routing import budget
from kbbot.routing.policy import Policy
from kbbot.services import expertise, search
from kbbot.store.models import (
    Activity,
    Answer,
    ConversationKind,
    Invitation,
    InvitationState,
    Person,
    Question,
    QuestionTag,
)

RELATED_WEIGHT = 0.5
"""Expertise on the tags of similar answered questions counts half as much as on the question's own tags."""
SIMILAR_QUESTIONS = 5
RECENT = timedelta(days=30)
IDLE_FACTOR = 0.8
OFF_HOURS_FACTOR = 0.9
LOAD_WEIGHT = 0.5
SHOWN = (InvitationState.SENT, InvitationState.CLAIMED, InvitationState.DECLINED, InvitationState.SNOOZED)


@dataclass(frozen=True)
class Candidate:
    """Someone worth inviting, with what the score was made of (shown in logs and tests, never to others)."""

    person: Person
    score: float
    expertise: float
    answer_rate: float
    declines: int
    pings_used: int
    budget: int
    period: str
    working_now: bool


def audience_can_see(question: Question) -> bool:
    """Whether the question lives where everyone in the workspace may read it (a public channel)."""
    return question.conversation.kind is ConversationKind.CHANNEL


def _related_tags(session: Session, question: Question) -> list[str]:
    """Tags of similar answered questions its whole audience may see (never a private channel's elsewhere)."""
    own = {tag.name for tag in question.tags}
    try:
        hits = search.search(session, question.asker, question.text, limit=SIMILAR_QUESTIONS, answered_only=True)
    except Exception:  # a search index being rebuilt must not stop a question from reaching people
        return []
    found: list[str] = []
    for hit in hits:
        other = hit.question
        if other.id == question.id:
            continue
        if other.conversation.kind is not ConversationKind.CHANNEL and other.conversation_id != question.conversation_id:
            continue
        found.extend(tag.name for tag in other.tags if tag.name not in own and tag.name not in found)
    return found


def answer_rates(session: Session, person_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{person: (invitations shown, of those answered)}``: how people respond when kbbot asks them."""
    if not person_ids:
        return {}
    shown = Counter(dict(session.execute(
        select(Invitation.person_id, func.count()).where(Invitation.person_id.in_(person_ids),
                                                        Invitation.state.in_(SHOWN))
        .group_by(Invitation.person_id)).all()))
    answered = Counter(dict(session.execute(
        select(Invitation.person_id, func.count(func.distinct(Invitation.id)))
        .join(Answer, (Answer.question_id == Invitation.question_id) & (Answer.author_id == Invitation.person_id))
        .where(Invitation.person_id.in_(person_ids), Invitation.state.in_(SHOWN), Answer.deleted_at.is_(None))
        .group_by(Invitation.person_id)).all()))
    return {person_id: (shown[person_id], answered[person_id]) for person_id in person_ids}


def _declines(session: Session, person_ids: list[int], tag_ids: list[int]) -> Counter[int]:
    if not person_ids or not tag_ids:
        return Counter()
    return Counter(dict(session.execute(
        select(Invitation.person_id, func.count(func.distinct(Invitation.id)))
        .join(QuestionTag, QuestionTag.question_id == Invitation.question_id)
        .where(Invitation.person_id.in_(person_ids), Invitation.state == InvitationState.DECLINED,
               QuestionTag.tag_id.in_(tag_ids))
        .group_by(Invitation.person_id)).all()))


def candidates(session: Session, question: Question, policy: Policy, now: datetime,
               limit: int = 20) -> list[Candidate]:
    """People to invite to ``question``, best first, each still within their budget."""
    where = question.conversation
    private = where.kind is not ConversationKind.CHANNEL
    tag_names = [tag.name for tag in question.tags]
    already = set(session.scalars(select(Invitation.person_id).where(Invitation.question_id == question.id)))
    exclude = [question.asker_id, *already]
    scope = expertise.audience_scope(where.id)
    members_of = where.id if private else None
    points: dict[int, float] = defaultdict(float)
    people: dict[int, Person] = {}
    if tag_names:
        for ranked in expertise.rank(session, question.asker, tag_names, limit=10_000, exclude=exclude,
                                     members_of=members_of, scope=scope):
            points[ranked.person.id] += ranked.score
            people[ranked.person.id] = ranked.person
    # Similar answered questions widen the pool where the question's own tags name too few people (or
    # none: an untagged question); where they already name plenty, the search would only add people ranked
    # below them, at the cost of a search per question.
    related = _related_tags(session, question) if len(points) < limit else []
    if related:
        for ranked in expertise.rank(session, question.asker, related, limit=10_000, exclude=exclude,
                                     members_of=members_of, scope=scope):
            points[ranked.person.id] += RELATED_WEIGHT * ranked.score
            people[ranked.person.id] = ranked.person
    # Never someone who left, or a guest where they cannot read the question (kbbot/store/visibility.py).
    people = {pid: p for pid, p in people.items() if may_be_invited(session, p, where)}
    if not people:
        return []
    ids = list(people)
    budgets = budget.budgets(session, ids, policy.pings_per_week)
    ids = [pid for pid in ids if budgets[pid] > 0]
    periods = {pid: policy.hours(people[pid].timezone).week_of(
        policy.hours(people[pid].timezone).next_working(now)) for pid in ids}
    used = budget.used(session, ids, periods)
    rates = answer_rates(session, ids)
    declines = _declines(session, ids, [tag.id for tag in question.tags])
    active = set(session.scalars(select(Activity.person_id).where(Activity.person_id.in_(ids),
                                                                  Activity.created_at >= now - RECENT).distinct()))
    found: list[Candidate] = []
    for pid in ids:
        if used[pid] >= budgets[pid]:
            continue
        person = people[pid]
        shown, answered = rates[pid]
        rate = (answered + 1) / (shown + 2)
        working = policy.hours(person.timezone).is_working(now)
        score = points[pid] * (0.5 + rate) / (1 + declines[pid])
        score *= (1.0 if pid in active else IDLE_FACTOR) * (1.0 if working else OFF_HOURS_FACTOR)
        score /= 1 + LOAD_WEIGHT * used[pid]
        found.append(Candidate(person, score, points[pid], rate, declines[pid], used[pid], budgets[pid],
                               periods[pid], working))
    found.sort(key=lambda c: (-round(c.score, 6), c.pings_used, name(c.person).casefold(), c.person.id))
    return found[:limit]
