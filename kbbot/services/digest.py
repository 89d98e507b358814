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

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kbbot.presentation import cards
from kbbot.i18n import t
from kbbot.contract.replies import Actions, Block, Button, DirectMessage, Item, ListBlock, Post, Reply, Text
from kbbot.clock import as_utc
from kbbot.routing import recognition
from kbbot.services import expertise, rechecks, stats
from kbbot.services.home import unanswered_for
from kbbot.services.prompts import DIGEST_OFF, OPEN, THANKS
from kbbot.store.scheduling import Delivery
from kbbot.store.visibility import listed_questions
from kbbot.store.models import (
    Activity,
    Answer,
    Conversation,
    ConversationKind,
    Flag,
    FlagKind,
    Membership,
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


@dataclass(frozen=True)
class Recipient:
    """One personal digest to build: for whom, over which window, under which delivery (its buttons' value)."""

    person: Person
    window: Window
    delivery_id: int = 0


BATCH = 500
"""Recipients built together by :func:`personal_many`: memory follows this, not the number of people."""

PER_TAG = 60
"""Open questions read per tag for a batch's waiting lists; a reader who needs more is built alone (rare)."""


def personal(session: Session, person: Person, window: Window, delivery_id: int = 0,
             operator: bool = False) -> Reply | None:
    """``person``'s digest: what waits for their expertise, what came back to them, where they stand.

    ``operator=True`` builds it for someone else's eyes (``kbbot digest preview``):
    the person's anonymous questions are then not theirs. The same as
    :func:`personal_many` for one recipient.
    """
    return personal_many(session, [Recipient(person, window, delivery_id)], operator)[0]


def personal_many(session: Session, recipients: Sequence[Recipient], operator: bool = False,
                  verification_days: int = 180) -> list[Reply | None]:
    """Each recipient's personal digest (``None``: nothing worth saying), in the order given.

    Set-based: a fixed number of queries per :data:`BATCH` recipients, each
    reading only what changed in the batch's windows (answers, acceptances,
    flags) or what is open in the recipients' tags, joined to the recipients
    in bulk; every item is then held against its own reader's window and
    visibility, so a digest is exactly the one built for that person alone.
    """
    replies: list[Reply | None] = []
    for first in range(0, len(recipients), BATCH):
        replies += _personal_batch(session, recipients[first:first + BATCH], operator, verification_days)
    return replies


def _rechecks(session: Session, recipients: Sequence[Recipient], days: int) -> dict[int, list[Block]]:
    """The weekly re-check batch of each owner among ``recipients`` whose delivery takes this week's reminder.

    Inside the digest, so an owner hears of it once a week with everything
    else (:mod:`kbbot.services.rechecks`); a preview (no delivery) claims nothing.
    """
    wanted = [r for r in recipients if r.delivery_id]
    if not wanted:
        return {}
    periods: dict[int, str] = {delivery_id: period for delivery_id, period in session.execute(
        select(Delivery.id, Delivery.period).where(Delivery.id.in_([r.delivery_id for r in wanted])))}
    now = max(r.window.end for r in wanted)
    found = rechecks.batches(session, [r.person for r in wanted], now, days, own=list(periods))
    out: dict[int, list[Block]] = {}
    for recipient in wanted:
        batch = found.get(recipient.person.id)
        period = periods.get(recipient.delivery_id)
        if batch and period and rechecks.claim(session, recipient.person, period, recipient.delivery_id, now):
            out[recipient.person.id] = rechecks.blocks(batch, recipient.person.locale)
    return out


def _with_rechecks(recipient: Recipient, blocks: list[Block] | None, checks: list[Block] | None) -> list[Block] | None:
    """The digest's sections with the re-check batch after them; a batch alone is worth a digest too."""
    if not checks:
        return blocks
    if blocks is None:
        heading = t(recipient.person.locale, "digest.personal.heading", name=cards.name(recipient.person))
        blocks = [Text(text=heading, style="heading")]
    return [*blocks, *checks]


def _personal_batch(session: Session, recipients: Sequence[Recipient], operator: bool,
                    verification_days: int = 180) -> list[Reply | None]:
    if not recipients:
        return []
    people = {r.person.id: r.person for r in recipients}
    span = Window(min(r.window.start for r in recipients), max(r.window.end for r in recipients))
    waiting = recognition.escalated_first(session, list(people.values()),
                                          _waiting_many(session, list(people.values())), WAITING_LIMIT)
    answers = _new_answers_many(session, list(people), span, operator)
    accepted, flagged = _recognition_many(session, list(people), span)
    built = [(r, _personal_blocks(r, waiting.get(r.person.id, []), answers.get(r.person.id, []),
                                  accepted.get(r.person.id, []), flagged.get(r.person.id, [])))
             for r in recipients]
    checks = {} if operator else _rechecks(session, recipients, verification_days)
    built = [(r, _with_rechecks(r, blocks, checks.get(r.person.id))) for r, blocks in built]
    figures = _figures_many(session, {r.person.id for r, blocks in built if blocks is not None}, operator)
    replies: list[Reply | None] = []
    for recipient, blocks in built:
        if blocks is None:
            replies.append(None)
            continue
        person = recipient.person
        say = lambda key, **params: t(person.locale, key, **params)  # noqa: E731
        stage, questions, answered, accepted_count = figures[person.id]
        blocks += [
            Text(text=say("digest.personal.stage", stage=say(f"stage.{stage}"), questions=questions,
                          answers=answered, accepted=accepted_count)),
            Text(text=say(f"stage.next.{stage}"), style="context"),
            Actions(buttons=[Button(label=say("digest.button.thanks"), action_id=THANKS,
                                    value=str(recipient.delivery_id)),
                             Button(label=say("digest.button.digest_off"), action_id=DIGEST_OFF, value="")]),
        ]
        heading = say("digest.personal.heading", name=cards.name(person))
        replies.append(Reply(text=heading, blocks=blocks, to=DirectMessage(person_id=person.external_id),
                             locale=person.locale))
    return replies


def _within(moment: datetime, window: Window) -> bool:
    return window.start <= as_utc(moment) < window.end


def _personal_blocks(recipient: Recipient, waiting: list[Question], answers: list[Answer],
                     accepted: list[tuple[Answer, datetime]], flagged: list[tuple[Answer, FlagKind, datetime]]
                     ) -> list[Block] | None:
    """The digest's sections above the figures, or ``None`` when nothing in them is news."""
    person, window, delivery_id = recipient.person, recipient.window, recipient.delivery_id
    locale = person.locale
    say = lambda key, **params: t(locale, key, **params)  # noqa: E731
    blocks: list[Block] = [Text(text=say("digest.personal.heading", name=cards.name(person)), style="heading")]
    worth = False
    if waiting:
        # Questions that were already waiting last week are worth listing, not worth a digest of their own.
        worth = any(as_utc(q.created_at) >= window.start for q in waiting)
        blocks += [Text(text=say("digest.personal.waiting"), style="heading"), ListBlock(items=[
            cards.hit_item(q, None, locale, buttons=[_open_button(locale, delivery_id, q.id)]) for q in waiting])]

    new_answers = [a for a in answers if _within(a.created_at, window)]
    if new_answers:
        worth = True
        by_question: dict[int, list[Answer]] = {}
        for answer in new_answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        items = [Item(text=f"[Q{qid}] {cards.snippet(answers[0].question.text, 200)}",
                      detail=" · ".join(f"{say('digest.answer_from', author=cards.name(a.author, locale))}: "
                                        f"{cards.snippet(a.text, 160)}" for a in answers[:3]),
                      buttons=[_open_button(locale, delivery_id, qid)], question_id=qid)
                 for qid, answers in list(by_question.items())[:LIST_LIMIT]]
        blocks += [Text(text=say("digest.personal.new_answers"), style="heading"),
                   ListBlock(items=_capped(items, len(by_question), locale))]

    recognition = _recognition_items(accepted, flagged, window, locale)
    if recognition:
        worth = True
        blocks += [Text(text=say("digest.personal.recognition"), style="heading"), ListBlock(items=recognition)]
    return blocks if worth else None


def waiting_for(session: Session, person: Person, limit: int = WAITING_LIMIT) -> list[Question]:
    """Open questions waiting for ``person``'s expertise (the same list their home shows)."""
    return unanswered_for(session, person, limit)


def _seen_by_reader(reader_id: ColumnElement[int]) -> ColumnElement[bool]:
    """:func:`kbbot.store.visibility.visible_questions` for a reader given as a column (many readers at once).

    The query must join :class:`Person` as the reader (``Person.id == reader_id``)
    and :class:`Conversation` as the question's conversation.
    """
    is_member = exists().where(Membership.conversation_id == Conversation.id, Membership.person_id == reader_id)
    return and_(listed_questions(), Conversation.id == Question.conversation_id,
                Conversation.workspace_id == Person.workspace_id,
                or_(and_(Conversation.kind == ConversationKind.CHANNEL, Person.is_guest.is_(False)), is_member))


def _waiting_many(session: Session, people: list[Person], limit: int = WAITING_LIMIT) -> dict[int, list[Question]]:
    """:func:`waiting_for` for many people: the open questions of their tags, read once and shared.

    Same rule as :func:`kbbot.services.home.unanswered_for`: visible to the
    person, open, not theirs, in a tag they declared or earned (an accepted
    answer), not answered by them; newest first.
    """
    if len(people) == 1:  # one reader (a preview, a retry): their own tags through the home's query
        return {people[0].id: unanswered_for(session, people[0], limit)}
    ids = [p.id for p in people]
    tags = expertise.known_tags(session, ids)
    if not tags:
        return {}
    wanted = sorted(set().union(*tags.values()))
    # The newest open questions of each tag, (created, question, conversation, asker, workspace, public),
    # newest first; a tag cut at PER_TAG is marked so a reader who reads past its end is built alone.
    newest = func.row_number().over(partition_by=QuestionTag.tag_id,
                                    order_by=(Question.created_at.desc(), Question.id.desc())).label("n")
    ranked = (select(QuestionTag.tag_id, Question.id, Question.created_at, Question.conversation_id,
                     Question.asker_id, Conversation.workspace_id, Conversation.kind, newest)
              .join(Question, Question.id == QuestionTag.question_id)
              .join(Conversation, Conversation.id == Question.conversation_id)
              .where(QuestionTag.tag_id.in_(wanted), Question.status == QuestionStatus.OPEN)).subquery()
    per_tag: dict[int, list[tuple[datetime, int, int, int, int, bool]]] = {}
    for tag_id, question_id, created_at, conversation_id, asker_id, workspace_id, kind, _ in session.execute(
            select(ranked).where(ranked.c.n <= PER_TAG)):
        per_tag.setdefault(tag_id, []).append((as_utc(created_at), question_id, conversation_id, asker_id,
                                               workspace_id, kind == ConversationKind.CHANNEL))
    for rows in per_tag.values():
        rows.sort(reverse=True)
    cut = {tag_id: (rows[-1][0], rows[-1][1]) for tag_id, rows in per_tag.items() if len(rows) >= PER_TAG}
    member = {(person_id, conversation_id) for person_id, conversation_id in session.execute(
        select(Membership.person_id, Membership.conversation_id).where(Membership.person_id.in_(ids)))}
    answered = {(author_id, question_id) for author_id, question_id in session.execute(
        select(Answer.author_id, Answer.question_id).join(Question, Question.id == Answer.question_id)
        .where(Answer.author_id.in_(ids), Answer.deleted_at.is_(None), Question.status == QuestionStatus.OPEN))}
    chosen: dict[int, list[int]] = {}
    alone: list[Person] = []
    for person in people:
        picked: list[int] = []
        seen: set[int] = set()
        # Past the oldest question kept of a cut tag, the merge no longer sees every candidate.
        floor = max((cut[tag_id] for tag_id in tags.get(person.id, ()) if tag_id in cut), default=None)
        for created_at, question_id, conversation_id, asker_id, workspace_id, public in heapq.merge(
                *(per_tag.get(tag_id, []) for tag_id in tags.get(person.id, ())), reverse=True):
            if floor is not None and (created_at, question_id) < floor:
                alone.append(person)
                picked = []
                break
            if question_id in seen:
                continue
            seen.add(question_id)
            if asker_id == person.id or workspace_id != person.workspace_id or \
                    (person.id, question_id) in answered or \
                    ((not public or person.is_guest) and (person.id, conversation_id) not in member):
                continue
            picked.append(question_id)
            if len(picked) == limit:
                break
        else:
            if floor is not None:  # ran out while a cut tag may hold more
                alone.append(person)
                picked = []
        if picked:
            chosen[person.id] = picked
    loaded = {q.id: q for q in session.scalars(
        select(Question).where(Question.id.in_({qid for picked in chosen.values() for qid in picked}))
        .options(selectinload(Question.tags), selectinload(Question.answers).selectinload(Answer.care),
                 selectinload(Question.asker),
                 selectinload(Question.conversation)))}
    waiting = {person_id: [loaded[qid] for qid in picked] for person_id, picked in chosen.items()}
    for person in alone:
        waiting[person.id] = unanswered_for(session, person, limit)
    return waiting


def _new_answers_many(session: Session, asker_ids: list[int], span: Window,
                      operator: bool) -> dict[int, list[Answer]]:
    """Others' answers during ``span`` to questions the askers asked and may still see, oldest first."""
    rows = session.scalars(
        select(Answer).join(Question, Question.id == Answer.question_id)
        .join(Person, Person.id == Question.asker_id).join(Conversation, Conversation.id == Question.conversation_id)
        .where(Question.asker_id.in_(asker_ids), *([Question.is_anonymous.is_(False)] if operator else []),
               _seen_by_reader(Question.asker_id), Answer.author_id != Question.asker_id,
               Answer.deleted_at.is_(None), Answer.created_at >= span.start, Answer.created_at < span.end)
        .options(selectinload(Answer.author), selectinload(Answer.question))
        .order_by(Answer.created_at, Answer.id))
    found: dict[int, list[Answer]] = {}
    for answer in rows:
        found.setdefault(answer.question.asker_id, []).append(answer)
    return found


def _recognition_many(session: Session, author_ids: list[int], span: Window
                      ) -> tuple[dict[int, list[tuple[Answer, datetime]]],
                                 dict[int, list[tuple[Answer, FlagKind, datetime]]]]:
    """The authors' answers accepted by someone else, or flagged, during ``span``, with the moment of each."""
    # Start from the authors' own answers (indexed by author) and check visibility on the joined question.
    mine = (Answer.author_id.in_(author_ids), Answer.deleted_at.is_(None), _seen_by_reader(Answer.author_id))
    accepted: dict[int, list[tuple[Answer, datetime]]] = {}
    # Only the asker accepts, so the acceptance is found among the asker's own activities (indexed).
    for answer, at in session.execute(
            select(Answer, Activity.created_at).join(Question, Question.id == Answer.question_id)
            .join(Person, Person.id == Answer.author_id)
            .join(Conversation, Conversation.id == Question.conversation_id)
            .join(Activity, and_(Activity.person_id == Question.asker_id, Activity.kind == "accepted",
                                 Activity.subject_id == Answer.id))
            .where(*mine, Answer.is_accepted, Question.asker_id != Answer.author_id,
                   Activity.created_at >= span.start, Activity.created_at < span.end)
            .options(selectinload(Answer.question)).order_by(Answer.id, Activity.created_at)):
        accepted.setdefault(answer.author_id, []).append((answer, as_utc(at)))
    flagged: dict[int, list[tuple[Answer, FlagKind, datetime]]] = {}
    for answer, kind, at in session.execute(
            select(Answer, Flag.kind, Flag.created_at).join(Question, Question.id == Answer.question_id)
            .join(Person, Person.id == Answer.author_id)
            .join(Conversation, Conversation.id == Question.conversation_id)
            .join(Flag, Flag.answer_id == Answer.id)
            .where(*mine, Flag.created_at >= span.start, Flag.created_at < span.end)
            .options(selectinload(Answer.question)).order_by(Flag.id)):
        flagged.setdefault(answer.author_id, []).append((answer, kind, as_utc(at)))
    return accepted, flagged


def _recognition_items(accepted: list[tuple[Answer, datetime]], flagged: list[tuple[Answer, FlagKind, datetime]],
                       window: Window, locale: str) -> list[Item]:
    """The reader's answers accepted by someone else, or flagged, during their window."""
    items: list[Item] = []
    listed: set[int] = set()
    for a, at in accepted:
        if a.id in listed or not window.start <= at < window.end:
            continue
        listed.add(a.id)
        items.append(Item(text=t(locale, "digest.personal.accepted", answer=cards.snippet(a.text, 160)),
                          detail=f"[Q{a.question_id}] {cards.snippet(a.question.text, 120)}"))
    seen: set[tuple[int, str]] = set()
    for answer, kind, at in flagged:
        if (answer.id, kind.value) in seen or not window.start <= at < window.end:
            continue
        seen.add((answer.id, kind.value))
        items.append(Item(text=t(locale, "digest.personal.flagged", kind=t(locale, f"digest.flag.{kind.value}"),
                                 answer=cards.snippet(answer.text, 160)),
                          detail=f"[Q{answer.question_id}] {cards.snippet(answer.question.text, 120)} · "
                                 f"{t(locale, 'digest.personal.flag_hint')}"))
    return items[:LIST_LIMIT]


def _figures_many(session: Session, person_ids: set[int], operator: bool) -> dict[int, tuple[str, int, int, int]]:
    """Stage, questions, answers and accepted answers of each person, as :func:`kbbot.services.stats.for_person`.

    ``operator=True`` leaves out the person's anonymous asking, as ``with_anonymous_asking=False`` does there.
    """
    if not person_ids:
        return {}
    ids = list(person_ids)
    asked = [Question.asker_id.in_(ids), listed_questions(), *([Question.is_anonymous.is_(False)] if operator else [])]
    questions = {asker_id: count for asker_id, count in session.execute(
        select(Question.asker_id, func.count()).where(*asked).group_by(Question.asker_id))}
    answers: dict[int, int] = {}
    accepted: dict[int, int] = {}
    for author_id, is_accepted, count in session.execute(
            select(Answer.author_id, Answer.is_accepted, func.count())
            .where(Answer.author_id.in_(ids), Answer.deleted_at.is_(None))
            .group_by(Answer.author_id, Answer.is_accepted)):
        answers[author_id] = answers.get(author_id, 0) + count
        if is_accepted:
            accepted[author_id] = accepted.get(author_id, 0) + count
    stages = stats.stages_of(session, ids, with_anonymous_asking=not operator)
    return {pid: (stages[pid], questions.get(pid, 0), answers.get(pid, 0), accepted.get(pid, 0)) for pid in ids}


def channel(session: Session, conversation: Conversation, locale: str, window: Window,
            delivery_id: int = 0) -> Reply | None:
    """The week of one channel, posted into that channel: only its own questions and posts shared with it."""
    say = lambda key, **params: t(locale, key, **params)  # noqa: E731
    here = and_(Question.conversation_id == conversation.id, listed_questions())
    in_window = (Question.created_at >= window.start, Question.created_at < window.end)
    loading = (selectinload(Question.tags), selectinload(Question.answers).selectinload(Answer.care),
               selectinload(Question.asker),
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
    takers = recognition.escalation_takers(session, conversation, window.start, window.end)
    if not (new or accepted or posts or helpers or takers):
        return None
    # An accepted answer flagged (or due) since is queued for its owner's weekly re-check by being shown.
    rechecks.note_shown(session, accepted, "digest", window.end, rechecks.DEFAULT_DAYS)
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
                 detail=t(locale, "hit.accepted", answer=cards.snippet(a.text, 160), author=cards.name(a.author, locale)),
                 buttons=[_open_button(locale, delivery_id, a.question_id)], question_id=a.question_id)
            for a in accepted])]
    if waiting:
        blocks += [Text(text=say("digest.channel.unanswered"), style="heading"), ListBlock(items=[
            cards.hit_item(q, None, locale, buttons=[_open_button(locale, delivery_id, q.id)]) for q in waiting])]
    if posts:
        blocks += [Text(text=say("digest.channel.posts"), style="heading"), ListBlock(items=[
            Item(text=cards.snippet(p.text), detail=" · ".join(
                [say("digest.post_by", author=cards.name(p.author, locale)), *(f"#{tag.name}" for tag in p.tags)]))
            for p in posts])]
    if helpers:
        blocks.append(Text(text=say("digest.channel.helpers", names=", ".join(cards.name(p) for p in helpers)),
                           style="context"))
    if takers:
        blocks.append(Text(text=say("digest.channel.escalation_thanks",
                                    names=", ".join(cards.name(p) for p in takers)), style="context"))
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
