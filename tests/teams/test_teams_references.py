"""The Teams conversation-reference table: migration 0005 matches the model, and storing is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot_adapters.teams import references
from kbbot_adapters.teams.references import TeamsConversationReference

TABLE = TeamsConversationReference.__tablename__


def test_migration_0005_creates_exactly_the_model(engine: Engine) -> None:
    only_ours = MetaData()
    TeamsConversationReference.__table__.to_metadata(only_ours)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, only_ours)
                       if TABLE in repr(d)]
    assert differences == []


def test_a_reference_is_stored_once_and_refreshed(sessions: sessionmaker[Session]) -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    reference = {"conversation": {"id": "a:1", "conversationType": "personal"}, "serviceUrl": "https://s/emea/"}
    with unit_of_work(sessions) as session:
        assert references.remember(session, "tenant", references.PERSON, "29:x", "a:1", "https://s/emea/",
                                   reference, now) is True
    moved = {**reference, "serviceUrl": "https://s/amer/"}
    with unit_of_work(sessions) as session:
        assert references.remember(session, "tenant", references.PERSON, "29:x", "a:1", "https://s/amer/",
                                   moved, now + timedelta(days=1)) is False
    with unit_of_work(sessions) as session:
        row = references.find(session, "tenant", references.PERSON, "29:x")
        assert row is not None and row.service_url == "https://s/amer/" and row.reference == moved
        assert references.find(session, "other-tenant", references.PERSON, "29:x") is None
