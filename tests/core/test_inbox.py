"""Ack-first delivery: persisted before the ack, processed once, never silently dropped."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.store.db import make_engine, session_factory, unit_of_work
from kbbot.store.models import InboundEvent, Question


def ask(event_id: str, text: str = "Who can approve travel expenses?") -> CommandInvoked:
    return CommandInvoked(platform="slack", workspace_id="T1", event_id=event_id,
                          actor=Actor(id="U1", name="Ann"), conversation=Place(id="C1", kind="channel", name="general"),
                          occurred_at=system_clock(), command="ask", text=text)


def questions(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(Question)) or 0


def test_accept_then_process_once(sessions: sessionmaker[Session], settings: Settings) -> None:
    event = ask("Ev1")
    assert inbox.accept(sessions, event, system_clock())
    assert not inbox.accept(sessions, event, system_clock())  # Slack's retry of the same event_id
    replies = inbox.process(sessions, event, settings, system_clock())
    assert any("Who can approve travel expenses?" in r.text or r.blocks for r in replies)
    assert inbox.process(sessions, event, settings, system_clock()) == []
    assert questions(sessions) == 1


def test_a_worker_that_died_leaves_the_event_for_a_sweep(sessions: sessionmaker[Session], settings: Settings) -> None:
    event = ask("Ev2")
    then = system_clock() - timedelta(minutes=10)
    inbox.accept(sessions, event, then)
    assert [found.event.event_id for found in inbox.waiting(sessions, system_clock(), inbox.STALE_AFTER)] == ["Ev2"]
    inbox.process(sessions, event, settings, system_clock())
    assert inbox.waiting(sessions, system_clock(), inbox.STALE_AFTER) == []
    assert questions(sessions) == 1


def test_a_worker_looking_again_is_offered_only_what_it_does_not_hold_yet(sessions: sessionmaker[Session]) -> None:
    for number in range(1, 5):
        inbox.accept(sessions, ask(f"Ev-look{number}"), system_clock())
    first = inbox.waiting(sessions, system_clock(), limit=2)
    assert [found.event.event_id for found in first] == ["Ev-look1", "Ev-look2"]
    held = [found.row for found in first if found.row is not None]
    again = inbox.waiting(sessions, system_clock(), limit=2, exclude=held)
    assert [found.event.event_id for found in again] == ["Ev-look3", "Ev-look4"]


def test_a_failing_event_is_counted_and_parked(sessions: sessionmaker[Session], settings: Settings,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    event = ask("Ev3")
    inbox.accept(sessions, event, system_clock())

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("search backend exploded")

    monkeypatch.setattr(inbox, "handle", broken)
    for _ in range(inbox.MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            inbox.process(sessions, event, settings, system_clock())
    with unit_of_work(sessions) as session:
        row = session.scalars(select(InboundEvent)).one()
        assert row.status == inbox.FAILED and "exploded" in (row.error or "")
    assert questions(sessions) == 0


def test_a_database_that_is_down_raises_so_the_platform_retries() -> None:
    down = session_factory(make_engine("postgresql+psycopg://kbbot@127.0.0.1:1/none?connect_timeout=1"))
    with pytest.raises(OperationalError):
        inbox.accept(down, ask("Ev4"), system_clock())


def test_racing_workers_process_an_event_once(sessions: sessionmaker[Session], settings: Settings) -> None:
    event = ask("Ev5")
    inbox.accept(sessions, event, system_clock())
    results: list[int] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        try:
            results.append(len(inbox.process(sessions, event, settings, system_clock())))
        except OperationalError:  # SQLite may report "database is locked" to a loser; it processed nothing
            results.append(0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for n in results if n) == 1
    assert questions(sessions) == 1
