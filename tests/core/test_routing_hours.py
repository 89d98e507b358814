"""Working hours in a person's own timezone: what "4 working hours later" and "when they begin" mean."""

from __future__ import annotations

from datetime import UTC, datetime

from kbbot.routing.hours import WorkingHours, parse_days

AMSTERDAM = WorkingHours("09:00", "17:30", parse_days("mon-fri"), "Europe/Amsterdam")


def test_working_time_skips_nights_and_weekends() -> None:
    friday_4pm = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam
    assert AMSTERDAM.is_working(friday_4pm)
    assert AMSTERDAM.add(friday_4pm, 4) == datetime(2026, 12, 14, 10, 30, tzinfo=UTC)  # Monday 11:30
    saturday = datetime(2026, 12, 12, 12, 0, tzinfo=UTC)
    assert not AMSTERDAM.is_working(saturday)
    assert AMSTERDAM.next_working(saturday) == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert AMSTERDAM.next_day_start(friday_4pm) == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert AMSTERDAM.add(friday_4pm, 3 * AMSTERDAM.day_hours) == datetime(2026, 12, 16, 15, 0, tzinfo=UTC)


def test_the_local_morning_stays_the_morning_across_a_daylight_saving_change() -> None:
    friday = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)  # 16:00 CET; clocks go forward on Sunday the 29th
    assert AMSTERDAM.add(friday, 4) == datetime(2026, 3, 30, 9, 30, tzinfo=UTC)  # Monday 11:30 CEST
    assert AMSTERDAM.next_day_start(friday) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_other_zones_work_days_and_round_the_clock_hours() -> None:
    tokyo = AMSTERDAM.in_zone("Asia/Tokyo")
    monday_9_utc = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo
    assert not tokyo.is_working(monday_9_utc)
    assert tokyo.next_working(monday_9_utc) == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    assert tokyo.week_of(datetime(2026, 12, 13, 16, 0, tzinfo=UTC)) == "2026-W51"  # already Monday in Tokyo
    always = WorkingHours("00:00", "24:00", parse_days("mon-sun"), "America/New_York")
    assert always.is_working(monday_9_utc) and always.add(monday_9_utc, 30) == datetime(2026, 12, 8, 15, 0,
                                                                                         tzinfo=UTC)
    assert parse_days("sat-mon") == {5, 6, 0} and parse_days("mon,wed,fri") == {0, 2, 4}
    assert parse_days("nonsense") == set(range(5))
