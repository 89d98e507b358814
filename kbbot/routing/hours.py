"""Working hours in a person's own timezone: when an invitation may go out, and what "4 working hours" means.

Everything is reckoned on local calendar days and converted to UTC only at
the end (as :mod:`kbbot.weekly.timing` does), so a daylight-saving change
moves the UTC instant, never the local 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kbbot.weekly.timing import DAYS, iso_week, zone

MAX_DAYS_AHEAD = 14
"""How far to look for the next working moment (a work-day list of, say, only Fridays still finds one)."""


def parse_days(spec: str) -> frozenset[int]:
    """``"mon-fri"`` or ``"mon,wed,fri"`` → weekday numbers (Monday 0); an unreadable spec means Monday–Friday."""
    found: set[int] = set()
    for part in spec.casefold().replace(" ", "").split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first[:3] in DAYS and last[:3] in DAYS:
                start, end = DAYS.index(first[:3]), DAYS.index(last[:3])
                found.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
        elif part[:3] in DAYS:
            found.add(DAYS.index(part[:3]))
    return frozenset(found) or frozenset(range(5))


def _clock(value: str) -> time | None:
    """``"09:00"`` → 09:00; ``"24:00"`` → ``None``, the end of the day."""
    hours, _, minutes = value.partition(":")
    if int(hours) >= 24:
        return None
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class WorkingHours:
    """A working day from ``start`` to ``end`` (``"HH:MM"``; ``"24:00"`` ends at midnight) on ``days``, in ``timezone``."""

    start: str
    end: str
    days: frozenset[int]
    timezone: str

    def in_zone(self, timezone: str) -> WorkingHours:
        return WorkingHours(self.start, self.end, self.days, timezone)

    def _span(self, day: date) -> tuple[datetime, datetime]:
        """The working hours of local ``day`` as UTC instants."""
        tz = zone(self.timezone)
        opens = datetime.combine(day, _clock(self.start) or time(0), tzinfo=tz)
        closes_at = _clock(self.end)
        closes = (datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz) if closes_at is None
                  else datetime.combine(day, closes_at, tzinfo=tz))
        return opens.astimezone(UTC), closes.astimezone(UTC)

    def _days_from(self, moment: datetime) -> list[date]:
        local = moment.astimezone(zone(self.timezone)).date()
        return [local + timedelta(days=n) for n in range(-1, MAX_DAYS_AHEAD)
                if (local + timedelta(days=n)).weekday() in self.days]

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(zone(self.timezone)).date()
        if local.weekday() not in self.days:
            return False
        opens, closes = self._span(local)
        return opens <= moment < closes

    def next_working(self, moment: datetime) -> datetime:
        """``moment`` itself if it falls in working hours, else when they next begin."""
        for day in self._days_from(moment):
            opens, closes = self._span(day)
            if moment < closes:
                return max(moment, opens)
        return moment

    def next_day_start(self, moment: datetime) -> datetime:
        """The start of the first working day after ``moment``'s local day ("tomorrow")."""
        local = moment.astimezone(zone(self.timezone)).date()
        for day in self._days_from(moment):
            if day > local:
                return self._span(day)[0]
        return moment + timedelta(days=1)

    def later_today(self, moment: datetime, hours: float = 3.0) -> datetime:
        """A few working hours from now, or tomorrow's start when today's hours end before that."""
        wanted = moment + timedelta(hours=hours)
        return wanted if self.is_working(wanted) and self.is_working(moment) else self.next_day_start(moment)

    def add(self, moment: datetime, hours: float) -> datetime:
        """The instant ``hours`` working hours after ``moment`` (time outside working hours does not count)."""
        left = timedelta(hours=hours)
        at = self.next_working(moment)
        for _ in range(MAX_DAYS_AHEAD * 40):
            day = at.astimezone(zone(self.timezone)).date()
            _, closes = self._span(day)
            if at + left <= closes:
                return at + left
            left -= closes - at
            at = self.next_working(closes)
        return at + left

    @property
    def day_hours(self) -> float:
        """Length of one working day in hours: what "one working day" adds."""
        start = _clock(self.start) or time(0)
        end = _clock(self.end)
        end_minutes = 24 * 60 if end is None else end.hour * 60 + end.minute
        return max(0.25, (end_minutes - start.hour * 60 - start.minute) / 60)

    def week_of(self, moment: datetime) -> str:
        """The person's own ISO week of ``moment``: the week whose ping budget an invitation counts against."""
        return iso_week(moment.astimezone(zone(self.timezone)).date())
