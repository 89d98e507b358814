"""Around every send: platform ids filled in before it, what was posted recorded after it.

Adapters only translate and render. Before a reply reaches one, the core
fills in the platform ids it recorded earlier (the thread a question's card
carries, the card to replace in place, the messages listed questions live
in), so an adapter never looks anything up. After the send the adapter
reports what it posted (:class:`~kbbot.contract.replies.Posted`) and the core
records it here: the thread that makes replies answers, the card's own id,
other messages that stand for the question. Every path that sends goes
through :func:`send`, or through the outbox (:mod:`kbbot.pipeline.outbox`),
which calls :func:`resolve` and :func:`record` itself so that the record and
the outbox row's removal share one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.contract.outbound import DeliveryFailed, Outbound, Recalls
from kbbot.contract.replies import Item, ListBlock, MessageRef, Post, Posted, ReplaceCard, Reply
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Question, QuestionMessage

log = logging.getLogger(__name__)


def needs_resolving(reply: Reply) -> bool:
    """Whether :func:`resolve` has anything to fill in: most replies need no database at all."""
    to = reply.to
    if isinstance(to, Post) and to.in_thread_of is not None and to.thread_id is None:
        return True
    if isinstance(to, ReplaceCard) and to.message_id is None:
        return True
    return any(item.question_id is not None and item.posted is None
               for block in reply.blocks if isinstance(block, ListBlock) for item in block.items)


def resolve(session: Session, reply: Reply) -> Reply:
    """``reply`` with the platform ids the core knows filled in; raises DeliveryFailed when one is missing.

    A note meant for a question's thread whose card was never posted fails
    rather than landing in the channel itself, where it would ping experts
    out of context; so does a card that cannot be replaced in place.
    """
    to = reply.to
    if isinstance(to, Post) and to.in_thread_of is not None and to.thread_id is None:
        question = session.get(Question, to.in_thread_of)
        if question is None or question.message_id is None:
            raise DeliveryFailed(f"question {to.in_thread_of} was never posted; no thread to reply in")
        to = to.model_copy(update={"thread_id": question.message_id})
    elif isinstance(to, ReplaceCard) and to.message_id is None:
        question = session.get(Question, to.question_id)
        if question is None or question.message_id is None:
            raise DeliveryFailed(f"question {to.question_id} has no posted card to update")
        to = to.model_copy(update={"message_id": question.card_id or question.message_id,
                                   "thread_id": question.message_id})
    blocks = _with_posted(session, reply)
    if to is reply.to and blocks is reply.blocks:
        return reply
    return reply.model_copy(update={"to": to, "blocks": blocks})


def _with_posted(session: Session, reply: Reply) -> list[Any]:
    """List items that stand for a question, with the message it was posted as (for permalinks)."""
    wanted = {item.question_id for block in reply.blocks if isinstance(block, ListBlock)
              for item in block.items if item.question_id is not None and item.posted is None}
    if not wanted:
        return reply.blocks
    found = {row.id: MessageRef(conversation_id=row.external_id, message_id=row.message_id)
             for row in session.execute(select(Question.id, Conversation.external_id, Question.message_id)
                                        .join(Conversation, Question.conversation_id == Conversation.id)
                                        .where(Question.id.in_(wanted), Question.message_id.is_not(None)))}

    def item(entry: Item) -> Item:
        ref = found.get(entry.question_id) if entry.question_id is not None else None
        return entry.model_copy(update={"posted": ref}) if ref is not None and entry.posted is None else entry

    return [ListBlock(items=[item(entry) for entry in block.items]) if isinstance(block, ListBlock) else block
            for block in reply.blocks]


def record(session: Session, reply: Reply, posted: Posted | None) -> None:
    """Remember what the adapter posted for ``reply``, in the caller's transaction.

    A card's thread root becomes the question's ``message_id`` (replies there
    are answers); a card that is not its own root is kept as ``card_id``.
    When another question already owns that thread (a repeated delivery),
    the first one keeps it.
    """
    if posted is None:
        return
    if reply.anchor is not None:
        _record_card(session, reply.anchor.id, posted)
    about = reply.anchor.id if reply.anchor is not None else (
        reply.to.in_thread_of if isinstance(reply.to, Post) else None)
    if about is not None:
        for message_id in posted.related:
            _record_related(session, about, message_id)


def _record_card(session: Session, question_id: int, posted: Posted) -> None:
    root = posted.thread_root or posted.message_id
    question = session.get(Question, question_id)
    if question is None or root is None or question.message_id is not None:
        return
    try:
        with session.begin_nested():
            question.message_id = root
            if posted.message_id and posted.message_id != root:
                question.card_id = posted.message_id
    except IntegrityError:
        log.warning("thread %s already carries a question; question %s not linked", root, question_id)
        session.refresh(question)


def _record_related(session: Session, question_id: int, message_id: str) -> None:
    if session.get(Question, question_id) is None:
        return
    known = session.scalars(select(QuestionMessage.id).where(QuestionMessage.question_id == question_id,
                                                             QuestionMessage.message_id == message_id)).first()
    if known is None:
        session.add(QuestionMessage(question_id=question_id, message_id=message_id))


def deliver_once(sender: Outbound, workspace_id: str, reply: Reply, context: Mapping[str, Any],
                 maybe_sent_since: datetime | None = None) -> Posted | None:
    """Send ``reply``, unless an earlier attempt with its key may have posted it and the platform finds it.

    The outbox (a reply taken over from a process that stopped) and the
    scheduler (a stale claim) both come here, so that looking before
    posting again is one rule: platforms that cannot look
    (:class:`~kbbot.contract.outbound.Recalls` missing, or ``None``) send again.
    """
    if maybe_sent_since is not None and reply.key and isinstance(sender, Recalls):
        found = sender.posted_before(workspace_id, reply, maybe_sent_since)
        if found is not None:
            log.info("%s had been posted before its sender stopped; recorded, not posted again", reply.key)
            return found
    return sender.send(workspace_id, reply, context)


def send(sessions: sessionmaker[Session], sender: Outbound, workspace_id: str, reply: Reply,
         context: Mapping[str, Any] | None = None, maybe_sent_since: datetime | None = None) -> Posted | None:
    """Resolve, send and record one reply that is not in the outbox (the scheduler's sends).

    Raises what the sender raises (RetryLater, DeliveryFailed). A database
    blip after a successful send is logged, not raised: the message is out,
    and sending it again would show it twice. ``maybe_sent_since``: an earlier
    attempt (with the same ``reply.key``) may have posted it since then; a
    platform that can look (:class:`~kbbot.contract.outbound.Recalls`) is
    asked first, and what it finds is recorded instead of posting again.
    """
    ready = reply
    if needs_resolving(reply):
        with unit_of_work(sessions) as session:
            ready = resolve(session, reply)
    posted = deliver_once(sender, workspace_id, ready, dict(context or {}), maybe_sent_since)
    try:
        with unit_of_work(sessions) as session:
            record(session, ready, posted)
    except SQLAlchemyError:
        log.exception("a reply was posted but what it posted was not recorded")
    return posted
