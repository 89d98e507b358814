"""Weekly digests: a channel's week and a person's week, as core replies.

A digest is built for one recipient and one window of time and returns
``None`` when it has nothing worth saying, so an empty digest is never sent.

Privacy: the personal digest selects questions only through
:func:`kbbot.store.visibility.visible_questions` for its reader (also for
the reader's own questions: someone who left a private channel no longer
hears from it). The channel digest only ever reads the one conversation it is
posted into, plus working-out-loud posts explicitly shared with it; its
readers are that conversation's members. Askers appear through
:func:`kbbot.presentation.cards.asker_label`, so anonymous stays anonymous, and flaggers
are never named.

Built for an operator's preview, the personal digest leaves out every trace of
the person's anonymous questions (the questions, their answers, their count
and the stage they brought): anonymous means anonymous in operator tools too,
and only the asker, in their own digest, sees such a question as theirs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, selectinload

from kbbot.presentation import cards
from kbbot.i18n import t
from kbbot.contract.replies import Actions, Block, Button, DirectMessage, Item, ListBlock, Post, Reply, Text
from kbbot.clock import as_utc
from kbbot.services import stats
from kbbot.services.home import unanswered_for
from kbbot.services.prompts import DIGEST_OFF, OPEN, THANKS
from kbbot.store.visibility import listed_questions, visible_questions
from kbbot.store.models import (
    Activity,
    Answer,
    Conversation,
    DeclaredExpertise,
    Flag,
    Person,
    Question,
    QuestionStatus,
    QuestionTag,
    SharedPost,
)

WAITING_LIMIT = 5
LIST_LIMIT = 8
HELPERS_LIMIT = 3


@dataclass(frozen=True)
class Window:
    """The half-open span ``[start, end)`` a digest reports on."""

    start: datetime
    end: datetime


def _open_button(locale: str, delivery_id: int, question_id: int) -> Button:
    return Button(label=t(locale, "digest.button.open"), action_id=OPEN, value=f"{delivery_id}:{question_id}")


def _capped(items: list[Item], total: int, locale: str) -> list[Item]:
    if total > len(items):
        return [*items, Item(text=t(locale, "digest.more", count=total - len(items)))]
    return items


def personal(session: Session, person: Person, window: Window, delivery_id: int = 0,
             operator: bool = False) -> Reply | None:
    """``person``'s digest: what waits for their expertise, what came back to them, where they stand.

    ``operator=True`` builds it for someone else's eyes (``kbbot digest preview``):
    the person's anonymous questions are then not theirs.
    """
    locale = person.locale
    say = lambda key, **params: t(locale, key, **params)  # noqa: E731
    blocks: list[Block] = [Text(text=say("digest.personal.heading", name=cards.name(person)), style="heading")]
    worth = False

    waiting = waiting_for(session, person)
    if waiting:
        # Questions that were already waiting last week are worth listing, not worth a digest of their own.
        worth = any(as_utc(q.created_at) >= window.start for q in waiting)
        blocks += [Text(text=say("digest.personal.waiting"), style="heading"), ListBlock(items=[
            cards.hit_item(q, None, locale, buttons=[_open_button(locale, delivery_id, q.id)]) for q in waiting])]

    own = [Question.asker_id == person.id, *([Question.is_anonymous.is_(False)] if operator else [])]
    new_answers = list(session.scalars(
        select(Answer).join(Question, Question.id == Answer.question_id)
        .where(*own, visible_questions(person), Answer.author_id != person.id,
               Answer.deleted_at.is_(None), Answer.created_at >= window.start, Answer.created_at < window.end)
        .options(selectinload(Answer.author), selectinload(Answer.question))
        .order_by(Answer.created_at)))
    if new_answers:
        worth = True
        by_question: dict[int, list[Answer]] = {}
        for answer in new_answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        items = [Item(text=f"[Q{qid}] {cards.snippet(answers[0].question.text, 200)}",
                      detail=" · ".join(f"{say('digest.answer_from', author=cards.name(a.author))}: "
                                        f"{cards.snippet(a.text, 160)}" for a in answers[:3]),
                      buttons=[_open_button(locale, delivery_id, qid)])
                 for qid, answers in list(by_question.items())[:LIST_LIMIT]]
        blocks += [Text(text=say("digest.personal.new_answers"), style="heading"),
                   ListBlock(items=_capped(items, len(by_question), locale))]

    recognition = _recognition(session, person, window, locale)
    if recognition:
        worth = True
        blocks += [Text(text=say("digest.personal.recognition"), style="heading"), ListBlock(items=recognition)]

    if not worth:
        return None
    figures = stats.for_person(session, person, with_anonymous_asking=not operator)
    blocks += [
        Text(text=say("digest.personal.stage", stage=say(f"stage.{figures.stage}"), questions=figures.questions,
                      answers=figures.answers, accepted=figures.accepted_answers)),
        Text(text=say(f"stage.next.{figures.stage}"), style="context"),
        Actions(buttons=[Button(label=say("digest.button.thanks"), action_id=THANKS, value=str(delivery_id)),
                         Button(label=say("digest.button.digest_off"), action_id=DIGEST_OFF, value="")]),
    ]
    heading = say("digest.personal.heading", name=cards.name(person))
    return Reply(text=heading, blocks=blocks, to=DirectMessage(person_id=person.external_id), locale=locale)


def waiting_for(session: Session, person: Person, limit: int = WAITING_LIMIT) -> list[Question]:
    """Open questions waiting for ``person``'s expertise (the same list their home shows)."""
    return unanswered_for(session, person, limit)


def _recognition(session: Session, person: Person, window: Window, locale: str) -> list[Item]:
    """The person's answers accepted by someone else, or flagged, during the window."""
    # Start from the person's own answers (indexed by author) and check visibility on the joined
    # question, so the database never has to list every question the person may see.
    mine = (Answer.author_id == person.id, Answer.deleted_at.is_(None), visible_questions(person))
    # Only the asker accepts, so the acceptance is found among the asker's own activities (indexed).
    accepted_now = exists().where(Activity.person_id == Question.asker_id, Activity.kind == "accepted",
                                  Activity.subject_id == Answer.id, Activity.created_at >= window.start,
                                  Activity.created_at < window.end)
    accepted = list(session.scalars(
        select(Answer).join(Question, Question.id == Answer.question_id)
        .where(*mine, Answer.is_accepted, Question.asker_id != person.id, accepted_now)
        .options(selectinload(Answer.question)).order_by(Answer.id)))
    flagged = session.execute(
        select(Answer, Flag.kind).join(Question, Question.id == Answer.question_id)
        .join(Flag, Flag.answer_id == Answer.id)
        .where(*mine, Flag.created_at >= window.start, Flag.created_at < window.end)
        .options(selectinload(Answer.question)).order_by(Flag.id)).all()
    items = [Item(text=t(locale, "digest.personal.accepted", answer=cards.snippet(a.text, 160)),
                  detail=f"[Q{a.question_id}] {cards.snippet(a.question.text, 120)}") for a in accepted]
    seen: set[tuple[int, str]] = set()
    for answer, kind in flagged:
        if (answer.id, kind.value) in seen:
            continue
        seen.add((answer.id, kind.value))
        items.append(Item(text=t(locale, "digest.personal.flagged", kind=t(locale, f"digest.flag.{kind.value}"),
                                 answer=cards.snippet(answer.text, 160)),
                          detail=f"[Q{answer.question_id}] {cards.snippet(answer.question.text, 120)} · "
                                 f"{t(locale, 'digest.personal.flag_hint')}"))
    return items[:LIST_LIMIT]


def channel(session: Session, conversation: Conversation, locale: str, window: Window,
            delivery_id: int = 0) -> Reply | None:
    """The week of one channel, posted into that channel: only its own questions and posts shared with it."""
    say = lambda key, **params: t(locale, key, **params)  # noqa: E731
    here = and_(Question.conversation_id == conversation.id, listed_questions())
    in_window = (Question.created_at >= window.start, Question.created_at < window.end)
    loading = (selectinload(Question.tags), selectinload(Question.answers), selectinload(Question.asker),
               selectinload(Question.conversation))
    new_total = session.scalar(select(func.count()).select_from(Question).where(here, *in_window)) or 0
    new = list(session.scalars(select(Question).where(here, *in_window).options(*loading)
                               .order_by(Question.created_at).limit(LIST_LIMIT)))
    accepted = list(session.scalars(
        select(Answer).join(Activity, Activity.subject_id == Answer.id)
        .join(Question, Question.id == Answer.question_id)
        .where(here, Answer.is_accepted, Answer.deleted_at.is_(None), Activity.kind == "accepted",
               Activity.created_at >= window.start, Activity.created_at < window.end)
        .options(selectinload(Answer.author), selectinload(Answer.question)).order_by(Answer.id).distinct()
        .limit(LIST_LIMIT)))
    posts = list(session.scalars(
        select(SharedPost).where(SharedPost.conversation_id == conversation.id,
                                 SharedPost.created_at >= window.start, SharedPost.created_at < window.end)
        .options(selectinload(SharedPost.author), selectinload(SharedPost.tags))
        .order_by(SharedPost.created_at).limit(LIST_LIMIT)))
    helpers = _helpers(session, conversation, window)
    if not (new or accepted or posts or helpers):
        return None
    waiting = list(session.scalars(
        select(Question).where(here, Question.status == QuestionStatus.OPEN, Question.created_at < window.start)
        .options(*loading).order_by(Question.created_at.desc()).limit(WAITING_LIMIT)))

    name = conversation.name or conversation.external_id
    heading = say("digest.channel.heading", channel=name)
    blocks: list[Block] = [Text(text=heading, style="heading")]
    if new:
        blocks += [Text(text=say("digest.channel.new_questions"), style="heading"), ListBlock(items=_capped(
            [cards.hit_item(q, None, locale, buttons=[_open_button(locale, delivery_id, q.id)]) for q in new],
            new_total, locale))]
    if accepted:
        blocks += [Text(text=say("digest.channel.accepted"), style="heading"), ListBlock(items=[
            Item(text=f"[Q{a.question_id}] {cards.snippet(a.question.text, 200)}",
                 detail=t(locale, "hit.accepted", answer=cards.snippet(a.text, 160), author=cards.name(a.author)),
                 buttons=[_open_button(locale, delivery_id, a.question_id)]) for a in accepted])]
    if waiting:
        blocks += [Text(text=say("digest.channel.unanswered"), style="heading"), ListBlock(items=[
            cards.hit_item(q, None, locale, buttons=[_open_button(locale, delivery_id, q.id)]) for q in waiting])]
    if posts:
        blocks += [Text(text=say("digest.channel.posts"), style="heading"), ListBlock(items=[
            Item(text=cards.snippet(p.text), detail=" · ".join(
                [say("digest.post_by", author=cards.name(p.author)), *(f"#{tag.name}" for tag in p.tags)]))
            for p in posts])]
    if helpers:
        blocks.append(Text(text=say("digest.channel.helpers", names=", ".join(cards.name(p) for p in helpers)),
                           style="context"))
    blocks.append(Actions(buttons=[Button(label=say("digest.button.thanks"), action_id=THANKS,
                                          value=str(delivery_id))]))
    return Reply(text=heading, blocks=blocks, to=Post(conversation_id=conversation.external_id), locale=locale)


def _helpers(session: Session, conversation: Conversation, window: Window) -> list[Person]:
    """Who answered most in this channel during the window; an accepted answer counts double.

    Answers to a withdrawn question are left out: the digest never points at
    what its asker took back, not even by thanking whoever answered it.
    """
    rows = session.execute(
        select(Answer.author_id, Answer.is_accepted, Question.asker_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.conversation_id == conversation.id, listed_questions(), Answer.deleted_at.is_(None),
               Answer.created_at >= window.start, Answer.created_at < window.end)).all()
    score: Counter[int] = Counter()
    for author_id, is_accepted, asker_id in rows:
        if author_id != asker_id:
            score[author_id] += 2 if is_accepted else 1
    if not score:
        return []
    people = {p.id: p for p in session.scalars(select(Person).where(
        Person.id.in_(score), Person.is_active, Person.is_bot.is_(False)))}
    ranked = sorted(people, key=lambda pid: (-score[pid], cards.name(people[pid]).casefold()))
    return [people[pid] for pid in ranked[:HELPERS_LIMIT]]
