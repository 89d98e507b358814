"""Shared pieces of the routing tests: a clock people can move, a chat on it, and the routing round."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from console_chat import Chat
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import Posted, Reply
from kbbot.routing import ladder
from kbbot.store.db import unit_of_work
from kbbot.store.models import Invitation, Person, RoutingStep

MONDAY_9_UTC = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
"""Monday 10:00 in Amsterdam, 04:00 in New York, 18:00 in Tokyo."""


class Clock:
    """The wall clock as the test sets it."""

    def __init__(self, at: datetime = MONDAY_9_UTC) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def office_hours(settings: Settings, **changes: Any) -> Settings:
    """The product's defaults for working hours (the shared fixture works around the clock)."""
    return settings.model_copy(update={"routing_work_start": "09:00", "routing_work_end": "17:30",
                                       "routing_work_days": "mon-fri", **changes})


def routed_chat(sessions: sessionmaker[Session], settings: Settings, clock: Clock) -> Chat:
    return Chat(sessions, settings, clock)


def round_(chat: Chat, sessions: sessionmaker[Session], settings: Settings, clock: Clock) -> str:
    """One routing round, sent through the console's own screen; what appeared."""
    start = len(chat.lines)
    ladder.run(sessions, settings, {"console": chat.console.screen}, clock=clock)
    return "\n".join(chat.lines[start:])


def invitations(sessions: sessionmaker[Session]) -> dict[tuple[int, str], str]:
    """``{(question, person): state}`` of every invitation."""
    with unit_of_work(sessions) as session:
        rows = session.execute(select(Invitation.question_id, Person.external_id, Invitation.state)
                               .join(Person, Person.id == Invitation.person_id)).all()
    return {(question, person): state.value for question, person, state in rows}


def steps(sessions: sessionmaker[Session]) -> dict[tuple[int, int], str]:
    with unit_of_work(sessions) as session:
        return {(row.question_id, row.step): row.outcome for row in session.scalars(select(RoutingStep))}


class Recorder:
    """An outbound port that only writes down what it was asked to send (thread-safe)."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self._lock = threading.Lock()

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        with self._lock:
            self.sent.append(reply)
            return Posted(message_id=f"m{len(self.sent)}")
