"""The scheduler's registered jobs: what ``kbbot serve`` runs on a clock, declared once each.

Each job is stored in the ``apscheduler_jobs`` table under its id, so it
survives restarts and every replica shares one schedule per job. A job
function gets the process's runner (:class:`kbbot.scheduler.runner.Runner`:
its deliverer, and through it the database and settings). Adding a periodic job is one
:func:`job` declaration here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.privacy import retention
from kbbot.scheduler import housekeeping


class Deliverer(Protocol):
    sessions: sessionmaker[Session]
    settings: Any
    outbounds: Any
    clock: Any
    worker: str


class Runner(Protocol):
    """What a job gets: the process's scheduler runner (:class:`kbbot.scheduler.runner.Runner`)."""

    deliverer: Deliverer

    def round(self) -> Any: ...


@dataclass(frozen=True)
class Job:
    id: str
    description: str
    run: Callable[[Runner], Any]
    every: float | None = None
    """Seconds between runs; ``None`` runs it every tick of the runner."""
    first_after: float | None = None
    """Seconds after start-up before its first run; ``None`` for the runner's default."""


_JOBS: dict[str, Job] = {}


def job(id: str, description: str, every: float | None = None,
        first_after: float | None = None) -> Callable[[Callable[[Runner], Any]], Callable[[Runner], Any]]:
    def register(run: Callable[[Runner], Any]) -> Callable[[Runner], Any]:
        if id in _JOBS:
            raise ValueError(f"scheduler job {id!r} registered twice")
        _JOBS[id] = Job(id, description, run, every, first_after)
        return run

    return register


def registered() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda found: found.id)


def get(id: str) -> Job | None:
    return _JOBS.get(id)


DELIVERY_ROUND = "kbbot-delivery-round"
HOUSEKEEPING = "kbbot-housekeeping"
PRUNE_EVERY = 3600.0


@job(DELIVERY_ROUND, "kbbot prompts and digests")
def delivery_round(runner: Runner) -> Any:
    return runner.round()


@job(HOUSEKEEPING, "kbbot forgets handled events and failed replies", every=PRUNE_EVERY, first_after=60.0)
def prune(runner: Runner) -> Any:
    return housekeeping.prune_once(runner.deliverer.sessions)


ROUTING_ROUND = "kbbot-routing-round"


@job(ROUTING_ROUND, "kbbot expert invitations and the escalation ladder")
def routing_round(runner: Runner) -> Any:
    """Every tick: ladder steps that are due, invitations whose working hours (or snooze) came."""
    from kbbot.routing import ladder  # the routing core imports services; the scheduler's import stays light

    deliverer = runner.deliverer
    return ladder.run(deliverer.sessions, deliverer.settings, deliverer.outbounds, clock=deliverer.clock,
                      worker=deliverer.worker)


RETENTION = "kbbot-retention"


@job(RETENTION, "kbbot deletes what each workspace keeps no longer (its retention policy)", every=PRUNE_EVERY,
     first_after=120.0)
def retain(runner: Runner) -> Any:
    return retention.run_once(runner.deliverer.sessions, system_clock())
