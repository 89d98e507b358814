"""Migrated test databases: migrate once per pytest process, copy for every test.

Running every Alembic migration for every test took about half of the suite's
time. Each pytest process now migrates one template per backend and hands each
test a copy of it: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. A copy is exactly what the migrations made (``alembic_version``
included), so a test may still downgrade and upgrade its own database.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sqlite3
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from kbbot.store.db import upgrade

PREFIX = "kbbot_test_"
OURS = re.compile(r"kbbot_test_([0-9a-f]{12})(_[0-9]+)?")
"""Every database these helpers make on a shared server is named ``kbbot_test_<run>[_<n>]``."""


def sqlite_template(directory: Path) -> Path:
    """A SQLite file migrated to head whose write-ahead log is folded in, so the file alone is the database.

    kbbot opens SQLite in WAL mode (kbbot/store/db.py): committed pages can sit in
    ``-wal`` until a checkpoint, and a copy of the main file alone would miss them.
    """
    path = directory / "template.db"
    upgrade(f"sqlite:///{path}")  # alembic's env.py disposes its engine: no connection stays open
    with closing(sqlite3.connect(path)) as connection:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0, f"could not checkpoint {path}"
    return path


def sqlite_copy(template: Path, target: Path) -> str:
    """The URL of a fresh copy of ``template`` at ``target`` (the copy stays in WAL mode: it is in the header)."""
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


class PostgresCopies:
    """This process's template database on a shared PostgreSQL server, and the per-test copies made from it.

    Other pytest processes may use the same server at the same time, so every
    name carries this run's random id. A run holds a session advisory lock on its
    id for as long as it lives; whoever finds ``kbbot_test_`` databases of a run
    whose lock is free knows that run died without cleaning up, and drops them.

    Copying takes about as long as a short test, so one worker thread copies the
    next test's database and drops the last one's while the current test runs.
    """

    def __init__(self, base_url: str) -> None:
        self.run = uuid.uuid4().hex[:12]
        self._base = make_url(base_url)
        # One autocommit connection (CREATE/DROP DATABASE refuse transactions) that also holds the run's lock;
        # after __init__ only the worker uses it, one statement at a time.
        self._engine = create_engine(self._base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._admin = self._engine.connect()
        self._admin.execute(text("SELECT pg_advisory_lock(CAST(:key AS bigint))"), {"key": _lock_key(self.run)})
        self._drop_abandoned()
        self.template = f"{PREFIX}{self.run}"
        self._admin.exec_driver_sql(f'CREATE DATABASE "{self.template}"')
        upgrade(self.url(self.template))
        self._names = (f"{self.template}_{n}" for n in itertools.count())
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self._next = self._worker.submit(self._copy)
        self._drops: list[Future[None]] = []

    def url(self, database: str) -> str:
        """The base URL (user, host, query options) pointed at ``database``."""
        return self._base.set(database=database).render_as_string(hide_password=False)

    def create(self) -> str:
        """A new database copied from the template (made ahead of time); the next one is started now."""
        name = self._next.result()
        self._next = self._worker.submit(self._copy)
        return name

    def drop(self, name: str) -> None:
        """Drop ``name`` in the background; :meth:`close` reports any failure."""
        self._drops.append(self._worker.submit(self._drop, name))

    def close(self) -> None:
        """Drop every database of this run, then release its lock (closing the connection releases it)."""
        self._worker.shutdown(wait=True)  # finishes the copy made ahead and the pending drops
        if self._next.exception() is None:
            self._drop(self._next.result())
        try:
            for dropped in self._drops:
                dropped.result()
        finally:
            self._drop(self.template)
            self._admin.close()
            self._engine.dispose()

    def _copy(self) -> str:
        """Copy the template; this needs nobody connected to it, and nobody ever is."""
        name = next(self._names)
        self._admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def _drop(self, name: str) -> None:
        """Drop ``name``, ending connections a test left open (a forgotten engine, a killed subprocess)."""
        self._admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _drop_abandoned(self) -> None:
        """Drop the databases of runs that died (their lock is free); never those of a run still going."""
        names = self._admin.execute(text("SELECT datname FROM pg_database")).scalars().all()
        runs: dict[str, list[str]] = {}
        for name in names:
            if match := OURS.fullmatch(name):
                runs.setdefault(match[1], []).append(name)
        for run, databases in runs.items():
            key = {"key": _lock_key(run)}
            if not self._admin.execute(text("SELECT pg_try_advisory_lock(CAST(:key AS bigint))"), key).scalar():
                continue
            try:
                for name in databases:
                    self._drop(name)
            finally:
                self._admin.execute(text("SELECT pg_advisory_unlock(CAST(:key AS bigint))"), key)


def _lock_key(run: str) -> int:
    """A run id (12 hex digits) as an advisory lock key: 48 bits fit PostgreSQL's bigint."""
    return int(run, 16)
