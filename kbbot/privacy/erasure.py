"""Erasure (GDPR article 17): a person's own data deleted, their knowledge kept but naming nobody.

Driven by :mod:`kbbot.privacy.personal`: every column that refers to the
person gets its policy (delete the row, repoint it to the workspace's
"former colleague", or null it); person ids kept without a foreign key are
deleted by :data:`~kbbot.privacy.personal.REFERENCES`. Then what is not a
column of the schema: mentions of their platform id in knowledge text become
"@a former colleague", queued events and replies that carry their id or name
are dropped, their direct-message conversation with kbbot goes, and the
search index is brought up to date. Last, the person row itself, leaving
only a keyed hash of their platform id (:mod:`kbbot.privacy.erased`) so that
an import of old history (``kbbot import``) does not create them again: what
an export holds of theirs comes in as the "former colleague"'s, their
reactions are no votes. Only imports of history are held back: if the same
platform id later uses kbbot live (they rejoined), that is a new person.

Everything happens in the caller's transaction: an erasure is all or nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.i18n import t
from kbbot.privacy import erased, personal
from kbbot.privacy.personal import Action
from kbbot.privacy.placeholder import EXTERNAL_ID, former_colleague
from kbbot.search import indexer
from kbbot.store.models import (
    Answer,
    AnswerRevision,
    Conversation,
    ConversationKind,
    Draft,
    Flag,
    InboundEvent,
    Membership,
    OutboxReply,
    Person,
    PlatformAddress,
    Question,
    SharedPost,
    Workspace,
)
from kbbot.text.mentions import user_mention_patterns


KNOWLEDGE_SETTING = "erasure_knowledge"
"""A workspace setting: ``keep`` (the default) de-identifies an erased person's knowledge, ``delete`` removes it."""
KEEP, DELETE = "keep", "delete"

_PLATFORM_SHAPED = re.compile(r"^(?=.*\d)[\w:.@-]{6,}$")
"""An id a platform made up (``U012AB3CD``, ``29:1f…``): safe to replace where it stands alone in text."""

KNOWLEDGE_TEXT = (Question.text, Answer.text, AnswerRevision.previous_text, SharedPost.text, Flag.reason, Draft.text)
"""Text that colleagues wrote and that stays: mentions of an erased person in it are rewritten."""


@dataclass
class Erased:
    """What an erasure did, per ``<table>.<column>`` and action, for the operator's and the person's summary."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, count: int) -> None:
        if count:
            self.counts[what] += count

    def lines(self) -> list[str]:
        return [f"{what}: {count}" for what, count in sorted(self.counts.items())]


def knowledge_policy(space: Workspace) -> str:
    value = (space.settings or {}).get(KNOWLEDGE_SETTING)
    return DELETE if value == DELETE else KEEP


def forget(session: Session, person: Person, now: datetime) -> Erased:
    """Erase ``person`` (see the module); returns what was done. The placeholder itself cannot be erased."""
    if person.external_id == EXTERNAL_ID:
        raise ValueError("the former-colleague placeholder holds no one's data")
    space = session.get(Workspace, person.workspace_id)
    assert space is not None
    done = Erased()
    placeholder = former_colleague(session, space.id, now)
    session.flush()
    delete_knowledge = knowledge_policy(space) == DELETE
    touched_questions = set(session.scalars(select(Answer.question_id).where(Answer.author_id == person.id)))
    touched_posts: set[int] = set()
    _rewrite_mentions(session, space, person, done, touched_questions, touched_posts)
    _own_conversations(session, space, person, done)  # found through memberships, which go next
    for found in personal.person_columns():
        rule = personal.policy(found)
        table, column = found.table, found.column
        if rule.own_when_null is not None:
            own = and_(column == person.id, table.c[rule.own_when_null].is_(None))
            done.add(f"{found.key} (own)", session.execute(delete(table).where(own)).rowcount)
        action = rule.action
        if action is Action.KNOWLEDGE:
            action = Action.DELETE if delete_knowledge else Action.DEIDENTIFY
        if action is Action.DELETE:
            done.add(found.key, session.execute(delete(table).where(column == person.id)).rowcount)
        elif action is Action.NULL:
            done.add(found.key, session.execute(update(table).where(column == person.id).values(
                {column.name: None})).rowcount)
        else:
            done.add(found.key, _repoint(session, found, person.id, placeholder.id))
    for ref in personal.REFERENCES:
        condition = ref.condition(person.id, person.external_id, space.platform, space.external_id)
        done.add(f"{ref.table}.{ref.column}", session.execute(
            delete(personal.Base.metadata.tables[ref.table]).where(condition)).rowcount)
    _operational(session, space, person, done)
    erased.remember(session, space, person.external_id, now)
    session.execute(delete(Person).where(Person.id == person.id))
    done.add("people.id", 1)
    # The caller may still read the erased person's language for its last reply: keep the loaded object
    # out of the session, and let everything else reload what the statements above changed.
    if person in session:
        session.expunge(person)
    session.expire_all()
    connection = session.connection()
    indexer.reindex_questions(connection, touched_questions)
    indexer.reindex_posts(connection, touched_posts)
    indexer.backend_of(connection).compact(connection)
    return done


def _repoint(session: Session, found: personal.PersonColumn, person_id: int, placeholder_id: int) -> int:
    """Point the rows at the placeholder; a row that would then repeat one the placeholder has is deleted.

    (Two erased people who both upvoted an answer leave one upvote: the key is
    (answer, person).) Tried as one statement first, row by row only when that collides.
    """
    table, column = found.table, found.column
    try:
        with session.begin_nested():
            return session.execute(update(table).where(column == person_id).values(
                {column.name: placeholder_id})).rowcount
    except IntegrityError:
        pass
    keys = list(table.primary_key.columns)
    moved = 0
    for row in session.execute(select(*keys).where(column == person_id)).all():
        match = and_(*(key == value for key, value in zip(keys, row)))
        try:
            with session.begin_nested():
                moved += session.execute(update(table).where(match).values({column.name: placeholder_id})).rowcount
        except IntegrityError:
            session.execute(delete(table).where(match))
    return moved


def _rewrite_mentions(session: Session, space: Workspace, person: Person, done: Erased,
                      questions: set[int], posts: set[int]) -> None:
    """Mentions of the person by platform id in what stays become "@a former colleague"."""
    for column in KNOWLEDGE_TEXT:
        table = column.table
        rows = session.execute(select(*table.primary_key.columns, column)
                               .where(column.contains(person.external_id, autoescape=True))).all()
        for row in rows:
            *keys, text = row
            rewritten = without_mentions(text, {person.external_id})
            if rewritten == text:
                continue
            match = and_(*(key == value for key, value in zip(table.primary_key.columns, keys)))
            session.execute(update(table).where(match).values({column.name: rewritten}))
            done.add(f"{table.name}.{column.name} (mention)", 1)
            if table.name == "questions":
                questions.add(keys[0])
            elif table.name == "answers":
                questions.update(session.scalars(select(Answer.question_id).where(Answer.id == keys[0])))
            elif table.name == "shared_posts":
                posts.add(keys[0])


def without_mentions(text: str, external_ids: Collection[str]) -> str:
    """``text`` with every mention of these platform ids (as the platforms write them, or a bare id) made
    "@a former colleague": erasure rewrites what stays with it, an import of history what it brings in."""
    label = "@" + t("en", "privacy.former_colleague")
    for pattern in user_mention_patterns():
        text = pattern.sub(lambda m: label if m.group("id") in external_ids else m.group(0), text)
    for external_id in external_ids:
        if _PLATFORM_SHAPED.match(external_id) and external_id in text:
            text = re.sub(rf"(?<![\w-]){re.escape(external_id)}(?![\w-])", label, text)
    return text


def mentioned(text: str) -> set[str]:
    """The platform ids ``text`` mentions as the platforms write mentions."""
    return {m.group("id") for pattern in user_mention_patterns() for m in pattern.finditer(text)}


def _own_conversations(session: Session, space: Workspace, person: Person, done: Erased) -> None:
    """Their direct-message conversations with kbbot (and the addresses kbbot kept for them) go too."""
    own = list(session.scalars(select(Conversation).join(Membership, Membership.conversation_id == Conversation.id)
                               .where(Membership.person_id == person.id, Conversation.kind == ConversationKind.DM)))
    for conversation in own:
        session.execute(delete(PlatformAddress).where(
            PlatformAddress.platform == space.platform, PlatformAddress.workspace_id == space.external_id,
            PlatformAddress.scope == "conversation", PlatformAddress.key == conversation.external_id))
        session.execute(delete(Conversation).where(Conversation.id == conversation.id))
    done.add("conversations (direct messages)", len(own))


def needles(person: Person) -> list[str]:
    """How the person's platform id appears in stored JSON: as typed and as JSON escapes it."""
    return sorted({person.external_id, json.dumps(person.external_id)[1:-1]})


def _mentions_any(column, values: list[str]):  # type: ignore[no-untyped-def]
    text = func.lower(cast(column, Text))
    return or_(*(text.contains(value.lower(), autoescape=True) for value in values))


def _acted_by(payload: object, space: Workspace, person: Person) -> bool:
    if not isinstance(payload, dict):
        return False
    actor = payload.get("actor")
    return (isinstance(actor, dict) and actor.get("id") == person.external_id
            and payload.get("workspace_id") == space.external_id)


def _operational(session: Session, space: Workspace, person: Person, done: Erased) -> None:
    """Events the person caused that wait to be handled, and replies that carry their id: dropped.

    Handled events keep only their type (kbbot.pipeline.inbox), so only a
    queued event still holds what they did; a colleague's queued message that
    mentions them is the colleague's and is handled as usual (mentions in
    knowledge are rewritten above, names in colleagues' own words are theirs).
    A reply to them, or one that names them by id, is not sent after they asked to be forgotten.
    """
    values = needles(person)
    carries = and_(InboundEvent.platform == space.platform,
                   or_(_mentions_any(InboundEvent.payload, values), _mentions_any(InboundEvent.context, values)))
    queued = [row_id for row_id, status, payload in session.execute(
        select(InboundEvent.id, InboundEvent.status, InboundEvent.payload).where(carries))
        if status == "pending" and _acted_by(payload, space, person)]
    if queued:
        done.add("inbound_events (queued)", session.execute(
            delete(InboundEvent).where(InboundEvent.id.in_(queued))).rowcount)
    # A handled one keeps its key (a redelivery must still be recognised), not what it carried.
    done.add("inbound_events (handled)", session.execute(update(InboundEvent).where(
        carries, InboundEvent.status != "pending").values(payload={"type": "erased"}, context=None)).rowcount)
    replies = and_(OutboxReply.platform == space.platform, OutboxReply.workspace_id == space.external_id,
                   or_(_mentions_any(OutboxReply.reply, values), _mentions_any(OutboxReply.context, values)))
    done.add("outbox", session.execute(delete(OutboxReply).where(replies)).rowcount)
    addresses = and_(PlatformAddress.platform == space.platform, PlatformAddress.workspace_id == space.external_id,
                     _mentions_any(PlatformAddress.address, values))
    done.add("platform_addresses.address", session.execute(delete(PlatformAddress).where(addresses)).rowcount)
