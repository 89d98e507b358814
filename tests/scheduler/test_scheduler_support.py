"""Helpers for the scheduler, prompt and digest tests (no tests here).

:class:`RecordingOutbound` stands in for a chat platform at the outbound
boundary; everything behind it (core, services, database) is real.
:class:`World` drives the real core through :func:`kbbot.pipeline.dispatch.handle`,
the way an adapter does, at a time the test chooses.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.pipeline.dispatch import handle
from kbbot.contract.events import (
    Actor,
    ButtonClicked,
    CommandInvoked,
    MessagePosted,
    Place,
    ReactionAdded,
)
from kbbot.contract.replies import Actions, Button, DirectMessage, ListBlock, Posted, Reply, Text
from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.pacing import Pacer
from kbbot.pipeline import posting
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, Question

PLATFORM = "slack"
WORKSPACE = "T1"


def text_of(reply: Reply) -> str:
    """Everything a person reads in ``reply``: block text, list items, details and button labels."""
    parts: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            parts.append(block.text)
        elif isinstance(block, ListBlock):
            for item in block.items:
                parts += [item.text, item.detail or "", *(b.label for b in item.buttons)]
        elif isinstance(block, Actions):
            parts += [b.label for b in block.buttons]
    return "\n".join(parts) or reply.text


def buttons_of(reply: Reply) -> list[Button]:
    found: list[Button] = []
    for block in reply.blocks:
        if isinstance(block, Actions):
            found += block.buttons
        elif isinstance(block, ListBlock):
            for item in block.items:
                found += item.buttons
    return found


def dm_to(reply: Reply) -> str | None:
    """Whom a direct message goes to (None for any other destination)."""
    return reply.to.person_id if isinstance(reply.to, DirectMessage) else None


def target(reply: Reply) -> str:
    """The person a DM goes to, else the conversation a reply is shown in."""
    return dm_to(reply) or getattr(reply.to, "conversation_id", None) or "?"


class RecordingOutbound:
    """A platform that records what it was asked to send, and can be told to fail for someone."""

    def __init__(self, platform: str = PLATFORM, clock: "FakeTime | None" = None) -> None:
        self.platform = platform
        self.clock = clock
        self.sent: list[tuple[datetime | None, str, Reply]] = []
        self.fail: dict[str, list[Exception]] = {}
        self.attempts: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any] | None = None) -> Posted | None:
        where = target(reply)
        with self._lock:
            self.attempts.append(where)
            if self.fail.get(where):
                raise self.fail[where].pop(0)
            self.sent.append((self.clock.now if self.clock else None, workspace_id, reply))
            return Posted(message_id=f"{self.platform}-msg-{next(self._ids)}")

    def to(self, where: str) -> list[Reply]:
        return [reply for _, _, reply in self.sent if target(reply) == where]

    def at(self, where: str) -> list[datetime | None]:
        return [when for when, _, reply in self.sent if target(reply) == where]


class FakeTime:
    """A wall clock and a monotonic clock the test moves by hand; sleeping just advances both."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.slept = 0.0
        self._mono = 0.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self._mono

    def sleep(self, seconds: float) -> None:
        from datetime import timedelta

        self.slept += seconds
        self._mono += seconds
        self.now += timedelta(seconds=seconds)

    def pacer(self) -> Pacer:
        return Pacer(monotonic=self.monotonic, sleep=self.sleep)


class World:
    """A Slack-like workspace driven through the real core, at ``self.time.now``."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, start: datetime) -> None:
        self.sessions = sessions
        self.settings = settings
        self.time = FakeTime(start)
        self.outbound = RecordingOutbound(clock=self.time)
        self._events = itertools.count(1)
        self._messages = itertools.count(1)
        self.profiles: dict[str, dict[str, str | None]] = {}

    # -- the platform's side ------------------------------------------------------------------
    def deliverer(self, **kwargs: object) -> Deliverer:
        return Deliverer(self.settings, self.sessions, {PLATFORM: self.outbound}, clock=self.time,
                         pacer=self.time.pacer(), **kwargs)  # type: ignore[arg-type]

    def _base(self, who: str, place: Place) -> dict[str, object]:
        profile = self.profiles.get(who, {})
        return {"platform": PLATFORM, "workspace_id": WORKSPACE, "workspace_name": "Acme",
                "event_id": f"ev-{next(self._events)}",
                "actor": Actor(id=who, name=who.capitalize(), locale=profile.get("locale"),
                               timezone=profile.get("timezone")),
                "conversation": place, "occurred_at": self.time.now}

    def dispatch(self, event: object) -> list[Reply]:
        with unit_of_work(self.sessions) as session:
            replies = handle(session, event, self.time.now, self.settings)  # type: ignore[arg-type]
            for reply in replies:
                if reply.anchor is not None:
                    posting.record(session, reply, Posted(message_id=self.new_message_id()))
        return replies

    def new_message_id(self) -> str:
        return f"1700000000.{next(self._messages):06d}"

    @staticmethod
    def channel(name: str, private: bool = False) -> Place:
        return Place(id=f"C-{name}", kind="private" if private else "channel", name=name)

    @staticmethod
    def dm(who: str) -> Place:
        return Place(id=f"D-{who}", kind="dm", name=f"dm-{who}")

    # -- people and their acts -----------------------------------------------------------------
    def join(self, who: str, timezone: str = "Europe/Amsterdam", locale: str = "en",
             channels: Iterable[str] = ("general",), private: Iterable[str] = ()) -> None:
        """``who`` appears on the platform with a timezone and language and says hi in ``channels``."""
        self.profiles[who] = {"timezone": timezone, "locale": locale}
        for name in channels:
            self.say(who, name, "hi")
        for name in private:
            self.dispatch(MessagePosted(**self._base(who, self.channel(name, private=True)),  # type: ignore[arg-type]
                                        message_id=self.new_message_id(), text="hi"))

    def command(self, who: str, name: str, text: str, channel: str = "general") -> list[Reply]:
        return self.dispatch(CommandInvoked(**self._base(who, self.channel(channel)), command=name, text=text))  # type: ignore[arg-type]

    def ask(self, who: str, channel: str, text: str, private: bool = False, anonymous: bool = False) -> int:
        replies = self.dispatch(CommandInvoked(**self._base(who, self.channel(channel, private)),  # type: ignore[arg-type]
                                               command="ask", text=("--anon " if anonymous else "") + text))
        anchors = [r.anchor.id for r in replies if r.anchor is not None]
        if not anchors:  # suggestions first: ask anyway
            draft = next(b.value for r in replies for b in buttons_of(r) if b.action_id == "kb_ask_anyway")
            replies = self.click(who, "kb_ask_anyway", draft, self.channel(channel, private))
            anchors = [r.anchor.id for r in replies if r.anchor is not None]
        return anchors[0]

    def answer(self, who: str, question_id: int, text: str) -> int:
        with unit_of_work(self.sessions) as session:
            question = session.get(Question, question_id)
            assert question is not None
            thread, kind, place_id, name = (question.message_id, question.conversation.kind.value,
                                            question.conversation.external_id, question.conversation.name)
        place = Place(id=place_id, kind=kind, name=name)  # type: ignore[arg-type]
        message_id = self.new_message_id()
        self.dispatch(MessagePosted(**self._base(who, place), message_id=message_id, thread_id=thread,  # type: ignore[arg-type]
                                    text=text))
        with unit_of_work(self.sessions) as session:
            from kbbot.store.models import Answer

            return session.scalars(select(Answer.id).where(Answer.message_id == message_id)).one()

    def accept(self, who: str, answer_id: int) -> None:
        self.click(who, "kb_accept", str(answer_id), self.dm(who))

    def flag_outdated(self, who: str, answer_id: int) -> None:
        self.click(who, "kb_flag_outdated", str(answer_id), self.dm(who))

    def react(self, who: str, place: Place, message_id: str, reaction: str) -> None:
        self.dispatch(ReactionAdded(**self._base(who, place), message_id=message_id, reaction=reaction))  # type: ignore[arg-type]

    def click(self, who: str, action_id: str, value: str, place: Place | None = None,
              message_id: str | None = None) -> list[Reply]:
        return self.dispatch(ButtonClicked(**self._base(who, place or self.dm(who)), action_id=action_id,  # type: ignore[arg-type]
                                           value=value, message_id=message_id))

    def say_dm(self, who: str, text: str, thread_id: str | None = None) -> list[Reply]:
        return self.dispatch(MessagePosted(**self._base(who, self.dm(who)), message_id=self.new_message_id(),  # type: ignore[arg-type]
                                           thread_id=thread_id, text=text))

    def say(self, who: str, channel: str, text: str, mentions_bot: bool = False) -> list[Reply]:
        return self.dispatch(MessagePosted(**self._base(who, self.channel(channel)),  # type: ignore[arg-type]
                                           message_id=self.new_message_id(), text=text, mentions_bot=mentions_bot))

    def person(self, who: str) -> Person:
        with unit_of_work(self.sessions) as session:
            return session.scalars(select(Person).where(Person.external_id == who)).one()

    def update_person(self, who: str, **values: object) -> None:
        with unit_of_work(self.sessions) as session:
            person = session.scalars(select(Person).where(Person.external_id == who)).one()
            for key, value in values.items():
                setattr(person, key, value)

    # -- time ------------------------------------------------------------------------------------
    def run_until(self, end: datetime, step_minutes: int = 60) -> None:
        """Run a delivery round every ``step_minutes`` of fake time until ``end``."""
        from datetime import timedelta

        deliverer = self.deliverer()
        while self.time.now < end:
            deliverer.run()
            self.time.now += timedelta(minutes=step_minutes)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)

