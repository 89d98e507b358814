"""Core replies onto the terminal: the console's outbound port, for a chat session and for scheduled sends.

It plays the platform's API: every message it shows gets a number (``#3``)
and a message id, which it reports back to the core as what it posted,
exactly as Slack reports a ``ts`` and Teams an activity id. People then
refer to messages by number (``:reply 3 …``, ``:react 3 ✅``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kbbot.contract.events import Place
from kbbot.contract.replies import Button, DirectMessage, Ephemeral, HomeView, Post, Posted, ReplaceCard, Reply
from kbbot_adapters.console.render import ButtonBoard, render_blocks

PLATFORM = "console"
BOT = "kbbot"


@dataclass(frozen=True)
class Shown:
    """A message on the screen: its id, where it is, who wrote it, and the thread it is in."""

    message_id: str
    place: Place
    author: str
    thread_id: str | None = None


class ConsoleScreen:
    """The terminal as a platform: numbers messages, prints replies where they go, reports what it posted."""

    platform = PLATFORM

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out
        self.board = ButtonBoard()
        # A run prefix keeps message ids unique across console runs on the same database.
        self.run_id = f"{time.time_ns():x}"
        self._numbers = itertools.count(1)
        self.messages: dict[int, Shown] = {}
        self.places: dict[str, Place] = {}
        # Threads known to carry a question (its card, or a :reply Q3 looked up): "the thread of question 3".
        self.questions: dict[str, int] = {}

    # -- the platform's own bookkeeping -----------------------------------------------------
    def new_message(self, place: Place, author: str, thread_id: str | None = None) -> tuple[int, str]:
        number = next(self._numbers)
        message_id = f"{self.run_id}.{number}"
        self.messages[number] = Shown(message_id, place, author, thread_id)
        self.places.setdefault(place.id, place)
        return number, message_id

    def number_of(self, message_id: str | None) -> str:
        return next((str(n) for n, shown in self.messages.items() if shown.message_id == message_id), "?")

    def thread_label(self, thread_id: str) -> str:
        """How to name a thread: by its first message's number in this run, else by its question."""
        number = self.number_of(thread_id)
        if number != "?":
            return f"#{number}"
        question = self.questions.get(thread_id)
        return f"question {question}" if question is not None else "a message from an earlier run"

    def place_of(self, conversation_id: str) -> Place:
        """The conversation as entered in this run; one never entered keeps the kind the core knows.

        Events in a conversation met only through kbbot's messages (a question
        asked in an earlier run) do not say its kind, as a platform's reaction
        or thread reply does not: saying "channel" would make a private
        channel's questions visible to everyone.
        """
        known = self.places.get(conversation_id)
        if known is not None:
            return known
        return Place(id=conversation_id, name=conversation_id.removeprefix("C-"))

    def buttons_of(self, message_id: str) -> dict[int, Button]:
        """The buttons shown on message ``message_id``, by the number ``:click`` takes."""
        return {number: button for number, (button, shown_on) in self.board.buttons.items()
                if shown_on == message_id}

    # -- the outbound port ------------------------------------------------------------------
    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        """Show ``reply`` where it goes; what a chat client would show, numbered."""
        match reply.to:
            case HomeView(person_id=person):
                self.out(f"  kbbot home of {person}:")
                self._body(reply, None)
                return None
            case Ephemeral(person_id=person):
                self.out(f"  kbbot → only {person} sees this:")
                self._body(reply, None)
                return None
            case DirectMessage(person_id=person):
                place = Place(id=f"D-{person}", kind="dm", name=f"dm-{person}")
                number, message_id = self.new_message(place, BOT)
                self.out(f"#{number} kbbot → DM to {person}:")
                self._body(reply, message_id)
                return Posted(message_id=message_id)
            case ReplaceCard(conversation_id=conversation, message_id=card):
                self.out(f"#{self.number_of(card)} kbbot updated its message in #{self.place_of(conversation).name}:")
                self._body(reply, card)
                return Posted(message_id=card)
            case Post(conversation_id=conversation, thread_id=thread, in_thread_of=question):
                place = self.place_of(conversation)
                if thread and question is not None:
                    self.questions.setdefault(thread, question)
                number, message_id = self.new_message(place, BOT, thread)
                if reply.anchor is not None and not thread:
                    self.questions[message_id] = reply.anchor.id
                where = f"#{place.name}" + (f" (thread of {self.thread_label(thread)})" if thread else "")
                self.out(f"#{number} kbbot in {where}:")
                self._body(reply, message_id)
                return Posted(message_id=message_id)
        raise AssertionError(f"unhandled destination {reply.to!r}")

    def _body(self, reply: Reply, message_id: str | None) -> None:
        self.out("\n".join(render_blocks(reply, self.board, message_id)))
