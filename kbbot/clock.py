"""Time, injected: services take a ``Clock`` so tests can run a week in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Aware UTC now; every timestamp kbbot stores is aware and in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
