"""A round reads the people due now, not everyone: and a change of moment still counts at once.

Each person's next moment is stored after a round; these tests change what
decides it (timezone, own day, the workspace's day, the operator's default)
*after* it was stored and check that the prompt or digest follows the change.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import PLATFORM, WORKSPACE, World, utc
from test_scheduler_timing import prompts_to

from kbbot.clock import as_utc
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, Workspace
from kbbot.store.scheduling import Delivery, ScheduleNext


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, utc(2026, 11, 23, 12, 0))  # Monday 23 November 2026, after the digests
    for who in ("alice", "bob"):
        world.join(who)
    world.deliverer().run()  # this week's digests, due this morning, are sent
    world.time.now += timedelta(minutes=1)
    world.deliverer().run()  # now in the ledger: everyone's next moment is remembered
    return world


def moment_of(world: World, who: str, kind: str) -> str:
    """When this week's prompt or digest of ``who`` was due, in their timezone, from the delivery ledger."""
    zone = ZoneInfo(world.profiles[who]["timezone"] or "UTC")
    with unit_of_work(world.sessions) as session:
        [due] = session.scalars(select(Delivery.due_at).where(
            Delivery.recipient == f"person:{world.person(who).id}", Delivery.kind == kind,
            Delivery.period == "2026-W48")).all()
    return as_utc(due).astimezone(zone).strftime("%a %H:%M")


def remembered(world: World) -> dict[str, object]:
    with unit_of_work(world.sessions) as session:
        rows = session.execute(select(ScheduleNext.person_id, ScheduleNext.next_at)).all()
    names = {world.person(who).id: who for who in world.profiles}
    return {names[person]: at for person, at in rows}


def test_after_a_round_everyone_has_a_next_moment_and_a_quiet_round_reads_nobody(world: World) -> None:
    stored = remembered(world)
    assert set(stored) == {"alice", "bob"}
    world.time.now += timedelta(minutes=1)
    with unit_of_work(world.sessions) as session:
        fresh, late = world.deliverer().due(session, world.time.now)
    assert (fresh, late) == ([], [])  # nobody is read: nobody is due until their stored moment


def test_a_new_timezone_moves_the_prompt_after_the_moment_was_stored(world: World) -> None:
    world.profiles["alice"]["timezone"] = "Asia/Tokyo"  # her Thursday 15:00 comes before Amsterdam's
    world.say("alice", "general", "moved to the Tokyo office")  # the platform tells kbbot her new timezone
    world.run_until(utc(2026, 11, 27, 0, 0), step_minutes=30)
    assert moment_of(world, "alice", "prompt") == "Thu 15:00"  # in Tokyo
    assert len(prompts_to(world, "alice")) == 1 and prompts_to(world, "alice")[0].utcoffset() == timedelta(hours=9)
    assert moment_of(world, "bob", "prompt") == "Thu 15:00"  # in Amsterdam


def test_an_own_prompt_day_chosen_after_the_moment_was_stored_counts_this_week(world: World) -> None:
    world.command("alice", "kb", "settings prompt-day tue prompt-time 10:00")
    world.run_until(utc(2026, 11, 27, 0, 0), step_minutes=30)
    assert moment_of(world, "alice", "prompt") == "Tue 10:00"
    assert len(prompts_to(world, "alice")) == 1  # sent then, not skipped as too late on Thursday
    assert moment_of(world, "bob", "prompt") == "Thu 15:00"


def test_a_workspace_day_changed_after_the_moments_were_stored_counts_for_everyone(world: World) -> None:
    with unit_of_work(world.sessions) as session:
        space = session.scalars(select(Workspace)).one()
        space.settings = {**(space.settings or {}), "prompt_day": "tue", "prompt_time": "11:00"}
    world.run_until(utc(2026, 11, 25, 0, 0), step_minutes=30)
    assert moment_of(world, "alice", "prompt") == moment_of(world, "bob", "prompt") == "Tue 11:00"
    assert len(prompts_to(world, "alice")) == len(prompts_to(world, "bob")) == 1


def test_a_new_operator_default_counts_after_a_restart(world: World, settings: Settings) -> None:
    world.settings = settings.model_copy(update={"prompt_day": "tue", "prompt_time": "09:30"})
    world.run_until(utc(2026, 11, 25, 0, 0), step_minutes=30)
    assert moment_of(world, "alice", "prompt") == "Tue 09:30"
    assert len(prompts_to(world, "alice")) == 1


def test_after_a_long_outage_everyones_missed_week_is_recorded_and_nothing_is_sent(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    """Enough people that one statement would pass PostgreSQL's 65,535-parameter limit (12 per row)."""
    world = World(sessions, settings, utc(2026, 11, 30, 20, 0))  # Monday night: the week's prompt and digest missed
    with unit_of_work(sessions) as session:
        space = Workspace(platform=PLATFORM, external_id=WORKSPACE, name="Acme", settings={}, created_at=world.time.now)
        session.add(space)
        session.flush()
        session.add_all(Person(workspace_id=space.id, external_id=f"U{n:05d}", display_name=f"P{n}", locale="en",
                               timezone="Europe/Amsterdam", prompts_enabled=True, digest_enabled=True, is_active=True,
                               is_bot=False, locale_chosen=False, timezone_chosen=False, created_at=world.time.now)
                        for n in range(3000))
    world.deliverer().run()
    with unit_of_work(sessions) as session:
        skipped = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "skipped"))
    assert skipped == 6000  # a prompt and a digest each, recorded as missed
    assert world.outbound.sent == []


def test_a_colleague_who_joins_just_before_the_prompt_gets_it_within_minutes(world: World) -> None:
    """A long-running process reads only due moments each minute, and looks for newcomers every ten."""
    deliverer = world.deliverer()
    world.time.now = utc(2026, 11, 26, 13, 50)  # Thursday, ten minutes before 15:00 in Amsterdam
    for _ in range(6):
        deliverer.run()
        world.time.now += timedelta(minutes=1)
    world.join("carol")  # at 14:56 Amsterdam: no next moment is stored for her
    while world.time.now < utc(2026, 11, 26, 14, 30):
        deliverer.run()
        world.time.now += timedelta(minutes=1)
    [arrival] = prompts_to(world, "carol")
    assert timedelta(0) <= arrival - utc(2026, 11, 26, 14, 0) <= timedelta(minutes=10)
    assert len(prompts_to(world, "alice")) == len(prompts_to(world, "bob")) == 1
