"""What an invited expert can do with an invitation, and what they see of their invitations.

I'll take it (the question's card says someone is on it and the ladder
pauses), Not me (the next candidate is tried, and the tags count against
this person's ranking), Snooze (later today or tomorrow, in their working
hours). Each is a compare-and-set on the invitation's state: a second click,
a stale button or someone else's click changes nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from kbbot.commands import small_int
from kbbot.contract import actions
from kbbot.contract.events import ButtonClicked
from kbbot.contract.replies import Actions, Block, Item, ListBlock, ReplaceCard, Reply, Text
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.routing import invitations, ladder
from kbbot.routing.policy import policy
from kbbot.routing.ranking import SHOWN
from kbbot.services import answering, language
from kbbot.services.turn import Turn
from kbbot.store.models import Answer, Invitation, InvitationState, Person, Question, QuestionStatus
from kbbot.store.visibility import can_see, visible_questions
from kbbot.weekly.timing import zone

OPEN_TO_ACT = (InvitationState.SENT, InvitationState.SNOOZED)
ROUTING_BUTTONS = frozenset({actions.ROUTE_TAKE, actions.ROUTE_DECLINE, actions.ROUTE_SNOOZE_TODAY,
                             actions.ROUTE_SNOOZE_TOMORROW, actions.ROUTE_CLOSE})


def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """Handle the invitation buttons and the asker's "close it"; None for anyone else's buttons."""
    if event.action_id not in ROUTING_BUTTONS:
        return None
    number = small_int(event.value.strip().lstrip("#Qq"))
    question = turn.session.get(Question, number) if number is not None else None
    if question is None or not can_see(turn.session, turn.person, question):
        return [turn.notice("routing.no_such_question")]
    if event.action_id == actions.ROUTE_CLOSE:
        return answering.close(turn, question.id)  # the asker closing from the honest note: the usual close
    invitation = turn.session.scalars(select(Invitation).where(
        Invitation.question_id == question.id, Invitation.person_id == turn.person.id)).first()
    if invitation is None or invitation.state in (InvitationState.WAITING, InvitationState.CANCELLED):
        return [turn.notice("routing.not_yours", id=question.id)]
    if question.status is not QuestionStatus.OPEN:
        return [turn.notice("routing.settled", id=question.id)]
    match event.action_id:
        case actions.ROUTE_TAKE:
            return _take(turn, question, invitation)
        case actions.ROUTE_DECLINE:
            return _decline(turn, question, invitation)
        case actions.ROUTE_SNOOZE_TODAY:
            return _snooze(turn, question, invitation, tomorrow=False)
        case _:
            return _snooze(turn, question, invitation, tomorrow=True)


def _move(turn: Turn, invitation: Invitation, to: InvitationState, due_at: datetime | None = None) -> bool:
    """Change the invitation's state if it is still open to act on; False when a click already did."""
    values: dict[str, object] = {"state": to, "responded_at": turn.now}
    if due_at is not None:
        values["due_at"] = due_at
    changed = turn.session.execute(update(Invitation).where(
        Invitation.id == invitation.id, Invitation.state.in_(OPEN_TO_ACT)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    turn.session.refresh(invitation)
    return changed == 1


def _already(turn: Turn, invitation: Invitation) -> Reply:
    key = {InvitationState.CLAIMED: "routing.already_taken",
           InvitationState.DECLINED: "routing.already_declined"}.get(invitation.state, "routing.already_answered")
    return turn.notice(key, id=invitation.question_id)


def _take(turn: Turn, question: Question, invitation: Invitation) -> list[Reply]:
    if not _move(turn, invitation, InvitationState.CLAIMED):
        return [_already(turn, invitation)]
    replies = [turn.notice("routing.taken", id=question.id)]
    if question.message_id:
        replies.append(card_with_takers(turn.session, question, turn.settings.default_locale))
    return replies


def takers(session: Session, question: Question) -> list[Person]:
    """Who said "I'll take it" for ``question``, first first."""
    return list(session.scalars(select(Person).join(Invitation, Invitation.person_id == Person.id).where(
        Invitation.question_id == question.id, Invitation.state == InvitationState.CLAIMED)
        .order_by(Invitation.responded_at, Invitation.id)))


def card_with_takers(session: Session, question: Question, default_locale: str) -> Reply:
    """The question's card, replaced in place, saying who is on it: colleagues need not start on it too."""
    locale = language.channel_locale(session, question.conversation, default_locale)
    note = t(locale, "routing.on_it", names=", ".join(cards.name(p) for p in takers(session, question)))
    blocks: list[Block] = list(cards.question_blocks(question, locale))
    at = next((i for i, block in enumerate(blocks) if isinstance(block, Actions)), len(blocks))
    blocks = [*blocks[:at], Text(text=note, style="context"), *blocks[at:]]
    return Reply(text=cards.snippet(question.text), blocks=blocks,
                 to=ReplaceCard(conversation_id=question.conversation.external_id, question_id=question.id),
                 locale=locale)


def _decline(turn: Turn, question: Question, invitation: Invitation) -> list[Reply]:
    if not _move(turn, invitation, InvitationState.DECLINED):
        return [_already(turn, invitation)]
    return [turn.notice("routing.declined", id=question.id),
            *ladder.invite_next(turn.session, turn.settings, question, turn.now, invitation.step)]


def _snooze(turn: Turn, question: Question, invitation: Invitation, tomorrow: bool) -> list[Reply]:
    hours = policy(turn.session, turn.settings, turn.workspace.id).hours(turn.person.timezone)
    due = hours.next_day_start(turn.now) if tomorrow else hours.later_today(turn.now)
    if invitation.state is InvitationState.CLAIMED or not _move(turn, invitation, InvitationState.SNOOZED, due):
        return [_already(turn, invitation)]
    local = due.astimezone(zone(turn.person.timezone))
    day = turn.say(f"wol.day.{('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[local.weekday()]}")
    return [turn.notice("routing.snoozed", id=question.id, day=day, time=local.strftime("%H:%M"))]


def waiting_for(session: Session, person: Person, limit: int = 5) -> list[Question]:
    """Open questions kbbot invited ``person`` to and they have not taken, declined or answered yet."""
    return list(session.scalars(
        select(Question).join(Invitation, Invitation.question_id == Question.id)
        .where(Invitation.person_id == person.id, Invitation.state.in_(OPEN_TO_ACT),
               Question.status == QuestionStatus.OPEN, visible_questions(person))
        .options(selectinload(Question.tags), selectinload(Question.answers), selectinload(Question.asker),
                 selectinload(Question.conversation))
        .order_by(Invitation.sent_at.desc(), Question.id.desc()).limit(limit)))


def home_blocks(turn: Turn) -> list[Block]:
    """The "invitations waiting for you" section of home, each with the invitation's own buttons."""
    waiting = waiting_for(turn.session, turn.person)
    heading = Text(text=turn.say("routing.home.heading"), style="heading")
    if not waiting:
        return [heading, Text(text=turn.say("routing.home.none"), style="context")]
    return [heading, ListBlock(items=[cards.hit_item(q, None, turn.locale,
                                                     buttons=invitations.buttons(turn.locale, q.id))
                                      for q in waiting])]


@dataclass(frozen=True)
class AnswerRate:
    """How someone responds when kbbot invites them: shown to themself only."""

    invited: int
    answered: int
    taken: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def answer_rate(session: Session, person: Person) -> AnswerRate:
    """Invitations ``person`` was shown, how many of those questions they answered, and took."""
    shown = select(Invitation).where(Invitation.person_id == person.id, Invitation.state.in_(SHOWN)).subquery()
    invited = session.scalar(select(func.count()).select_from(shown)) or 0
    answered = session.scalar(select(func.count(func.distinct(shown.c.id))).select_from(shown).join(
        Answer, (Answer.question_id == shown.c.question_id) & (Answer.author_id == person.id)
    ).where(Answer.deleted_at.is_(None))) or 0
    taken = session.scalar(select(func.count()).select_from(shown)
                           .where(shown.c.state == InvitationState.CLAIMED.value)) or 0
    return AnswerRate(invited, answered, taken)


def stats_items(turn: Turn) -> list[Item]:
    """The ``/kb stats`` line about invitations, when there were any."""
    rate = answer_rate(turn.session, turn.person)
    if not rate.invited:
        return []
    return [Item(text=turn.say("routing.stats", invited=rate.invited, answered=rate.answered,
                               percent=rate.percent))]
