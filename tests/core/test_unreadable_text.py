"""Text that is not valid Unicode is cleaned where events enter the core, and the person is told.

A lone surrogate (``\\ud800``: half of a character, which a JSON ``\\u`` escape
can carry) cannot be stored in PostgreSQL nor encoded as UTF-8. Every adapter
builds the core's event models, so they are where it is replaced; a command
whose text lost characters is answered with a notice instead of being run on
garbled words, and nothing is left pending.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, MessagePosted, Place
from kbbot.pipeline import inbox
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent, Person, Question

LONE = "\ud800"


def base(event_id: str, actor: Actor) -> dict[str, object]:
    return {"platform": "console", "workspace_id": "local", "event_id": event_id, "actor": actor,
            "conversation": Place(id="C-general", kind="channel", name=f"gen{LONE}eral")}


def test_lone_surrogates_are_replaced_in_every_text_an_event_carries() -> None:
    event = CommandInvoked(**base("c-1", Actor(id="alice", name=f"Al{LONE}ice")),  # type: ignore[arg-type]
                           command="ask", text=f"How do I {LONE}deploy?\udfff")
    assert event.text == "How do I \ufffddeploy?\ufffd"
    assert event.actor.name == "Al\ufffdice" and event.conversation.name == "gen\ufffderal"
    event.model_dump_json().encode("utf-8")  # storable and sendable


def test_a_command_whose_text_was_unreadable_is_answered_with_a_notice_and_not_left_pending(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    event = CommandInvoked(**base("c-2", Actor(id="alice", name="Alice")),  # type: ignore[arg-type]
                           command="ask", text=f"How do I deploy {LONE}{LONE}?")
    replies = inbox.receive(sessions, event, settings, system_clock())
    assert "could not be read" in str(replies)
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question)).all() == []
        assert session.scalars(select(InboundEvent.status)).all() == ["done"]


def test_a_message_with_a_lone_surrogate_is_stored_cleaned(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    event = MessagePosted(**base("m-1", Actor(id=f"bob", name=f"B{LONE}ob")),  # type: ignore[arg-type]
                          message_id="1.1", text=f"hello {LONE}")
    inbox.receive(sessions, event, settings, system_clock())
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Person.display_name)).all() == ["B\ufffdob"]
        assert session.scalars(select(InboundEvent.status)).all() == ["done"]
