"""The escalation ladder: nobody's question dies silently.

1. At posting: the best candidates are invited (:func:`start`).
2. After some working hours without an answer or a claim: the next candidates.
3. After a working day: reposted once to a wider channel, where visibility allows.
4. After three working days: the asker is told honestly, with what they can do.

Steps 2–4 and the invitations waiting for working hours (or a snooze) are
the routing round's work (:func:`run`, a scheduler job). Each step is a row
of ``routing_steps`` inserted with ``ON CONFLICT DO NOTHING`` in the same
transaction that stages its messages in the outbox: whichever process
inserts it does the step, the others see the key taken, and a process that
dies before committing leaves the step to the next round. Releasing a
waiting invitation is a compare-and-set on its state in the same way. The
ladder stops as soon as the question is no longer open (answered,
accepted, closed or withdrawn), and pauses while someone has taken it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kbbot.clock import Clock, as_utc, system_clock
from kbbot.config import Settings
from kbbot.commands import registry
from kbbot.contract import actions, platform
from kbbot.contract.outbound import Outbound
from kbbot.contract.replies import Actions, Button, DirectMessage, ListBlock, Post, Reply, Text
from kbbot.i18n import t
from kbbot.pipeline import outbox
from kbbot.presentation import cards, people
from kbbot.routing import budget, invitations
from kbbot.routing.policy import Policy, policy
from kbbot.services import language
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Conversation,
    ConversationKind,
    Invitation,
    InvitationState,
    Question,
    QuestionStatus,
    RoutingStep,
    Workspace,
)

log = logging.getLogger(__name__)

INVITE, MORE, REPOST, TELL = 1, 2, 3, 4
SETTLED = (QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED, QuestionStatus.CLOSED, QuestionStatus.WITHDRAWN)


@dataclass
class RoundReport:
    """What one routing round did: ladder steps by outcome, invitations released or cancelled."""

    steps: Counter[str] = field(default_factory=Counter)
    released: int = 0
    cancelled: int = 0
    taken_elsewhere: int = 0

    def __str__(self) -> str:
        parts = [f"step {name} {count}" for name, count in sorted(self.steps.items())]
        if self.released:
            parts.append(f"invitations sent {self.released}")
        if self.cancelled:
            parts.append(f"invitations cancelled {self.cancelled}")
        if self.taken_elsewhere:
            parts.append(f"taken by another process {self.taken_elsewhere}")
        return ", ".join(parts) or "nothing due"


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert(RoutingStep) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(RoutingStep)


def claim_step(session: Session, question_id: int, step: int, outcome: str, now: datetime,
               worker: str | None) -> bool:
    """Record ``step`` of ``question_id`` as taken; False when it was taken already (by anyone)."""
    statement = _insert(session).values(question_id=question_id, step=step, outcome=outcome, taken_at=now,
                                        taken_by=worker)
    statement = statement.on_conflict_do_nothing(index_elements=["question_id", "step"]).returning(
        RoutingStep.question_id)
    return session.execute(statement).scalar() is not None


def _set_outcome(session: Session, question_id: int, step: int, outcome: str) -> None:
    session.execute(update(RoutingStep).where(RoutingStep.question_id == question_id, RoutingStep.step == step)
                    .values(outcome=outcome).execution_options(synchronize_session=False))


def start(session: Session, settings: Settings, question: Question, now: datetime, channel_locale: str) -> list[Reply]:
    """Step 1, at posting: invite the best candidates (now, or when their working hours begin)."""
    rules = policy(session, settings, question.workspace_id)
    notify = (question.conversation.workspace.settings or {}).get("expert_notify") or settings.expert_notify
    invited = invitations.invite(session, question, INVITE, rules.first_invites, rules, notify, now)
    claim_step(session, question.id, INVITE, "invited" if invited else "nobody", now, None)
    return invitations.messages(question, [i for i in invited if i.state is InvitationState.SENT], channel_locale)


def invite_next(session: Session, settings: Settings, question: Question, now: datetime, step: int,
                count: int = 1) -> list[Reply]:
    """Invite the next ``count`` candidates (after a "not me"); the messages of those sent at once."""
    rules = policy(session, settings, question.workspace_id)
    notify = (question.conversation.workspace.settings or {}).get("expert_notify") or settings.expert_notify
    invited = invitations.invite(session, question, step, count, rules, notify, now)
    return invitations.messages(question, [i for i in invited if i.state is InvitationState.SENT],
                                language.channel_locale(session, question.conversation, settings.default_locale))


def schedule(rules: Policy, question: Question, asker_timezone: str) -> dict[int, datetime]:
    """When each later step is due for ``question``, in the asker's working hours."""
    hours = rules.hours(asker_timezone)
    created = as_utc(question.created_at)
    return {MORE: hours.add(created, rules.second_after_hours),
            REPOST: hours.add(created, rules.repost_after_days * hours.day_hours),
            TELL: hours.add(created, rules.tell_after_days * hours.day_hours)}


def paused_until(session: Session, rules: Policy, question: Question) -> datetime | None:
    """While someone has taken the question, escalation waits: until when, or None."""
    taken = session.scalar(select(Invitation.responded_at).where(
        Invitation.question_id == question.id, Invitation.state == InvitationState.CLAIMED)
        .order_by(Invitation.responded_at.desc()).limit(1))
    if taken is None:
        return None
    return rules.hours(question.asker.timezone).add(as_utc(taken), rules.claim_pause_hours)


def due_steps(session: Session, settings: Settings, now: datetime) -> list[tuple[int, int]]:
    """``(question, step)`` pairs whose time has come and that nobody took yet, oldest question first."""
    on_ladder = exists().where(RoutingStep.question_id == Question.id, RoutingStep.step == INVITE)
    finished = exists().where(RoutingStep.question_id == Question.id, RoutingStep.step == TELL)
    oldest = now - timedelta(days=settings.routing_horizon_days)
    live = select(Workspace.id).where(Workspace.removed_at.is_(None))
    questions = session.scalars(
        select(Question).where(Question.status == QuestionStatus.OPEN, Question.created_at >= oldest,
                               Question.workspace_id.in_(live), on_ladder, ~finished)
        .options(selectinload(Question.asker)).order_by(Question.created_at, Question.id)).all()
    if not questions:
        return []
    taken = {(q, s) for q, s in session.execute(select(RoutingStep.question_id, RoutingStep.step).where(
        RoutingStep.question_id.in_([q.id for q in questions])))}
    rules: dict[int, Policy] = {}
    due: list[tuple[int, int]] = []
    for question in questions:
        if question.workspace_id not in rules:
            rules[question.workspace_id] = policy(session, settings, question.workspace_id)
        ladder = rules[question.workspace_id]
        steps = [step for step, at in sorted(schedule(ladder, question, question.asker.timezone).items())
                 if at <= now and (question.id, step) not in taken]
        if not steps:
            continue
        pause = paused_until(session, ladder, question)
        if pause is not None and pause > now:
            continue
        due.extend((question.id, step) for step in steps)
    return due


def _more(session: Session, settings: Settings, question: Question, rules: Policy, now: datetime) -> tuple[str, list[Reply]]:
    notify = (question.conversation.workspace.settings or {}).get("expert_notify") or settings.expert_notify
    invited = invitations.invite(session, question, MORE, rules.second_invites, rules, notify, now)
    locale = language.channel_locale(session, question.conversation, settings.default_locale)
    return ("invited" if invited else "nobody",
            invitations.messages(question, [i for i in invited if i.state is InvitationState.SENT], locale))


def repost_target(session: Session, rules: Policy, question: Question) -> str | None:
    """Where an unanswered question may be reposted: a wider public channel its audience could already read.

    Only questions asked in a public channel, not anonymously, qualify: a
    private or anonymous question is never shown anywhere new. The channel
    is the first of the question's tags that has its own, else the
    workspace's; one kbbot knows to be private is never used.
    """
    if question.is_anonymous or question.conversation.kind is not ConversationKind.CHANNEL:
        return None
    channel = next((rules.tag_channels[tag.name] for tag in question.tags if tag.name in rules.tag_channels),
                   rules.repost_channel)
    if not channel or channel == question.conversation.external_id:
        return None
    known = session.scalars(select(Conversation).where(Conversation.workspace_id == question.workspace_id,
                                                       Conversation.external_id == channel)).first()
    if known is not None and known.kind is not ConversationKind.CHANNEL:
        return None
    return channel


def _repost(session: Session, settings: Settings, question: Question, rules: Policy) -> tuple[str, list[Reply]]:
    channel = repost_target(session, rules, question)
    if channel is None:
        return "not_allowed" if rules.repost_channel or rules.tag_channels else "no_channel", []
    known = session.scalars(select(Conversation).where(Conversation.workspace_id == question.workspace_id,
                                                       Conversation.external_id == channel)).first()
    locale = (language.channel_locale(session, known, settings.default_locale) if known is not None
              else settings.default_locale)
    heading = t(locale, "routing.repost", channel=cards.where(question, locale))
    item = cards.hit_item(question, None, locale)
    return "reposted", [Reply(text=heading, blocks=[
        Text(text=heading, style="heading"), ListBlock(items=[item]),
        Text(text=t(locale, "routing.repost_hint", id=question.id), style="context")],
        to=Post(conversation_id=channel), locale=locale)]


def _tell(question: Question) -> tuple[str, list[Reply]]:
    asker = question.asker
    if not asker.is_active or asker.removed_at is not None:
        return "asker_away", []
    locale = asker.locale
    heading = t(locale, "routing.tell", id=question.id)
    options = t(locale, "routing.tell_options", id=question.id)
    if not platform.capabilities(question.conversation.workspace.platform).slash_commands:
        options = registry.as_words(options)  # "edit 12 …" typed to the bot where there are no slash commands
    return "told", [Reply(text=heading, blocks=[
        Text(text=heading, style="heading"), Text(text=question.text, style="quote"),
        Text(text=options),
        Actions(buttons=[Button(label=t(locale, "routing.button.close"), action_id=actions.ROUTE_CLOSE,
                                value=str(question.id))])],
        to=DirectMessage(person_id=asker.external_id), locale=locale)]


def take(session: Session, settings: Settings, question_id: int, step: int, now: datetime,
         worker: str | None) -> list[Reply] | None:
    """Do ``step`` for the question if it is still open and nobody did it; its messages, or None."""
    question = session.get(Question, question_id)
    if question is None or question.status is not QuestionStatus.OPEN:
        return None
    if not claim_step(session, question_id, step, "taken", now, worker):
        return None
    rules = policy(session, settings, question.workspace_id)
    if step == MORE:
        outcome, replies = _more(session, settings, question, rules, now)
    elif step == REPOST:
        outcome, replies = _repost(session, settings, question, rules)
    else:
        outcome, replies = _tell(question)
    _set_outcome(session, question_id, step, outcome)
    log.info("question %s: ladder step %s %s", question_id, step, outcome)
    return replies


def _stage(session: Session, workspace_id: int, replies: Sequence[Reply], now: datetime) -> list[outbox.Parcel]:
    space = session.get(Workspace, workspace_id)
    if space is None or not replies:
        return []
    return outbox.stage(session, space.platform, space.external_id, people.by_name(session, space.id, replies), now)


def _deliver(sessions: sessionmaker[Session], outbounds: Mapping[str, Outbound], parcels: list[outbox.Parcel],
             clock: Clock) -> None:
    """Send what was staged; without a port for its platform here, the outbox sweep sends it later."""
    for name in sorted({parcel.platform for parcel in parcels}):
        port = outbounds.get(name)
        if port is not None:
            outbox.deliver(sessions, [p for p in parcels if p.platform == name], outbox.through(port), clock)


def release_due(sessions: sessionmaker[Session], settings: Settings, now: datetime) -> tuple[list[outbox.Parcel], int, int]:
    """Send the invitations whose working hours (or snooze) came; cancel those whose question was settled."""
    with unit_of_work(sessions) as session:
        due = session.execute(select(Invitation.id, Invitation.question_id).where(
            Invitation.state.in_((InvitationState.WAITING, InvitationState.SNOOZED)), Invitation.due_at <= now)
            .order_by(Invitation.due_at, Invitation.id)).all()
    by_question: dict[int, list[int]] = defaultdict(list)
    for invitation_id, question_id in due:
        by_question[question_id].append(invitation_id)
    parcels: list[outbox.Parcel] = []
    released = cancelled = 0
    for question_id, ids in by_question.items():
        with unit_of_work(sessions) as session:
            question = session.get(Question, question_id)
            if question is not None and question.conversation.workspace.removed_at is not None:
                continue  # kbbot was removed there: the invitations wait for a reinstall
            rows = session.scalars(select(Invitation).where(Invitation.id.in_(ids))
                                   .options(selectinload(Invitation.person))).all()
            won: list[tuple[Invitation, InvitationState]] = []
            settled = question is None or question.status is not QuestionStatus.OPEN
            for row in rows:
                before = row.state
                target = InvitationState.CANCELLED if settled else InvitationState.SENT
                changed = session.execute(update(Invitation).where(
                    Invitation.id == row.id, Invitation.state == before, Invitation.due_at <= now)
                    .values(state=target, sent_at=now if target is InvitationState.SENT else row.sent_at)
                    .execution_options(synchronize_session=False)).rowcount
                if changed != 1:
                    continue  # another process released it, or the expert acted meanwhile
                if settled and before is InvitationState.WAITING:
                    budget.release(session, row.person_id, row.period)  # never sent: the ping was not used
                won.append((row, before))
            if settled or question is None:
                cancelled += len(won)
                continue
            fresh = [row for row, before in won if before is InvitationState.WAITING]
            again = [row for row, before in won if before is InvitationState.SNOOZED]
            locale = language.channel_locale(session, question.conversation, settings.default_locale)
            replies = invitations.messages(question, fresh, locale)
            replies += [invitations.direct_message(row.person, question, reminder=True) for row in again]
            released += len(won)
            parcels += _stage(session, question.workspace_id, replies, now)
    return parcels, released, cancelled


def run(sessions: sessionmaker[Session], settings: Settings, outbounds: Mapping[str, Outbound], *,
        clock: Clock = system_clock, worker: str | None = None) -> RoundReport:
    """One routing round: ladder steps that are due, then invitations whose time came; never raises per question."""
    report = RoundReport()
    now = clock()
    with unit_of_work(sessions) as session:
        due = due_steps(session, settings, now)
    for question_id, step in due:
        try:
            with unit_of_work(sessions) as session:
                replies = take(session, settings, question_id, step, now, worker)
                if replies is None:
                    report.taken_elsewhere += 1
                    continue
                workspace_id = session.get(Question, question_id).workspace_id  # type: ignore[union-attr]
                parcels = _stage(session, workspace_id, replies, now)
                outcome = session.get(RoutingStep, (question_id, step))
                report.steps[f"{step}:{outcome.outcome if outcome else '?'}"] += 1
        except Exception:  # one question's failure must not stop the others; the step is retried next round
            log.exception("ladder step %s of question %s failed", step, question_id)
            continue
        _deliver(sessions, outbounds, parcels, clock)
    try:
        parcels, report.released, report.cancelled = release_due(sessions, settings, now)
    except Exception:
        log.exception("releasing waiting invitations failed")
        return report
    _deliver(sessions, outbounds, parcels, clock)
    return report
