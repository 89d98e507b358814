"""Which kbbot processes are alive, so that a dead one's outbox leases are taken over at once.

An outbox lease (kbbot/pipeline/outbox.py) lasts 15 minutes: long enough
for any wait on a platform's rate limits, and so, when a worker was killed
or lost the database, its replies sat ``sending`` for up to 15 minutes.
Now every lease owner starts with the name of the process that wrote it
(:func:`owner`), and a sweep takes over a lease as soon as that process is
known dead, whatever the lease's end.

How a process is known dead, across several machines sharing PostgreSQL:

* **Heartbeat.** Each serving and worker process writes ``last_seen`` to
  ``live_processes`` every :data:`HEARTBEAT_EVERY` (:class:`Heartbeat`). A
  process on another machine can only be judged by this: one that has not
  beaten for :data:`DEAD_AFTER` is dead. But a database outage stops every
  heartbeat, the living too, so silence only counts while the database was
  demonstrably up: while another process beat without a break
  (``beating_since``). Right after an outage nobody is judged until the
  survivors have had :data:`DEAD_AFTER` to beat again.
* **Same machine, no such pid.** A process in this process's pid space
  (same host name, boot and pid namespace, so containers sharing a host
  name are told apart) whose pid no longer exists, or is a zombie, is dead
  at once: ``kbbot serve``'s sweep takes over a killed worker child's
  replies at its next round instead of two minutes later.

A process that never registered (an older kbbot, a one-off command, the
console) is *unknown*, never dead: its leases end as they always did.
:data:`DEAD_AFTER` is longer than :data:`kbbot.pipeline.outbox.RENEW_AFTER`:
a process sends without touching the database only within that much of its
last contact with it, so a process wrongly judged dead (cut off from the
database but not from the platform) has stopped sending by the time it is.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, case, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import as_utc, system_clock
from kbbot.store.db import unit_of_work
from kbbot.store.models import LiveProcess

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
DEAD_AFTER = timedelta(minutes=2)
"""Silence (while the database was up) after which a process is dead."""
UNBROKEN = 3 * HEARTBEAT_EVERY
"""A beat this long after the previous one starts a new unbroken run (``beating_since``)."""
FORGET_AFTER = timedelta(hours=1)
"""Registrations silent this long are removed: every lease their process held has ended anyway."""

NAME_LENGTH = 16


@dataclass(frozen=True)
class Identity:
    name: str
    host: str
    pid: int
    pid_space: str


@cache
def _identity(pid: int) -> Identity:
    return Identity(uuid.uuid4().hex[:NAME_LENGTH], socket.gethostname()[:255], pid, pid_space())


def me() -> Identity:
    """This process (a forked child gets a name of its own)."""
    return _identity(os.getpid())


def pid_space() -> str:
    """Host name, boot and pid namespace: processes with equal ones can see each other's pids; "" when unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""  # not Linux: no pid is trusted, heartbeats decide
    return f"{socket.gethostname()}|{boot}|{namespace}"[:255]


def owner() -> str:
    """A fresh lease owner of this process: its name, ``:``, a random part (36 characters, the column's size)."""
    return f"{me().name}:{uuid.uuid4().hex[:36 - NAME_LENGTH - 1]}"


def process_of(owner_: str | None) -> str | None:
    """The process name in a lease owner; None for owners written before processes had names."""
    if owner_ is None or len(owner_) <= NAME_LENGTH or owner_[NAME_LENGTH] != ":":
        return None
    return owner_[:NAME_LENGTH]


def owned_by(column: ColumnElement[str | None], names: Iterable[str]) -> ColumnElement[bool]:
    """SQL: the lease owner in ``column`` belongs to one of the processes ``names`` (false for no owner)."""
    return func.substr(func.coalesce(column, ""), 1, NAME_LENGTH).in_(sorted(names))


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs in this pid space (a zombie does not: it only waits to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


@dataclass(frozen=True)
class Verdict:
    """What is known about one registered process, for sweeps and ``kbbot status``."""

    name: str
    role: str
    host: str
    pid: int
    dead: bool
    why: str  # "process gone", "no heartbeat for …" or "heartbeat …s ago"
    silent_seconds: int

    @property
    def who(self) -> str:
        return f"{self.role} {self.host}:{self.pid}"


def judge(session: Session, now: datetime) -> dict[str, Verdict]:
    """Every registered process, alive or dead, by name."""
    rows = session.scalars(select(LiveProcess)).all()
    fresh = [as_utc(row.beating_since) for row in rows if as_utc(row.last_seen) >= now - UNBROKEN]
    # The database was up, without a break, since the earliest unbroken run of a process beating now.
    up_since = min(fresh) if fresh else None
    here = me().pid_space
    verdicts = {}
    for row in rows:
        seen = as_utc(row.last_seen)
        silent = max(0, int((now - seen).total_seconds()))
        if here and row.pid_space == here and not pid_alive(row.pid):
            dead, why = True, "process gone"
        elif up_since is not None and now - max(seen, up_since) > DEAD_AFTER:
            dead, why = True, f"no heartbeat for {silent}s"
        else:
            dead, why = False, f"heartbeat {silent}s ago"
        verdicts[row.name] = Verdict(row.name, row.role, row.host, row.pid, dead, why, silent)
    return verdicts


def dead(session: Session, now: datetime) -> set[str]:
    """Names of the registered processes known dead."""
    return {name for name, verdict in judge(session, now).items() if verdict.dead}


def beat(sessions: sessionmaker[Session], now: datetime, role: str) -> None:
    """Say this process is alive (registering it the first time); forget long-silent registrations."""
    ident = me()
    with unit_of_work(sessions) as session:
        updated = session.execute(
            update(LiveProcess).where(LiveProcess.name == ident.name)
            .values(last_seen=now, beating_since=case((LiveProcess.last_seen < now - UNBROKEN, now),
                                                      else_=LiveProcess.beating_since))
            .execution_options(synchronize_session=False)).rowcount
        if not updated:
            session.add(LiveProcess(name=ident.name, role=role[:16], host=ident.host, pid=ident.pid,
                                    pid_space=ident.pid_space, started_at=now, beating_since=now, last_seen=now))
        session.execute(delete(LiveProcess).where(LiveProcess.last_seen < now - FORGET_AFTER)
                        .execution_options(synchronize_session=False))


class Heartbeat:
    """Beats in a thread of its own every :data:`HEARTBEAT_EVERY` until closed; a failed beat is only logged.

    A thread, not a step of a loop, so that a loop busy for minutes (a
    platform's rate limits waited out) does not look like a dead process.
    """

    def __init__(self, sessions: sessionmaker[Session], role: str,
                 clock: Callable[[], datetime] = system_clock) -> None:
        self.sessions = sessions
        self.role = role
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kbbot-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                beat(self.sessions, self.clock(), self.role)
            except Exception:
                log.warning("heartbeat not recorded; trying again in %.0f s", HEARTBEAT_EVERY.total_seconds(),
                            exc_info=True)
            self._stop.wait(HEARTBEAT_EVERY.total_seconds())

    def close(self) -> None:
        """Stop beating. The registration stays: other processes see this one gone (pid, or silence)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=3.0)
