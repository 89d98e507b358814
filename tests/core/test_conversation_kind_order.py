"""A conversation's kind widens only on news newer than its last change; narrowing always applies.

Platforms deliver late (retries, backlogs), and a late event still describes
the conversation as it was when it was sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, ConversationChanged, MessagePosted, Place
from kbbot.pipeline import inbox
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, ConversationKind

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_ids = iter(range(1_000_000))


def said(sessions: sessionmaker[Session], settings: Settings, kind: str | None,
         as_of: datetime | None) -> ConversationKind:
    """Someone posts in #ops, the payload saying ``kind`` as of ``as_of``; the kind kbbot keeps after it."""
    number = next(_ids)
    event = MessagePosted(platform="console", workspace_id="local", event_id=f"m-{number}",
                          actor=Actor(id="ann"), conversation=Place(id="C-ops", kind=kind, kind_as_of=as_of),
                          occurred_at=as_of, message_id=f"{number}.1", text="hello")
    inbox.receive(sessions, event, settings, system_clock())
    with unit_of_work(sessions) as session:
        return session.scalars(select(Conversation.kind).where(Conversation.external_id == "C-ops")).one()


def test_old_news_never_makes_a_private_channel_public_again(sessions: sessionmaker[Session],
                                                             settings: Settings) -> None:
    assert said(sessions, settings, "channel", T0) is ConversationKind.CHANNEL
    assert said(sessions, settings, "private", T0 + timedelta(minutes=10)) is ConversationKind.PRIVATE
    assert said(sessions, settings, "channel", T0 + timedelta(minutes=9)) is ConversationKind.PRIVATE
    assert said(sessions, settings, "channel", T0 + timedelta(minutes=10)) is ConversationKind.PRIVATE  # a tie
    assert said(sessions, settings, "channel", None) is ConversationKind.PRIVATE  # undated: a remembered kind
    assert said(sessions, settings, "channel", T0 + timedelta(minutes=11)) is ConversationKind.CHANNEL


def test_narrowing_applies_whatever_its_age(sessions: sessionmaker[Session], settings: Settings) -> None:
    assert said(sessions, settings, "channel", T0) is ConversationKind.CHANNEL
    assert said(sessions, settings, "private", None) is ConversationKind.PRIVATE
    # Undated narrowing counts from when it was handled: earlier-dated news cannot undo it.
    assert said(sessions, settings, "channel", datetime.now(UTC) - timedelta(minutes=1)) is ConversationKind.PRIVATE


def test_a_conversion_to_public_applies_when_it_is_the_newest_news(sessions: sessionmaker[Session],
                                                                 settings: Settings) -> None:
    assert said(sessions, settings, "private", T0) is ConversationKind.PRIVATE
    made_public = ConversationChanged(platform="console", workspace_id="local", event_id="converted",
                                      actor=Actor(id="ann"), occurred_at=T0 + timedelta(hours=1),
                                      conversation=Place(id="C-ops", kind="channel",
                                                         kind_as_of=T0 + timedelta(hours=1)))
    assert inbox.receive(sessions, made_public, settings, system_clock()) == []
    assert said(sessions, settings, None, None) is ConversationKind.CHANNEL
    assert said(sessions, settings, "private", T0 + timedelta(minutes=30)) is ConversationKind.PRIVATE  # old, narrows
