"""Weekly moments in each person's own timezone, and the ISO weeks that name them.

Everything is computed from *local* calendar dates and converted to UTC only
at the end, so a daylight-saving change (the last Sunday of March and
October in Europe) moves the UTC instant but never skips or doubles a week:
each ISO week has exactly one scheduled moment per schedule.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = DAYS[:5]
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Weekly:
    """A weekday and a local time of day in an IANA timezone: "Thursday 15:00 in Europe/Amsterdam"."""

    day: str
    at: str
    timezone: str

    @property
    def weekday(self) -> int:
        return DAYS.index(self.day)

    @property
    def clock(self) -> time:
        hours, minutes = self.at.split(":")
        return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Due:
    """One occurrence of a :class:`Weekly` moment: when (UTC) and which ISO week it belongs to.

    What a digest covers is not read off the schedule (a changed day would
    overlap or skip): see :mod:`kbbot.scheduler.windows`.
    """

    at: datetime
    period: str


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The timezone ``name``; an unknown name falls back to UTC (logged) rather than stopping a batch."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown timezone %r, using UTC", name)
        return ZoneInfo("UTC")


def valid_day(value: str | None) -> str | None:
    day = (value or "").strip().casefold()[:3]
    return day if day in DAYS else None


def valid_time(value: str | None) -> str | None:
    match = _TIME.match((value or "").strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(value: str) -> tuple[int, int]:
    """``"2026-W48"`` → ``(2026, 48)``; raises ``ValueError`` with a readable message otherwise."""
    match = _WEEK.match(value.strip())
    if not match:
        raise ValueError(f"not an ISO week: {value!r} (expected YYYY-Www, e.g. 2026-W48)")
    year, week = int(match.group(1)), int(match.group(2))
    date.fromisocalendar(year, week, 1)  # raises ValueError for week 53 of a 52-week year
    return year, week


def week_index(period: str) -> int:
    """A running number of the ISO week, so rotation continues smoothly across year ends."""
    year, week = parse_week(period)
    return date.fromisocalendar(year, week, 1).toordinal() // 7


def _local(day: date, moment: Weekly) -> datetime:
    # fold=0: in October's repeated hour the first occurrence counts; in March's
    # missing hour the pre-transition offset applies (02:30 becomes 03:30 CEST).
    return datetime.combine(day, moment.clock, tzinfo=zone(moment.timezone)).astimezone(UTC)


def occurrence(moment: Weekly, year: int, week: int) -> Due:
    """The occurrence of ``moment`` in ISO week ``year``-W``week``."""
    day = date.fromisocalendar(year, week, moment.weekday + 1)
    return Due(at=_local(day, moment), period=iso_week(day))


def latest(moment: Weekly, now: datetime) -> Due:
    """The most recent occurrence of ``moment`` at or before ``now``."""
    local_today = now.astimezone(zone(moment.timezone)).date()
    day = local_today - timedelta(days=(local_today.weekday() - moment.weekday) % 7)
    if _local(day, moment) > now:
        day -= timedelta(days=7)
    return Due(at=_local(day, moment), period=iso_week(day))


def following(moment: Weekly, now: datetime) -> Due:
    """The first occurrence of ``moment`` after ``now``."""
    last = latest(moment, now)
    day = last.at.astimezone(zone(moment.timezone)).date() + timedelta(days=7)
    return Due(at=_local(day, moment), period=iso_week(day))


def current_period(timezone: str, now: datetime) -> str:
    """The ISO week ``now`` falls in, in ``timezone``: what "this week" means to that person."""
    return iso_week(now.astimezone(zone(timezone)).date())
