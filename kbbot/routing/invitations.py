"""Invitations: recorded within budget, sent in working hours, and how they look.

An invitation is a row before it is a message. One that falls outside the
expert's working hours is recorded as *waiting* with the moment they begin;
the routing round (:mod:`kbbot.routing.ladder`) sends it then. Every
invitation carries the same buttons: I'll take it, Not me, Snooze.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.contract import actions
from kbbot.contract.replies import Actions, Button, DirectMessage, Mentions, PersonRef, Post, Reply, Text
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.routing import budget, ranking
from kbbot.routing.policy import Policy
from kbbot.store.models import Invitation, InvitationState, Person, Question

THREAD = "thread"
DM = "dm"


class _OverBudget(Exception):
    """Someone else took this person's last ping meanwhile: the savepoint is rolled back."""


def invite(session: Session, question: Question, step: int, count: int, policy: Policy, notify: str,
           now: datetime) -> list[Invitation]:
    """Record up to ``count`` invitations for ``question``, best candidates first, each within its budget.

    Budget and invitation are written together in the caller's transaction,
    in a savepoint per person: a person whose last ping a concurrent asker
    just took, or who was invited to this question by a concurrent step, is
    skipped and the next candidate tried.
    """
    if count <= 0:
        return []
    via = DM if notify == DM or question.is_anonymous else THREAD
    chosen: list[Invitation] = []
    for candidate in ranking.candidates(session, question, policy, now, limit=count * 4 + 4):
        if len(chosen) >= count:
            break
        due = policy.hours(candidate.person.timezone).next_working(now)
        try:
            with session.begin_nested():
                if not budget.reserve(session, candidate.person.id, candidate.period, candidate.budget):
                    raise _OverBudget
                sent = due <= now
                invitation = Invitation(
                    workspace_id=question.workspace_id, question_id=question.id, person_id=candidate.person.id,
                    step=step, state=InvitationState.SENT if sent else InvitationState.WAITING, via=via,
                    period=candidate.period, due_at=due, created_at=now, sent_at=now if sent else None)
                session.add(invitation)
                session.flush()
        except (_OverBudget, IntegrityError):
            continue
        chosen.append(invitation)
    return chosen


def buttons(locale: str, question_id: int) -> list[Button]:
    """The invitation's buttons; their value is the question, the clicker says whose invitation it is."""
    value = str(question_id)
    return [Button(label=t(locale, "routing.button.take"), action_id=actions.ROUTE_TAKE, value=value,
                   style="primary"),
            Button(label=t(locale, "routing.button.decline"), action_id=actions.ROUTE_DECLINE, value=value),
            Button(label=t(locale, "routing.button.snooze_today"), action_id=actions.ROUTE_SNOOZE_TODAY,
                   value=value),
            Button(label=t(locale, "routing.button.snooze_tomorrow"), action_id=actions.ROUTE_SNOOZE_TOMORROW,
                   value=value)]


def messages(question: Question, invited: Sequence[Invitation], channel_locale: str,
             reminder: bool = False) -> list[Reply]:
    """What the invited people see: one mention in the question's thread, or a DM each.

    An anonymous question's experts are always told one by one in private: a
    public list of names that leaves one expert out would point at the asker.
    """
    thread = [i.person for i in invited if i.via == THREAD]
    direct = [i.person for i in invited if i.via != THREAD]
    replies: list[Reply] = []
    tags = cards.tag_line(question)
    if thread:
        key = "routing.thread_reminder" if reminder else "routing.thread_lead" if tags else "routing.thread_lead_untagged"
        lead = t(channel_locale, key, tags=tags)
        replies.append(Reply(
            text=lead,
            blocks=[Mentions(lead=lead, people=[PersonRef(id=p.external_id, name=cards.name(p)) for p in thread]),
                    Actions(buttons=buttons(channel_locale, question.id))],
            to=Post(conversation_id=question.conversation.external_id, in_thread_of=question.id),
            locale=channel_locale))
    replies.extend(direct_message(person, question, reminder) for person in direct)
    return replies


def direct_message(expert: Person, question: Question, reminder: bool = False) -> Reply:
    """One expert's private invitation, in their own language."""
    locale = expert.locale
    key = "ask.expert_dm_anonymous" if question.is_anonymous else "ask.expert_dm"
    heading = t(locale, key, channel=cards.where(question, locale), tags=cards.tag_line(question) or "–")
    if reminder:
        heading = f"{t(locale, 'routing.reminder')} {heading}"
    return Reply(text=heading, blocks=[
        Text(text=heading, style="heading"), Text(text=question.text, style="quote"),
        Text(text=f"[Q{question.id}] · {t(locale, 'ask.expert_dm_hint')}", style="context"),
        Actions(buttons=buttons(locale, question.id))], to=DirectMessage(person_id=expert.external_id), locale=locale)
