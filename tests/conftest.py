"""Shared fixtures: a migrated database on SQLite and, where configured, on PostgreSQL.

Every test that takes ``db_url`` (or ``sessions``) runs once per backend. The
PostgreSQL run needs ``KBBOT_TEST_POSTGRES_URL``; without it those runs are
skipped with a reason that pytest's ``-ra`` summary shows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.store.db import make_engine, session_factory, upgrade

POSTGRES_ENV = "KBBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


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


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database migrated to head, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kbbot.db'}"
        upgrade(url)
        yield url
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    url, schema = _fresh_postgres_schema(base)
    try:
        upgrade(url)
        yield url
    finally:
        _drop_postgres_schema(base, schema)


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
    return Settings(_env_file=None, database_url=db_url, default_locale="en", default_timezone="Europe/Amsterdam")


@pytest.fixture
def chat(sessions: sessionmaker[Session], settings: Settings):  # type: ignore[no-untyped-def]
    """A console chat on the test database (see tests/console_chat.py)."""
    from console_chat import Chat

    return Chat(sessions, settings)
