"""The language of a conversation: what kbbot posts where everyone reads it is in one language.

The rule, the same for every message kbbot posts in a conversation (a
question's card and its replacement, the experts' invitation, notes in its
thread, the channel's digest and its confirmation):

1. the language set for the conversation with ``/kb channel language``;
2. else the language most of its known members use (active people, not bots,
   whose language kbbot knows: a member it only has from the platform's
   roster, never heard from, has no language yet and does not count);
3. on a tie, or when nobody is known there, the workspace's default.

What only one person sees (a confirmation, a DM) stays in that person's
language; :func:`channel_locale` is only for what a whole conversation reads.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kbbot.commands import command, grammar
from kbbot.contract.replies import Post, Reply, Text
from kbbot.i18n import DEFAULT_LOCALE, LOCALES, t
from kbbot.presentation import cards
from kbbot.services.turn import Turn
from kbbot.store.models import Conversation, ConversationKind, Membership, Person


def channel_locale(session: Session, conversation: Conversation, default_locale: str) -> str:
    """The language kbbot posts in ``conversation`` in (see the module's rule); always one of ``LOCALES``."""
    if conversation.locale in LOCALES:
        return conversation.locale
    return members_locale(session, conversation, default_locale)


def members_locale(session: Session, conversation: Conversation, default_locale: str) -> str:
    """The language most of the conversation's known members use; ``default_locale`` on a tie or when none."""
    default = default_locale if default_locale in LOCALES else DEFAULT_LOCALE
    counts = Counter({locale: number for locale, number in session.execute(
        select(Person.locale, func.count()).join(Membership, Membership.person_id == Person.id)
        .where(Membership.conversation_id == conversation.id, Person.is_active, Person.is_bot.is_(False),
               Person.locale.in_(LOCALES), or_(Person.locale_chosen, Person.display_name.is_not(None)))
        .group_by(Person.locale))})
    if not counts:
        return default
    most = max(counts.values())
    leaders = sorted(locale for locale, number in counts.items() if number == most)
    return leaders[0] if len(leaders) == 1 else default


def turn_channel_locale(turn: Turn, conversation: Conversation) -> str:
    """:func:`channel_locale` with the workspace default of ``turn``'s settings."""
    return channel_locale(turn.session, conversation, turn.settings.default_locale)


@command("channel", verbs=("channel", "kanaal"), parse=grammar.channel, usage="help.channel",
         who="channel member", order=135)
def channel_command(turn: Turn, command: grammar.ChannelLanguage) -> list[Reply]:
    """``/kb channel language nl|en|auto``: set (or show) the language kbbot posts in here.

    A change is announced in the channel, in its new language: it changes
    what everyone there reads, so everyone there hears of it, and by whom.
    """
    where = turn.conversation
    if where.kind is ConversationKind.DM:
        return [turn.notice("channel.language_not_here")]
    label = f"#{where.name}" if where.name else turn.say("channel.this_channel")
    if not command.automatic and command.locale is None:
        locale = turn_channel_locale(turn, where)
        key = "channel.language_shown_set" if where.locale in LOCALES else "channel.language_shown_members"
        return [turn.notice(key, channel=label, language=turn.say(f"language.{locale}"))]
    if where.locale == command.locale:  # set to what it is, or "auto" where nothing was set: nothing changes
        locale = turn_channel_locale(turn, where)
        return [turn.notice("channel.language_unchanged", channel=label, language=turn.say(f"language.{locale}"))]
    where.locale = command.locale
    locale = turn_channel_locale(turn, where)
    language = t(locale, f"language.{locale}")
    if command.automatic:
        text = t(locale, "channel.language_automatic", channel=label, language=language)
    else:
        text = t(locale, "channel.language_set", channel=label, language=language, person=cards.name(turn.person))
    return [Reply(text=text, blocks=[Text(text=text)], to=Post(conversation_id=where.external_id), locale=locale)]
