"""Whose prompt and digest is when: operator defaults, then the workspace's, then the person's own.

Prompts go out on workdays only: a weekend day at any level is ignored (and
logged) in favour of the level below it. Digests may be any day.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kbbot.config import Settings
from kbbot.weekly.timing import DAYS, WORKDAYS, Weekly, valid_day, valid_time
from kbbot.store.models import Person
from kbbot.store.scheduling import PersonSchedule

log = logging.getLogger(__name__)

PROMPT = "prompt"
DIGEST = "digest"
CHANNEL_DIGEST = "channel_digest"
RECHECK = "recheck"
"""The weekly re-check batch as a message of its own, at the digest's moment, for owners without a digest."""
KINDS = (PROMPT, DIGEST)

# Keys of ``Workspace.settings`` an admin may set for the whole workspace.
WORKSPACE_KEYS = {PROMPT: ("prompt_day", "prompt_time"), DIGEST: ("digest_day", "digest_time")}


def _default(settings: Settings, kind: str) -> tuple[str, str]:
    day, at = (settings.prompt_day, settings.prompt_time) if kind == PROMPT else (settings.digest_day,
                                                                                   settings.digest_time)
    fallback = ("thu", "15:00") if kind == PROMPT else ("mon", "09:00")
    return _pick(kind, (valid_day(day), valid_time(at)), fallback, "settings")


def _pick(kind: str, candidate: tuple[str | None, str | None], below: tuple[str, str], level: str) -> tuple[str, str]:
    day, at = candidate
    if day is not None and kind == PROMPT and day not in WORKDAYS:
        log.warning("%s prompt day %r is not a workday; using %r", level, day, below[0])
        day = None
    return day or below[0], at or below[1]


def moment(settings: Settings, kind: str, timezone: str, workspace_settings: Mapping[str, Any] | None,
           own: PersonSchedule | None) -> Weekly:
    """The weekly moment of ``kind`` ("prompt", "digest", "channel_digest") for one recipient."""
    base_kind = PROMPT if kind == PROMPT else DIGEST  # a re-check comes at the digest's moment
    chosen = _default(settings, base_kind)
    day_key, time_key = WORKSPACE_KEYS[base_kind]
    space = workspace_settings or {}
    chosen = _pick(base_kind, (valid_day(space.get(day_key)), valid_time(space.get(time_key))), chosen, "workspace")
    if own is not None and kind != CHANNEL_DIGEST:
        values = (own.prompt_day, own.prompt_time) if base_kind == PROMPT else (own.digest_day, own.digest_time)
        chosen = _pick(base_kind, (valid_day(values[0]), valid_time(values[1])), chosen, "person")
    return Weekly(day=chosen[0], at=chosen[1], timezone=timezone)


def choose(session: Session, person: Person, kind: str, day: str | None, at: str | None, now: datetime) -> None:
    """Set a person's own day and/or time for ``kind``; ``None`` keeps the current choice.

    Raises ``ValueError`` for a day or time that cannot be read, or a weekend prompt day.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown schedule kind {kind!r}")
    if day is not None and valid_day(day) is None:
        raise ValueError(f"unknown day {day!r}; use one of {', '.join(DAYS)}")
    if at is not None and valid_time(at) is None:
        raise ValueError(f"unknown time {at!r}; use HH:MM")
    if kind == PROMPT and day is not None and valid_day(day) not in WORKDAYS:
        raise ValueError("prompts go out on workdays only")
    row = session.get(PersonSchedule, person.id)
    if row is None:
        row = PersonSchedule(person_id=person.id, updated_at=now)
        session.add(row)
    if day is not None:
        setattr(row, f"{kind}_day", valid_day(day))
    if at is not None:
        setattr(row, f"{kind}_time", valid_time(at))
    row.updated_at = now
    session.flush()
