"""Engines, sessions and the migration gate.

Sessions are opened per unit of work by whoever handles an event and passed
down; there is no module-level session or engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


class DatabaseNotMigrated(RuntimeError):
    """The database is behind the code; the message says which command fixes it."""


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend: WAL and foreign keys on SQLite."""
    if url.startswith("sqlite"):
        import sqlite3

        if sqlite3.sqlite_version_info < (3, 35):
            # The inbox and the outbox rely on RETURNING; failing here beats failing on every event.
            raise RuntimeError(f"kbbot needs SQLite 3.35 or newer; this Python has {sqlite3.sqlite_version}. "
                               "Use a newer Python build or PostgreSQL.")
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets readers (the console, a digest preview) run while kbbot serve writes.
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # No pre-ping: it costs a round trip per transaction on the ack path. A connection
    # that died with a server restart fails its one request instead, which is reported
    # to the platform as an error, so the platform retries and nothing is lost; the pool
    # then replaces the connection. Recycling keeps idle connections from going stale.
    # hide_parameters: error messages (which reach logs and the inbox's error column) never carry
    # what people wrote, only the SQL.
    return create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20, hide_parameters=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so replies can be rendered once the transaction ends.

    Importing :mod:`kbbot.search` here installs the listener that indexes
    knowledge in the same flush that writes it, for every process that writes;
    :mod:`kbbot.scheduler.next_due` the one that forgets a person's next
    moment when what decides it changes.
    """
    import kbbot.scheduler.next_due  # noqa: F401
    import kbbot.search  # noqa: F401

    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def _alembic_config(url: str) -> Config:
    script_location = Path(str(resources.files("kbbot_migrations")))
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations; the only way kbbot's schema is ever created."""
    command.upgrade(_alembic_config(url), revision)


def head_revisions(url: str) -> set[str]:
    """The revisions the code expects, to compare with what the database has."""
    return set(ScriptDirectory.from_config(_alembic_config(url)).get_heads())


def ensure_migrated(engine: Engine) -> None:
    """Refuse to run against a database whose schema is not at the code's head."""
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != head_revisions(url):
        raise DatabaseNotMigrated(
            f"The database at {engine.url.render_as_string(hide_password=True)} is not up to date "
            f"(at {', '.join(sorted(current)) or 'no revision'}). Run: kbbot db upgrade"
        )
