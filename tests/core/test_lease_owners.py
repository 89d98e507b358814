"""A killed worker's replies go out at the next sweep, not when its 15-minute lease ends; a live one's stay its own."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.pipeline import inbox, liveness, outbox
from kbbot.store.db import unit_of_work
from kbbot.store.models import LiveProcess, OutboxReply

CONTEXT = {"user_id": "U1", "channel_id": "C1"}


def help_asked(sessions: sessionmaker[Session], settings: Settings, event_id: str, now: datetime) -> int:
    """A worker handled ``/kb help`` and stored its reply, leased to itself; returns the reply's row."""
    event = CommandInvoked(platform="slack", workspace_id="T1", event_id=event_id, actor=Actor(id="U1", name="Ann"),
                           conversation=Place(id="C1", kind="channel", name="general"), occurred_at=now,
                           command="kb", text="help")
    assert inbox.accept(sessions, event, now, CONTEXT)
    [parcel] = inbox.process_to_outbox(sessions, event, settings, now, CONTEXT)
    return parcel.id


def register(sessions: sessionmaker[Session], name: str, pid: int, now: datetime, *, space: str | None = None,
             silent: timedelta = timedelta(0), beating_for: timedelta = timedelta(minutes=10)) -> None:
    with unit_of_work(sessions) as session:
        session.merge(LiveProcess(name=name, role="worker", host="host-a", pid=pid,
                                  pid_space=liveness.me().pid_space if space is None else space,
                                  started_at=now - beating_for, beating_since=now - beating_for,
                                  last_seen=now - silent))


def lease_to(sessions: sessionmaker[Session], row: int, name: str) -> None:
    with unit_of_work(sessions) as session:
        session.execute(update(OutboxReply).where(OutboxReply.id == row).values(owner=f"{name}:{'0' * 19}"))


def gone_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lease_names_the_process_that_holds_it(sessions: sessionmaker[Session], settings: Settings) -> None:
    row = help_asked(sessions, settings, "Ev1", system_clock())
    with unit_of_work(sessions) as session:
        owner = session.scalar(select(OutboxReply.owner).where(OutboxReply.id == row))
    assert liveness.process_of(owner) == liveness.me().name and len(owner or "") <= 36


def test_the_reply_of_a_worker_whose_process_is_gone_is_taken_over_at_the_next_sweep(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    row = help_asked(sessions, settings, "Ev2", now)
    # The worker was killed a moment ago: its heartbeat is still fresh, but its pid is gone on this machine.
    register(sessions, "deadbeefdeadbeef", gone_pid(), now)
    lease_to(sessions, row, "deadbeefdeadbeef")

    taken = outbox.due(sessions, now + timedelta(seconds=30))
    assert [parcel.id for parcel in taken] == [row]  # not 15 minutes later


def test_the_reply_of_a_live_worker_stays_its_own(sessions: sessionmaker[Session], settings: Settings) -> None:
    import os

    now = system_clock()
    row = help_asked(sessions, settings, "Ev3", now)
    register(sessions, liveness.me().name, os.getpid(), now)  # this very process, beating
    assert outbox.due(sessions, now + timedelta(minutes=5)) == []
    # A process that never registered (an older kbbot, a one-off command) keeps its lease to the end too.
    lease_to(sessions, row, "0123456789abcdef")
    assert outbox.due(sessions, now + timedelta(minutes=5)) == []
    assert [p.id for p in outbox.due(sessions, now + outbox.LEASE)] == [row]


def test_a_worker_on_another_machine_is_dead_once_its_heartbeat_stops_while_the_database_is_up(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    import os

    now = system_clock()
    row = help_asked(sessions, settings, "Ev4", now)
    register(sessions, "feedfacefeedface", 4242, now, space="host-b|boot|1", silent=timedelta(minutes=3))
    lease_to(sessions, row, "feedfacefeedface")

    # Right after a database outage every heartbeat is old, the living's too: nobody is judged yet.
    register(sessions, liveness.me().name, os.getpid(), now, beating_for=timedelta(seconds=20))
    assert outbox.due(sessions, now) == []
    # This process has beaten without a break for longer than DEAD_AFTER; the other one has not: it is dead.
    register(sessions, liveness.me().name, os.getpid(), now, beating_for=liveness.DEAD_AFTER + timedelta(seconds=5))
    assert [parcel.id for parcel in outbox.due(sessions, now)] == [row]


def test_a_heartbeat_registers_once_and_keeps_its_unbroken_run(sessions: sessionmaker[Session]) -> None:
    now = system_clock()
    liveness.beat(sessions, now, "worker")
    liveness.beat(sessions, now + timedelta(seconds=10), "worker")
    liveness.beat(sessions, now + timedelta(minutes=5), "worker")  # after a break (an outage): a new run
    with unit_of_work(sessions) as session:
        [found] = session.scalars(select(LiveProcess)).all()
        verdicts = liveness.judge(session, now + timedelta(minutes=5))
    assert found.name == liveness.me().name
    assert (found.beating_since - found.started_at) == timedelta(minutes=5)
    assert not verdicts[found.name].dead


def test_after_a_worker_kill_the_next_sweep_of_kbbot_serve_sends_its_reply(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    from collections.abc import Mapping
    from typing import Any

    from kbbot.contract.replies import Posted, Reply
    from kbbot_adapters.hosting.server import sweep_once

    class Recorder:
        platform = "slack"

        def __init__(self) -> None:
            self.sent: list[Reply] = []

        def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
            self.sent.append(reply)
            return Posted(message_id=str(len(self.sent)))

    now = system_clock()
    row = help_asked(sessions, settings, "Ev5", now)  # stored, leased for 15 minutes, then the worker was killed
    register(sessions, "0badc0de0badc0de", gone_pid(), now)
    lease_to(sessions, row, "0badc0de0badc0de")
    port = Recorder()
    sweep_once(settings, sessions, {"slack": port})
    assert len(port.sent) == 1 and "What kbbot can do" in (port.sent[0].text or "")
    with unit_of_work(sessions) as session:
        assert session.scalars(select(OutboxReply)).all() == []
