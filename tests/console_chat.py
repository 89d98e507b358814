"""A typing harness for the console adapter, shared by the conversation tests."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot_adapters.console import ConsoleSession


class Chat:
    """Types lines into a console session and returns what appeared after each."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Clock = system_clock) -> None:
        self.lines: list[str] = []
        self.console = ConsoleSession(sessions, settings, self.lines.append, clock=clock)

    def __call__(self, *typed: str) -> str:
        start = len(self.lines)
        for line in typed:
            self.console.feed(line)
        return "\n".join(self.lines[start:])

    def button(self, label: str, shown: str) -> int:
        """The number of the last button called ``label`` in ``shown``."""
        numbers = re.findall(r"\[(\d+)\] [^\[\n]*?" + re.escape(label), shown)
        assert numbers, f"no button {label!r} in:\n{shown}"
        return int(numbers[-1])


@pytest.fixture
def chat(sessions: sessionmaker[Session], settings: Settings) -> Chat:
    return Chat(sessions, settings)


def count(sessions: sessionmaker[Session], model: type) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
