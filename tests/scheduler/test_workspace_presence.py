"""Installed or removed: notices handled late, in any order, never undo a newer one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, AppInstalled, AppRemoved, Place
from kbbot.store.db import unit_of_work
from kbbot.store.models import Workspace

T = system_clock() - timedelta(hours=1)


def _notice(kind: type[AppInstalled] | type[AppRemoved], minutes: int) -> AppInstalled | AppRemoved:
    return kind(platform="slack", workspace_id="T9", event_id=f"{kind.__name__}:{minutes}",
                actor=Actor(id="USLACKBOT", is_bot=True), conversation=Place(id="T9"),
                occurred_at=T + timedelta(minutes=minutes))


def _removed(sessions: sessionmaker[Session]) -> bool:
    with unit_of_work(sessions) as session:
        return session.scalars(select(Workspace.removed_at).where(Workspace.external_id == "T9")).one() is not None


def test_a_removal_handled_after_a_newer_reinstall_changes_nothing(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    inbox.receive(sessions, _notice(AppRemoved, 0), settings, system_clock())
    assert _removed(sessions)
    inbox.receive(sessions, _notice(AppInstalled, 10), settings, system_clock())
    assert not _removed(sessions)
    inbox.receive(sessions, _notice(AppRemoved, 5), settings, system_clock())  # late: before the reinstall
    assert not _removed(sessions)
    inbox.receive(sessions, _notice(AppRemoved, 20), settings, system_clock())  # a new removal
    assert _removed(sessions)
    inbox.receive(sessions, _notice(AppInstalled, 15), settings, system_clock())  # late: before that removal
    assert _removed(sessions)


def test_a_retry_waiting_in_a_removed_workspace_is_settled_as_skipped_not_left_overdue(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    from zoneinfo import ZoneInfo

    from kbbot import status
    from kbbot.contract.outbound import RetryLater
    from kbbot.store.scheduling import Delivery, DeliveryStatus
    from test_scheduler_support import WORKSPACE, World

    amsterdam = ZoneInfo("Europe/Amsterdam")
    world = World(sessions, settings, datetime(2026, 11, 26, 14, 0, tzinfo=amsterdam))  # Thursday
    world.join("alice")
    world.deliverer().run()
    world.outbound.fail["alice"] = [RetryLater("busy", 120)]
    world.time.now = datetime(2026, 11, 26, 15, 1, tzinfo=amsterdam)
    world.deliverer(kinds=frozenset({"prompt"})).run()  # Slack said "later": the prompt waits for a retry

    world.dispatch(AppRemoved(platform="slack", workspace_id=WORKSPACE, event_id="removed",
                              actor=Actor(id="USLACKBOT", is_bot=True), conversation=Place(id=WORKSPACE),
                              occurred_at=world.time.now))
    world.time.now += timedelta(minutes=5)
    report = world.deliverer(kinds=frozenset({"prompt"})).run()
    assert str(report) == "skipped 1" and world.outbound.to("alice") == []
    with unit_of_work(sessions) as session:
        prompt = session.scalars(select(Delivery).where(Delivery.kind == "prompt", Delivery.period == "2026-W48")).one()
        assert prompt.status == DeliveryStatus.SKIPPED and prompt.error == "kbbot was removed from the workspace or the person's chat"
        snapshot = status.snapshot(sessions, world.time.now)
    assert not any(concern.code == "ledger_overdue" for concern in snapshot.concerns)
