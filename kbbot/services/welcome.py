"""Welcoming newcomers: one direct message, in their language, the first time they join.

A newcomer does not know kbbot exists, nor what colleagues already
answered. When someone joins the workspace or a channel, kbbot tells them
what it is, the three commands that matter, and a starter pack: the
accepted answers most used in the channels they are in, and those
channels' tags, only what they may see (:mod:`kbbot.store.visibility`).

Once per person: a :class:`~kbbot.store.models.Welcome` row is inserted
with the greeting, under its primary key, so joining three channels (three
events, possibly handled by two processes at the same moment) gives one
greeting: the second insert fails on the key and greets no one.

Only newcomers: someone kbbot first met within :data:`NEWCOMER_DAYS` days,
with nothing they wrote older than that (:func:`_newcomer`). A colleague of
years who joins one more channel is not told what kbbot is.

Off per workspace: the operator's default (``KBBOT_WELCOME``), unless the
workspace stored its own choice (:func:`set_enabled`, for ``/kb admin``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from kbbot.clock import as_utc
from kbbot.config import Settings
from kbbot.contract.events import PersonJoined
from kbbot.contract.replies import DirectMessage, Item, ListBlock, Reply, Text
from kbbot.presentation import cards
from kbbot.services.turn import Turn
from kbbot.store.models import (
    Activity,
    Answer,
    Conversation,
    ConversationKind,
    Membership,
    Question,
    QuestionStatus,
    QuestionTag,
    Tag,
    Vote,
    Welcome,
    Workspace,
)
from kbbot.store.visibility import visible_questions

SETTING = "welcome"
"""The workspace's own choice in :attr:`Workspace.settings` (true or false); absent: the operator's default."""
NEWCOMER_DAYS = 30
STARTER_ANSWERS = 5
STARTER_TAGS = 8
COMMANDS = ("welcome.command_ask", "welcome.command_search", "welcome.command_expertise")
"""The three commands that matter to someone new: ask, find, and say what you know."""
USES = ("found_answer",)
"""Activities that count as someone using an answer (it answered their question before they asked)."""


def enabled(workspace: Workspace, settings: Settings) -> bool:
    """Whether newcomers are greeted in ``workspace``: its stored choice, else the operator's default."""
    stored = (workspace.settings or {}).get(SETTING)
    return settings.welcome if stored is None else bool(stored)


def set_enabled(workspace: Workspace, on: bool | None) -> None:
    """Store the workspace's own choice (``None``: back to the operator's default), for an admin command."""
    changed = {key: value for key, value in (workspace.settings or {}).items() if key != SETTING}
    if on is not None:
        changed[SETTING] = on
    workspace.settings = changed  # a new dict, so that the JSON column is written


def greet(turn: Turn, event: PersonJoined) -> list[Reply]:
    """The one welcome for the person who joined, if they are new and the workspace wants it."""
    person = turn.person
    if person.is_bot or not person.is_active or not enabled(turn.workspace, turn.settings):
        return []
    if not _newcomer(turn):
        return []
    try:
        with turn.session.begin_nested():
            turn.session.add(Welcome(person_id=person.id, greeted_at=turn.now))
    except IntegrityError:
        return []  # greeted already, maybe a moment ago by another process
    # Some platforms name nobody in a join (Teams' membersAdded): better no name than a platform id.
    heading = turn.say("welcome.heading", name=person.display_name) if person.display_name \
        else turn.say("welcome.heading_unnamed")
    blocks = [Text(text=heading, style="heading"), Text(text=turn.say("welcome.what")),
              Text(text=turn.say("welcome.commands")), ListBlock(items=[_line(turn, key) for key in COMMANDS])]
    blocks.extend(_starter_pack(turn))
    blocks.append(Text(text=turn.say("welcome.footer"), style="context"))
    return [Reply(text=heading, blocks=blocks, to=DirectMessage(person_id=person.external_id), locale=turn.locale)]


def _newcomer(turn: Turn) -> bool:
    """First met within :data:`NEWCOMER_DAYS` days, and nothing they wrote is older than that.

    The second half matters where people are known before they act (a
    roster synced, a history imported with its authors and dates): someone
    who asked or answered months ago is no newcomer, whenever kbbot met them.
    """
    since = as_utc(turn.now) - timedelta(days=NEWCOMER_DAYS)
    person = turn.person
    if as_utc(person.created_at) < since:
        return False
    older = [select(Question.id).where(Question.asker_id == person.id, Question.created_at < since),
             select(Answer.id).where(Answer.author_id == person.id, Answer.created_at < since)]
    return not any(turn.session.scalar(query.limit(1)) is not None for query in older)


def _line(turn: Turn, key: str) -> Item:
    return Item(text=turn.say(key))


def _joined(turn: Turn) -> list[Conversation]:
    """The channels the newcomer is known to be in (the one just joined included)."""
    return list(turn.session.scalars(
        select(Conversation).join(Membership, Membership.conversation_id == Conversation.id)
        .where(Membership.person_id == turn.person.id, Conversation.kind != ConversationKind.DM)
        .order_by(Conversation.id)))


def _public(turn: Turn) -> list[Conversation]:
    return list(turn.session.scalars(select(Conversation).where(
        Conversation.workspace_id == turn.workspace.id, Conversation.kind == ConversationKind.CHANNEL)
        .order_by(Conversation.id)))


def _starter_pack(turn: Turn) -> list[Text | ListBlock]:
    """The most used accepted answers of the newcomer's channels, and those channels' tags.

    Where those channels know nothing yet (or the person joined the
    workspace before any channel), the workspace's public channels stand in:
    what anyone there may read. Only what the newcomer may see, either way.
    """
    visible = visible_questions(turn.person)
    joined = _joined(turn)
    channels, ranked = joined, _ranked(turn, [c.id for c in joined], visible)
    if not ranked:
        channels = _public(turn)
        ranked = _ranked(turn, [c.id for c in channels], visible)
    if not ranked:
        return [Text(text=turn.say("welcome.empty"))]
    ids = [c.id for c in channels]
    if channels is joined:
        heading = turn.say("welcome.pack", channels=", ".join(f"#{c.name or c.external_id}" for c in joined[:5]))
    else:
        heading = turn.say("welcome.pack_workspace")
    blocks: list[Text | ListBlock] = [
        Text(text=heading, style="heading"),
        ListBlock(items=[cards.hit_item(question, answer, turn.locale) for question, answer in ranked])]
    tags = list(turn.session.scalars(
        select(Tag.name).join(QuestionTag, QuestionTag.tag_id == Tag.id)
        .join(Question, Question.id == QuestionTag.question_id)
        .where(Question.conversation_id.in_(ids), visible)
        .group_by(Tag.name).order_by(func.count().desc(), Tag.name).limit(STARTER_TAGS)))
    if tags:
        blocks.append(Text(text=turn.say("welcome.tags", tags=" ".join(f"#{tag}" for tag in tags)), style="context"))
    return blocks


def _ranked(turn: Turn, channel_ids: list[int], visible: ColumnElement[bool]) -> list[tuple[Question, Answer]]:
    """Accepted answers of those channels, most used first: upvotes plus times they answered someone's question.

    The seam for verified answers (a later issue): once an answer can be
    verified, order by verified first, then by use, here and nowhere else.
    """
    if not channel_ids:
        return []
    votes = select(func.count()).where(Vote.answer_id == Answer.id).correlate(Answer).scalar_subquery()
    uses = (select(func.count()).where(Activity.kind.in_(USES), Activity.subject_id == Question.id)
            .correlate(Question).scalar_subquery())
    rows = turn.session.execute(
        select(Question, Answer)
        .join(Answer, Answer.question_id == Question.id)
        .where(Question.conversation_id.in_(channel_ids), visible,
               Question.status == QuestionStatus.ACCEPTED, Answer.is_accepted, Answer.deleted_at.is_(None))
        .order_by((votes + uses).desc(), Question.updated_at.desc(), Question.id.desc())
        .limit(STARTER_ANSWERS)).all()
    return [(question, answer) for question, answer in rows]
