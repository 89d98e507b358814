"""Alembic migrations, installed as ``kbbot_migrations``."""
