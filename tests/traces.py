"""Every place a string is stored in the whole database, search indexes included: for erasure tests.

Reads the database's own catalogue, not kbbot's models, so a table another
feature adds (or a full-text index's shadow tables) is searched too.
"""

from __future__ import annotations

from sqlalchemy import Engine, text


def _tables(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return list(connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).scalars())
        return list(connection.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'")).scalars())


def traces(engine: Engine, *needles: str) -> list[str]:
    """``table: row`` for every row, of every table, whose stored text holds any needle (case-insensitive)."""
    wanted = [needle.casefold() for needle in needles]
    found: list[str] = []
    with engine.connect() as connection:
        for table in _tables(engine):
            if engine.dialect.name == "sqlite":
                rows = [" ".join(_text(value) for value in row)
                        for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
            else:
                rows = list(connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars())
            found += [f"{table}: {row[:300]}" for row in rows if any(n in row.casefold() for n in wanted)]
    return found


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="ignore")
    return "" if value is None else str(value)
