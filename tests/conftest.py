"""Shared fixtures: a migrated database on SQLite and, where configured, on PostgreSQL.

Every test that takes ``db_url`` (or ``sessions``) runs once per backend. The
PostgreSQL run needs ``KBBOT_TEST_POSTGRES_URL``; without it those runs are
skipped with a reason that pytest's ``-ra`` summary shows. Each test gets its
own copy of a database migrated once per pytest process (see tests/databases.py).

Hypothesis runs with the "dev" profile, or "ci" when ``CI`` is set (.ci/run).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from databases import PostgresCopies, sqlite_copy, sqlite_template
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.store.db import make_engine, session_factory

POSTGRES_ENV = "KBBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]

# CI must fail or pass the same way on every run: the same examples (derandomize), no
# examples replayed from an earlier run's database, and a blob to reproduce a failure locally.
# Tests that set max_examples themselves keep their own number. Both profiles start from
# Hypothesis's defaults: without a parent they would inherit whatever profile is loaded, and
# Hypothesis loads its own "ci" profile by itself whenever a CI variable is present at all.
_DEFAULTS = hypothesis_settings.get_profile("default")
hypothesis_settings.register_profile("ci", _DEFAULTS, derandomize=True, database=None, max_examples=100,
                                     deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("dev", _DEFAULTS)
hypothesis_settings.load_profile("dev" if os.environ.get("CI", "").lower() in ("", "0", "false") else "ci")


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _fresh_postgres_schema(base_url: str) -> tuple[str, str]:
    """Create a private schema so parallel or repeated runs never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}", schema


def _drop_postgres_schema(base_url: str, schema: str) -> None:
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This process's SQLite database migrated to head, copied by :func:`db_url` for each test."""
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_copies() -> Iterator[PostgresCopies]:
    """This process's migrated template database on the PostgreSQL server, made on first use."""
    base = postgres_url()
    assert base is not None, "db_url skips before asking for this"
    copies = PostgresCopies(base)
    yield copies
    copies.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a database of its own, migrated to head, on each backend.

    The database is a copy of a template migrated once per process: a real,
    separate database the test may change, downgrade or share with subprocesses.
    """
    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("sqlite_template_file"), tmp_path / "kbbot.db")
        return
    if postgres_url() is None:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    copies: PostgresCopies = request.getfixturevalue("postgres_copies")
    name = copies.create()
    try:
        yield copies.url(name)
    finally:
        copies.drop(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings that ignore the developer's own environment and ``.env``."""
    # Experts work around the clock here, so that tests run on the wall clock see invitations go out at
    # once whatever the hour; tests of quiet hours (tests/core/test_routing_*.py) set working hours themselves.
    return Settings(_env_file=None, database_url=db_url, default_locale="en", default_timezone="Europe/Amsterdam",
                    routing_work_start="00:00", routing_work_end="24:00", routing_work_days="mon-sun")


@pytest.fixture
def chat(sessions: sessionmaker[Session], settings: Settings):  # type: ignore[no-untyped-def]
    """A console chat on the test database (see tests/console_chat.py)."""
    from console_chat import Chat

    return Chat(sessions, settings)
