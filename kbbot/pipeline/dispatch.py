"""The core's single entry point: one inbound event in, the replies to show out.

:func:`handle` runs inside the caller's transaction. It first records the
event's platform id under a unique key; a repeated delivery finds the key
taken and returns no replies, so retries are harmless even across replicas.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.contract import actions, forms
from kbbot import commands
from kbbot.config import MAX_TEXT_LENGTH, Settings
from kbbot.contract.events import (
    UNREADABLE,
    AppInstalled,
    AppRemoved,
    ButtonClicked,
    CommandInvoked,
    ConversationChanged,
    FormSubmitted,
    HomeOpened,
    InboundEvent,
    MembersSynced,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    PersonChanged,
    PersonJoined,
    ReactionAdded,
    ReactionRemoved,
    ThreadSaved,
)
from kbbot.commands.small_talk import small_talk
from kbbot.contract.replies import Reply, Text
from kbbot.presentation import links, people
from kbbot.privacy import admins
from kbbot.services import (admin, admin_form, alumni, answering, asking, directory, home, profile, prompts, routing, saving,
                            verification, welcome)
from kbbot.services import privacy as privacy_requests
from kbbot.store.models import ConversationKind, Person
from kbbot.store.models import InboundEvent as InboundEventRow
from kbbot.services.turn import Turn

log = logging.getLogger(__name__)


def inbound_values(event: InboundEvent, now: datetime, status: str = "done") -> dict[str, Any]:
    """The columns that record ``event`` under its platform id; the unique key makes a repeat fail."""
    done = status == "done"
    return {"platform": event.platform, "event_key": event.event_id, "payload": event.model_dump(mode="json"),
            "status": status, "attempts": int(done), "received_at": now, "processed_at": now if done else None}


def inbound_row(event: InboundEvent, now: datetime, status: str = "done") -> InboundEventRow:
    """:func:`inbound_values` as an ORM row, for recording inside a caller's session."""
    return InboundEventRow(**inbound_values(event, now, status))


def claim(session: Session, event: InboundEvent, now: datetime) -> bool:
    """Record the event's id inside the caller's transaction; False when it was already recorded."""
    try:
        with session.begin_nested():
            session.add(inbound_row(event, now))
        return True
    except IntegrityError:
        return False


def handle(session: Session, event: InboundEvent, now: datetime, settings: Settings,
           already_claimed: bool = False) -> list[Reply]:
    """Apply ``event`` to the knowledge base and return what to show, in order.

    ``already_claimed`` is for callers that recorded the event themselves
    (an adapter that persists before acknowledging, then works).
    """
    if not already_claimed and not claim(session, event, now):
        log.info("duplicate delivery %s/%s ignored", event.platform, event.event_id)
        return []
    if isinstance(event, AppRemoved | AppInstalled):
        _installed(session, event, now, settings)
        return []
    if event.actor.is_bot:
        return []
    if isinstance(event, PersonChanged):
        _person_changed(session, event, now, settings)
        return []
    found = directory.whereabouts(session, event.platform, event.workspace_id, event.workspace_name, event.actor,
                                  event.conversation, now, settings.default_timezone, settings.default_locale)
    space, person, where = found.workspace, found.person, found.conversation
    admins.note(session, person, event.actor.is_admin, now)
    if event.occurred_at is not None:
        # Used after it was removed: installed again. Only an event that says when it happened
        # counts; one accepted before the removal but handled after it must not.
        if space.removed_at is not None:
            directory.seen_present(space, event.occurred_at)
        if person.removed_at is not None and where.kind is ConversationKind.DM:
            directory.seen_present(person, event.occurred_at)  # back in their own chat with kbbot
    if isinstance(event, MembersSynced):
        directory.sync_members(session, space, where, event.member_ids, now, settings.default_timezone)
        return []
    if isinstance(event, ConversationChanged):
        return []  # the new kind was applied with the conversation's row, above
    # Joining the workspace happens in no channel: the event names the person's own chat with kbbot.
    joined_workspace = isinstance(event, PersonJoined) and where.kind is ConversationKind.DM
    if not isinstance(event, HomeOpened) and not joined_workspace and not found.is_member:
        directory.join(session, where, person, now)
    session.flush()
    # A group's owner (a Teams team's) counts only where the group is: in a shared conversation, never a DM.
    owns_place = bool(event.actor.owns_place) and where.kind is not ConversationKind.DM
    turn = Turn(session=session, workspace=space, person=person, conversation=where, now=now, settings=settings,
                owns_place=owns_place)
    # People mentioned by id in what colleagues wrote are shown by name, never by their id.
    return links.with_links(people.by_name(session, space.id, _route(turn, event)), settings.web_url)


def _installed(session: Session, event: AppRemoved | AppInstalled, now: datetime, settings: Settings) -> None:
    """Installed in, or removed from, a whole workspace, or one person's own chat (``conversation`` a DM)."""
    present, at = isinstance(event, AppInstalled), event.occurred_at or now
    if event.conversation.kind == "dm":
        found = directory.whereabouts(session, event.platform, event.workspace_id, event.workspace_name,
                                      event.actor, event.conversation, now, settings.default_timezone,
                                      settings.default_locale)
        directory.installed(found.person, present, at)
    else:
        directory.installed(directory.workspace(session, event.platform, event.workspace_id, event.workspace_name,
                                                now), present, at)


def _person_changed(session: Session, event: PersonChanged, now: datetime, settings: Settings) -> None:
    """A profile (a guest or not) or a departure: the person's row, and their answers' owners when they left.

    Someone kbbot never met is not added for it (a workspace's every profile
    change would enrol everyone), except a guest: who may see what is known
    from their first event on.
    """
    space = directory.workspace(session, event.platform, event.workspace_id, event.workspace_name, now)
    known = session.scalars(select(Person).where(Person.workspace_id == space.id,
                                                 Person.external_id == event.actor.id)).first()
    if known is None and not event.actor.is_guest:
        return
    person = directory.person(session, space, event.actor, now, settings.default_timezone, settings.default_locale)
    if event.left:
        alumni.left(session, person, event.occurred_at or now)
    elif event.occurred_at is not None:
        alumni.returned(person, event.occurred_at)  # reactivated or added back, after they left


def _route(turn: Turn, event: InboundEvent) -> list[Reply]:
    match event:
        case CommandInvoked(command=name, text=text):
            if UNREADABLE in text:
                return [turn.notice("error.unreadable")]
            return run_command(turn, commands.parse(name, text))
        case MessagePosted():
            return _message(turn, event)
        case MessageEdited(message_id=message_id, text=text):
            answer = answering.answer_for_message(turn, message_id)
            if answer is None or answer.author_id != turn.person.id:
                return []
            if len(text) > MAX_TEXT_LENGTH:
                return [_too_long(turn, text)]
            # Emptying an answer's message is taking the answer back.
            return answering.edit(turn, answer, text) if text.strip() else answering.retract(turn, answer)
        case MessageDeleted(message_id=message_id):
            answer = answering.answer_for_message(turn, message_id)
            return answering.retract(turn, answer) if answer else []
        case ReactionAdded(message_id=message_id, reaction=reaction):
            return answering.react(turn, message_id, reaction, added=True)
        case ReactionRemoved(message_id=message_id, reaction=reaction):
            return answering.react(turn, message_id, reaction, added=False)
        case ButtonClicked():
            return _button(turn, event)
        case HomeOpened():
            return home.home(turn)
        case ThreadSaved():
            return saving.save(turn, event)
        case FormSubmitted(form=forms.SETTINGS):
            return admin_form.submit(turn, event)
        case PersonJoined():
            return welcome.greet(turn, event)
    return []


def _message(turn: Turn, event: MessagePosted) -> list[Reply]:
    in_dm = turn.conversation.kind is ConversationKind.DM
    in_thread = bool(event.thread_id and event.thread_id != event.message_id)
    if (event.mentions_bot or in_dm) and (talk := small_talk(event.text)) is not None:
        # "thanks!" to kbbot is neither a question nor what someone learned this week.
        return [turn.notice(f"chat.{talk}")]
    wol = prompts.reply_to_prompt(turn, event)
    if wol is not None:
        return wol
    if event.thread_id and in_thread:
        question = answering.question_in_thread(turn, event.thread_id)
        if question is not None:
            if len(event.text) > MAX_TEXT_LENGTH:
                return [_too_long(turn, event.text)]
            return answering.capture(turn, question, event.message_id, event.text)
    if not (event.mentions_bot or in_dm):
        return []
    if UNREADABLE in event.text:
        return [turn.notice("error.unreadable")]  # never a question or a command made of garbled words
    # "@kbbot how do I …" or a DM to the bot: a known verb is a command, anything else a question.
    parsed = commands.parse_message(event.text)
    if isinstance(parsed, commands.UsageError) and parsed.key == "error.unknown_command":
        if in_dm and in_thread:
            # A reply under one of kbbot's own DMs ("Bob answered your question") talks back to that
            # message; it is not a new question. kbbot keeps no record of its DMs' ids, but in a DM
            # with kbbot a thread continues something already said.
            return [turn.notice("chat.thread_reply")]
        parsed = commands.parse("ask", event.text)
        if isinstance(parsed, commands.Ask) and in_dm:
            # Anything typed to the bot may be small talk: confirm before posting it for everyone.
            return asking.ask(turn, parsed, confirm=True)
    if isinstance(parsed, commands.Ask) and parsed.anonymous and not in_dm:
        # The message itself shows the asker's name right above an "anonymous" question.
        return [turn.notice("ask.anon_needs_dm")]
    return run_command(turn, parsed)


def _too_long(turn: Turn, text: str) -> Reply:
    return turn.notice("error.too_long", limit=MAX_TEXT_LENGTH, length=len(text))


def _button(turn: Turn, event: ButtonClicked) -> list[Reply]:
    own = prompts.on_button(turn, event)
    if own is not None:
        return own
    invited = routing.on_button(turn, event)
    if invited is not None:
        return invited
    if (erasure := privacy_requests.on_button(turn, event)) is not None:
        return erasure
    if (setting := admin.on_button(turn, event)) is not None:
        return setting
    value = event.value
    number = commands.small_int(value)
    match event.action_id:
        case actions.ACCEPT if number is not None:
            return answering.accept(turn, number)
        case actions.UPVOTE if number is not None:
            return answering.vote(turn, number) or [turn.notice("answer.upvoted")]
        case actions.FLAG_OUTDATED if number is not None:
            return answering.flag(turn, number, "outdated", None)
        case actions.ASK_ANYWAY if number is not None:
            return asking.ask_anyway(turn, number)
        case actions.ASK_ANONYMOUSLY if number is not None:
            return asking.ask_anyway(turn, number, anonymous=True)
        case actions.FOLLOW if number is not None:
            return answering.follow(turn, number)
        case actions.THIS_ANSWERS_IT:
            return asking.this_answers_it(turn, value)
        case actions.STILL_RIGHT if number is not None:
            return verification.verify(turn, number)
        case actions.UPDATE_ANSWER if number is not None:
            return verification.ask_update(turn, number)
        case actions.RETIRE_ANSWER if number is not None:
            return verification.retire(turn, number)
        case actions.SET_LANGUAGE:
            profile.set_language(turn, value)
            return home.home(turn)
        case actions.TOGGLE_PROMPTS:
            profile.switch(turn, "prompts", value)
            return home.home(turn)
        case actions.TOGGLE_DIGEST:
            profile.switch(turn, "digest", value)
            return home.home(turn)
    log.warning("unknown button %r with value %r", event.action_id, value[:40])
    return [turn.notice("error.unknown_action")]


def run_command(turn: Turn, parsed: commands.Command | commands.UsageError) -> list[Reply]:
    """Carry out a parsed command by its registered handler; a usage error becomes a short localised usage line."""
    if isinstance(parsed, commands.UsageError):
        text = turn.say(parsed.key, **parsed.params_in(turn.locale))
        usage = turn.say("usage.hint")
        return [turn.private(text, [Text(text=text), Text(text=usage, style="context")])]
    spec = commands.registry.by_type(parsed)
    if spec is None:
        raise AssertionError(f"no registered handler for {parsed!r}")
    return spec.handle(turn, parsed)  # type: ignore[no-any-return]
