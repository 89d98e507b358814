"""The schema comes only from migrations, and the models agree with it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from kbbot.store.db import DatabaseNotMigrated, ensure_migrated, make_engine, upgrade
from kbbot.store.models import Base

# Modules that add tables to Base.metadata besides kbbot.store.models (adapters add none: they keep
# what they need through the core, e.g. kbbot.pipeline.addresses).
MODEL_MODULES = ("kbbot.store.scheduling",)
# Tables owned by libraries or made by raw SQL in migrations, not by kbbot's models.
FOREIGN_TABLES = {"alembic_version", "apscheduler_jobs", "slack_bots", "slack_installations", "slack_oauth_states"}


def _load_model_modules() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise


def _is_foreign(name: str) -> bool:
    return name in FOREIGN_TABLES or name.startswith(("search_", "fts_", "kb_search"))


def test_models_match_the_migrated_schema(engine: Engine) -> None:
    _load_model_modules()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda _obj, name, kind, _reflected, _other: not (
                kind == "table" and _is_foreign(name or "")),
            "compare_type": True,
        })
        differences = compare_metadata(context, Base.metadata)
    # Index and column differences on search tables made by raw SQL are not the models' business.
    differences = [d for d in differences if not (isinstance(d, tuple) and "search" in repr(d))]
    assert differences == []


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(DatabaseNotMigrated, match="kbbot db upgrade"):
        ensure_migrated(engine)


def test_a_migrated_database_is_accepted_and_upgrade_is_idempotent(db_url: str) -> None:
    upgrade(db_url)  # a second run changes nothing and does not fail
    engine = make_engine(db_url)
    ensure_migrated(engine)
    assert {"questions", "answers", "inbound_events", "shared_posts"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    with make_engine(url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
