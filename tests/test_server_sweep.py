"""A replica that died after acknowledging an event leaves it for another to finish."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from kbbot import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.events import Actor, CommandInvoked, Place
from kbbot.replies import Reply
from kbbot_adapters.server import sweep_once


class Recorder:
    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    def send(self, workspace_id: str, reply: Reply) -> str | None:
        self.sent.append((workspace_id, reply))
        return str(len(self.sent))


def test_an_unfinished_event_is_processed_once_and_its_replies_sent(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    event = CommandInvoked(platform="slack", workspace_id="T1", event_id="Ev-died", actor=Actor(id="U1", name="Ann"),
                           conversation=Place(id="C1", kind="channel", name="general"),
                           occurred_at=system_clock(), command="kb", text="help")
    inbox.accept(sessions, event, system_clock() - timedelta(minutes=5))  # then the replica died
    port = Recorder()
    assert sweep_once(settings, sessions, {"slack": port}) == 1
    assert [workspace for workspace, _ in port.sent] == ["T1"]
    assert "What kbbot can do" in port.sent[0][1].text
    assert sweep_once(settings, sessions, {"slack": port}) == 0
    assert len(port.sent) == 1
