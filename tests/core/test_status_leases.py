"""``kbbot status`` says why a reply not yet due waits: which process leases it, whether that one lives, until when."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.pipeline import liveness
from kbbot.store.db import unit_of_work
from kbbot.store.models import LiveProcess, OutboxReply

from test_lease_owners import help_asked  # one way to get a leased reply, shared with the lease tests


def leased(sessions: sessionmaker[Session], row: int, name: str, pid: int, now: datetime, host: str) -> None:
    """The reply is leased by a worker ``host:pid`` registered under ``name``, beating right now."""
    with unit_of_work(sessions) as session:
        session.merge(LiveProcess(name=name, role="worker", host=host, pid=pid, pid_space=liveness.me().pid_space,
                                  started_at=now, beating_since=now, last_seen=now))
        session.execute(update(OutboxReply).where(OutboxReply.id == row).values(owner=f"{name}:{'0' * 19}"))


def kbbot_status(db_url: str, capsys: pytest.CaptureFixture[str], *flags: str) -> str:
    cli.main(["--database-url", db_url, "status", *flags], settings_factory=lambda **values: Settings(_env_file=None,
                                                                                                       **values))
    return capsys.readouterr().out


def test_status_says_which_worker_holds_a_waiting_reply_and_whether_it_is_alive(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = system_clock()
    alive = help_asked(sessions, settings, "Ev1", now)
    leased(sessions, alive, "aaaaaaaaaaaaaaaa", os.getpid(), now, "host-a")
    killed = help_asked(sessions, settings, "Ev2", now)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    leased(sessions, killed, "bbbbbbbbbbbbbbbb", child.pid, now, "host-a")

    shown = [" ".join(line.split()) for line in kbbot_status(db_url, capsys).splitlines()]
    assert any(line.endswith(f"1 reply leased by worker host-a:{child.pid}, which is dead (process gone): "
                             f"the next sweep takes it over") for line in shown), shown
    assert any(f"1 reply leased by worker host-a:{os.getpid()}, alive (heartbeat " in line
               and "lease ends in 14 min" in line for line in shown), shown

    document = json.loads(kbbot_status(db_url, capsys, "--json"))
    held = {item["why"]: item for item in document["outbox"]["held"]}
    assert held["owner_dead"]["owner"] == f"worker host-a:{child.pid}"
    assert held["owner_dead"]["owner_state"] == "process gone"
    assert held["leased"]["owner"] == f"worker host-a:{os.getpid()}"
    assert 14 * 60 <= held["leased"]["last_due_seconds"] <= 15 * 60


def test_status_says_a_reply_waits_for_a_retry_or_for_a_process_that_does_not_report(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = system_clock()
    retry = help_asked(sessions, settings, "Ev3", now)
    legacy = help_asked(sessions, settings, "Ev4", now)
    with unit_of_work(sessions) as session:
        session.execute(update(OutboxReply).where(OutboxReply.id == retry)
                        .values(owner=None, due_at=now + timedelta(minutes=3, seconds=30), error="slack: ratelimited"))
        session.execute(update(OutboxReply).where(OutboxReply.id == legacy).values(owner="0123456789abcdef" * 2))

    document = json.loads(kbbot_status(db_url, capsys, "--json"))
    assert sorted(item["why"] for item in document["outbox"]["held"]) == ["owner_unknown", "retry"]
    text = kbbot_status(db_url, capsys)
    assert "1 reply to retry (a platform asked to wait, or sending failed): due in 3 min" in text
    assert "1 reply leased by a process that does not report its liveness: lease ends in 14 min" in text
