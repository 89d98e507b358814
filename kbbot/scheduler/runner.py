"""The scheduler inside ``kbbot serve``: APScheduler with its job store in kbbot's database.

Every job registered in :mod:`kbbot.scheduler.jobs` is scheduled: the
delivery round (:mod:`kbbot.scheduler.delivery`, :data:`JOB_ID`) every
:data:`TICK_SECONDS`, housekeeping hourly. Jobs live in the ``apscheduler_jobs`` table
(created by the migration, never at runtime), so they survive restarts;
rounds missed while kbbot was down are coalesced into one, which then sends
what is due within the misfire grace window and records older ones as
skipped. Each person's own moment (Thursday 15:00 in *their* timezone) is
read from the database on every round rather than kept as one job per
person, so a changed timezone or opt-out applies at once.

Several processes may run this against one PostgreSQL: they share the one
job row, may both run a round, and the delivery ledger makes sure each
prompt and digest still goes out once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.contract.outbound import Outbound
from kbbot.scheduler import jobs
from kbbot.scheduler.delivery import Deliverer, RoundReport
from kbbot.scheduler.pacing import Pacer
from kbbot.store.scheduling import APSCHEDULER_JOBS

log = logging.getLogger(__name__)

JOB_ID = jobs.DELIVERY_ROUND
TICK_SECONDS = 60.0
FIRST_ROUND_AFTER = 5.0
"""Seconds after start-up before the first round: catches up on anything missed while down."""

_bound = threading.local()


def _run(job_id: str = JOB_ID) -> None:
    """Every job's function, referenced by name in the job store; runs the job for this thread's runner."""
    runner: Runner | None = getattr(_bound, "runner", None)
    found = jobs.get(job_id)
    if runner is None or found is None:
        log.error("job %s started on a thread without a runner, or no longer registered; skipped", job_id)
        return
    try:
        found.run(runner)
    except Exception:  # one failed run must not stop the schedule; the next run tries again
        log.exception("scheduled job %s failed", job_id)


_round = _run  # the name jobs stored by an earlier kbbot refer to


def _bind(runner: Runner) -> None:
    _bound.runner = runner


class _MigratedJobStore(SQLAlchemyJobStore):
    """The SQLAlchemy job store, minus creating its table: the migration did that."""

    def start(self, scheduler, alias):  # type: ignore[no-untyped-def]
        BaseJobStore.start(self, scheduler, alias)


class Runner:
    """A started scheduler; :meth:`shutdown` stops it (waiting for a running round)."""

    def __init__(self, deliverer: Deliverer, tick_seconds: float) -> None:
        self.deliverer = deliverer
        self.tick_seconds = tick_seconds
        self.scheduler: BackgroundScheduler | None = None
        self.rounds = 0
        self.last_report: RoundReport | None = None

    def round(self) -> RoundReport:
        """One delivery round, bounded so it ends before the next tick; the rest follows next round."""
        report = self.deliverer.run(budget=self.tick_seconds * 0.8)
        self.rounds += 1
        self.last_report = report
        if report.statuses or report.unfinished:
            log.info("delivery round: %s", report)
        return report

    def shutdown(self, wait: bool = True) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def start(settings: Settings, sessions: sessionmaker[Session], outbounds: Mapping[str, Outbound], *,
          clock: Clock = system_clock, pacer: Pacer | None = None, tick_seconds: float = TICK_SECONDS,
          first_round_after: float = FIRST_ROUND_AFTER, worker: str | None = None) -> Runner:
    """Start the scheduler of one ``kbbot serve`` process; call once per process."""
    engine = sessions.kw["bind"]
    deliverer = Deliverer(settings, sessions, outbounds, clock=clock, pacer=pacer, worker=worker)
    runner = Runner(deliverer, tick_seconds)
    scheduler = BackgroundScheduler(
        jobstores={"default": _MigratedJobStore(engine=engine, tablename=APSCHEDULER_JOBS)},
        executors={"default": ThreadPoolExecutor(2, pool_kwargs={"initializer": _bind, "initargs": (runner,)})},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": max(1, settings.misfire_grace_seconds)},
        timezone=UTC,
    )
    runner.scheduler = scheduler
    scheduler.start()
    for job in jobs.registered():
        first = job.first_after if job.first_after is not None else first_round_after
        scheduler.add_job(f"{__name__}:_run", args=[job.id], trigger="interval", seconds=job.every or tick_seconds,
                          id=job.id, name=job.description, replace_existing=True,
                          next_run_time=datetime.now(UTC) + timedelta(seconds=max(first, first_round_after)))
    log.info("scheduler started: %s (worker %s)", ", ".join(job.id for job in jobs.registered()), deliverer.worker)
    return runner
