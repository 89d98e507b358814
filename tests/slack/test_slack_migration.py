"""Migration 0002 creates exactly the tables slack_sdk's SQLAlchemy installation and state stores use."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, inspect


SLACK_TABLES = {"slack_bots", "slack_installations", "slack_oauth_states"}


def stores_metadata(engine: Engine) -> MetaData:
    """The stores' own table definitions, gathered without creating anything."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def test_the_migrated_schema_matches_the_stores_and_0002_reverses_cleanly(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, kind, parent: kind != "table" or name in SLACK_TABLES,
        })
        differences = compare_metadata(context, stores_metadata(engine))
    assert differences == []

    # 0002's own downgrade and upgrade (not the whole chain, whose other steps belong to other features).
    migration = importlib.import_module("kbbot_migrations.versions.0002_slack_installations")
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        migration.downgrade()
        assert SLACK_TABLES.isdisjoint(inspect(connection).get_table_names())
        migration.upgrade()
        assert SLACK_TABLES <= set(inspect(connection).get_table_names())
