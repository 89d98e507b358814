"""Re-checks by use, in batches: due or flagged answers that people were shown, once a week to their owners.

Nobody is asked to re-check an answer nobody used. When a due or flagged
answer is shown (a suggestion at ``/ask``, a search hit, a digest),
:func:`note_shown` counts it (never who saw it). Once a week its owner gets
the answers shown since their previous reminder that still need a look,
with one click each: Still right, Update, Retire; and the answers that came
to them because a colleague left. The batch goes inside the owner's personal
digest, or as one message of its own for someone who gets no digest
(:mod:`kbbot.scheduler.kinds`).

Never more than one reminder a week, whichever process builds it:
:func:`claim` takes the owner's week in ``recheck_reminders`` under its
primary key (and refuses a week that follows a reminder by less than seven
days); the delivery that took it may rebuild it on a retry.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from kbbot.clock import as_utc
from kbbot.contract import actions
from kbbot.contract.replies import Block, Button, DirectMessage, Item, ListBlock, Reply, Text
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.services import verification
from kbbot.store.models import Answer, AnswerCare, AnswerShowing, Person, Question, RecheckReminder

WEEK = timedelta(days=7)
LOOKBACK = 4 * WEEK
"""How far back use counts for someone never reminded (or reminded long ago)."""
BATCH_LIMIT = 10
"""Answers listed in one reminder; the rest wait for the next week (the most shown first)."""
SURFACES = ("search", "suggestion", "digest")
DEFAULT_DAYS = 180
"""``Settings.verification_interval_days``'s default, where a caller has no settings (a channel digest)."""


def note_shown(session: Session, answers: Iterable[Answer | None], surface: str, now: datetime,
               default_days: int) -> int:
    """Count the due or flagged answers among ``answers`` as shown on ``surface``; returns how many."""
    wanted = {a.id: a for a in answers if a is not None and a.deleted_at is None and a.is_accepted}
    found = verification.states(session, wanted, now, default_days)
    counted = 0
    for answer_id, state in found.items():
        if state in (verification.DUE, verification.FLAGGED):
            session.add(AnswerShowing(answer_id=answer_id, surface=surface, was_due=state == verification.DUE,
                                      was_flagged=state == verification.FLAGGED, shown_at=now))
            counted += 1
    return counted


@dataclass
class Batch:
    """One owner's weekly re-check: answers people were shown that need a look, and answers handed to them."""

    person: Person
    shown: list[tuple[Answer, str, int]] = field(default_factory=list)
    """(answer, its state, times shown since the previous reminder), the most shown first."""
    handed: list[Answer] = field(default_factory=list)
    """Answers that became theirs because their previous owner left."""

    def __bool__(self) -> bool:
        return bool(self.shown or self.handed)


def last_reminded(session: Session, person_ids: Sequence[int], before: datetime,
                  own: Collection[int] = ()) -> dict[int, datetime]:
    """Each person's latest reminder before ``before``, not counting those of the deliveries ``own``
    (a retry rebuilds the reminder it carried, from the same start)."""
    query = select(RecheckReminder.person_id, func.max(RecheckReminder.created_at)).where(
        RecheckReminder.person_id.in_(list(person_ids)), RecheckReminder.created_at < before)
    if own:
        query = query.where(RecheckReminder.delivery_id.is_(None) | RecheckReminder.delivery_id.not_in(list(own)))
    return {pid: as_utc(at) for pid, at in session.execute(query.group_by(RecheckReminder.person_id))}


def batches(session: Session, people: Sequence[Person], now: datetime, default_days: int,
            own: Collection[int] = ()) -> dict[int, Batch]:
    """The re-check batch of each of ``people`` (only those with something in it), set-based.

    ``own``: the deliveries being built, whose reminders (if a retry) do not count as the previous one.
    """
    ids = [p.id for p in people]
    if not ids:
        return {}
    by_id = {p.id: p for p in people}
    floor = now - LOOKBACK  # never reminded, or long ago: the last four weeks of use
    since = {pid: max(at, floor) for pid, at in last_reminded(session, ids, now, own).items()}
    owner = func.coalesce(AnswerCare.owner_id, Answer.author_id)
    shown: dict[int, list[tuple[int, datetime]]] = {}
    for answer_id, owner_id, at in session.execute(
            select(AnswerShowing.answer_id, owner, AnswerShowing.shown_at)
            .join(Answer, Answer.id == AnswerShowing.answer_id)
            .outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id)
            .where(owner.in_(ids), AnswerShowing.shown_at >= floor, AnswerShowing.shown_at < now,
                   Answer.deleted_at.is_(None), AnswerCare.retired_at.is_(None))):
        if as_utc(at) > since.get(owner_id, floor):
            shown.setdefault(owner_id, []).append((answer_id, as_utc(at)))
    handed_ids: dict[int, list[int]] = {}
    for answer_id, owner_id, at in session.execute(
            select(AnswerCare.answer_id, AnswerCare.owner_id, AnswerCare.owner_since)
            .join(Answer, Answer.id == AnswerCare.answer_id)
            .where(AnswerCare.owner_id.in_(ids), AnswerCare.handed_over_because == "left",
                   AnswerCare.owner_since >= floor, AnswerCare.owner_since < now,
                   Answer.deleted_at.is_(None), AnswerCare.retired_at.is_(None))):
        if as_utc(at) > since.get(owner_id, floor):
            handed_ids.setdefault(owner_id, []).append(answer_id)
    wanted = {aid for rows in shown.values() for aid, _ in rows} | {aid for v in handed_ids.values() for aid in v}
    if not wanted:
        return {}
    loaded = {a.id: a for a in session.scalars(select(Answer).where(Answer.id.in_(wanted)).options(
        selectinload(Answer.question).selectinload(Question.tags), selectinload(Answer.author)))}
    state = verification.states(session, wanted, now, default_days)
    found: dict[int, Batch] = {}
    for owner_id, rows in shown.items():
        counts: dict[int, int] = {}
        for answer_id, _ in rows:
            counts[answer_id] = counts.get(answer_id, 0) + 1
        # Still needing a look now: a "still right" since it was shown settles it.
        listed = [(loaded[aid], state[aid], n) for aid, n in counts.items()
                  if state.get(aid) in (verification.DUE, verification.FLAGGED)]
        listed.sort(key=lambda entry: (-entry[2], entry[0].id))
        if listed:
            found.setdefault(owner_id, Batch(by_id[owner_id])).shown = listed[:BATCH_LIMIT]
    for owner_id, answer_ids in handed_ids.items():
        found.setdefault(owner_id, Batch(by_id[owner_id])).handed = [loaded[aid] for aid in sorted(answer_ids)]
    return found


def claim(session: Session, person: Person, period: str, delivery_id: int, now: datetime) -> bool:
    """Take ``person``'s re-check reminder of ``period`` for delivery ``delivery_id``; False: not this week.

    True again for the same delivery (a retry rebuilds what it claimed).
    Refused when another delivery has the week, or a reminder went out less
    than seven days ago (someone who moved their digest day).
    """
    held = session.get(RecheckReminder, (person.id, period))
    if held is not None:
        return held.delivery_id == delivery_id
    recent = last_reminded(session, [person.id], now, own=[delivery_id])
    if person.id in recent and now - recent[person.id] < WEEK:
        return False
    try:
        with session.begin_nested():
            session.add(RecheckReminder(person_id=person.id, period=period, delivery_id=delivery_id,
                                        created_at=now))
    except IntegrityError:
        held = session.get(RecheckReminder, (person.id, period))
        return held is not None and held.delivery_id == delivery_id
    return True


def buttons(answer: Answer, locale: str) -> list[Button]:
    value = str(answer.id)
    return [Button(label=t(locale, "button.still_right"), action_id=actions.STILL_RIGHT, value=value,
                   style="primary"),
            Button(label=t(locale, "button.update_answer"), action_id=actions.UPDATE_ANSWER, value=value),
            Button(label=t(locale, "button.retire_answer"), action_id=actions.RETIRE_ANSWER, value=value,
                   style="danger")]


def blocks(batch: Batch, locale: str) -> list[Block]:
    """The batch as a section of a digest (or a message of its own)."""
    say = lambda key, **params: t(locale, key, **params)  # noqa: E731
    out: list[Block] = [Text(text=say("recheck.heading"), style="heading")]
    if batch.shown:
        out.append(Text(text=say("recheck.intro", count=len(batch.shown)), style="context"))
        out.append(ListBlock(items=[_item(answer, locale, say(f"recheck.state.{state}", count=times))
                                    for answer, state, times in batch.shown]))
    if batch.handed:
        out.append(Text(text=say("recheck.handed", count=len(batch.handed)), style="context"))
        out.append(ListBlock(items=[_item(answer, locale, say("recheck.handed_item", author=cards.name(answer.author)))
                                    for answer in batch.handed[:BATCH_LIMIT]]))
    return out


def _item(answer: Answer, locale: str, why: str) -> Item:
    return Item(text=f"[Q{answer.question_id}] {cards.snippet(answer.question.text, 160)}",
                detail=" · ".join([t(locale, "answer.by", author=cards.name(answer.author), id=answer.id), why]),
                lines=[cards.snippet(answer.text, 200)], buttons=buttons(answer, locale),
                question_id=answer.question_id)


def message(batch: Batch) -> Reply:
    """The batch as one message, for an owner who gets no digest."""
    locale = batch.person.locale
    heading = t(locale, "recheck.heading")
    return Reply(text=heading, blocks=blocks(batch, locale), to=DirectMessage(person_id=batch.person.external_id),
                 locale=locale)


def owners_with_news(session: Session, since: datetime) -> set[int]:
    """People who may have a re-check batch: owners of answers shown while due or flagged, or handed one."""
    owner = func.coalesce(AnswerCare.owner_id, Answer.author_id)
    shown = set(session.scalars(
        select(owner).select_from(AnswerShowing).join(Answer, Answer.id == AnswerShowing.answer_id)
        .outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id).where(AnswerShowing.shown_at >= since)
        .distinct()))
    handed = set(session.scalars(select(AnswerCare.owner_id).where(
        AnswerCare.handed_over_because == "left", AnswerCare.owner_since >= since, AnswerCare.owner_id.is_not(None))))
    return shown | handed
