"""A replica that died after acknowledging an event leaves it for another to finish."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.i18n import t
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.contract.replies import Posted, Reply
from kbbot_adapters.hosting.server import sweep_once


class Recorder:
    platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        self.sent.append((workspace_id, reply))
        return Posted(message_id=str(len(self.sent)))


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


def test_events_this_process_cannot_answer_or_cannot_process_do_not_stop_the_sweep(
        sessions: sessionmaker[Session], settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def event(platform: str, event_id: str, text: str) -> CommandInvoked:
        return CommandInvoked(platform=platform, workspace_id="T1", event_id=event_id,
                              actor=Actor(id="U1", name="Ann"), conversation=Place(id="C1", kind="channel"),
                              occurred_at=system_clock(), command="kb", text=text)

    old = system_clock() - timedelta(minutes=5)
    for n in range(3):
        inbox.accept(sessions, event("teams", f"t{n}", "help"), old)  # served by another replica
    inbox.accept(sessions, event("slack", "broken", "help"), old)
    inbox.accept(sessions, event("slack", "fine", "stats"), old)
    real_handle = inbox.handle

    def handle(session, ev, now, settings, **kwargs):  # type: ignore[no-untyped-def]
        if ev.event_id == "broken":
            raise RuntimeError("a bug in one event")
        return real_handle(session, ev, now, settings, **kwargs)

    monkeypatch.setattr(inbox, "handle", handle)
    port = Recorder()
    assert sweep_once(settings, sessions, {"slack": port}) == 1
    assert [reply.text for _, reply in port.sent] == [t("en", "stats.heading")]
