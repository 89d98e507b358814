"""An admin moves the workspace's digest day in chat: everyone's next digest follows; a member's attempt changes nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, text_of, utc

from kbbot.clock import as_utc
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.scheduling import Delivery


def test_the_digest_day_an_admin_sets_in_chat_is_when_the_digests_go_out(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings.model_copy(update={"admins": "alice"}), utc(2026, 11, 23, 12, 0))
    for who in ("alice", "bob"):
        world.join(who)
    world.deliverer().run()
    world.time.now += timedelta(minutes=1)
    world.deliverer().run()  # this week's moments are remembered: Monday 09:00 by the operator's default

    refused = world.command("bob", "kb", "admin set digest-day thu")
    assert "Only workspace admins" in text_of(refused[0])
    changed = world.command("alice", "kb", "admin set digest-day wed")
    assert "digest-day is now wed for this workspace (was mon)." in text_of(changed[0])
    world.command("alice", "kb", "admin set digest-time 16:30")

    world.run_until(utc(2026, 12, 3, 0, 0), step_minutes=30)
    assert moment_of_week(world, "bob", "2026-W49") == moment_of_week(world, "alice", "2026-W49") == "Wed 16:30"


def moment_of_week(world: World, who: str, week: str) -> str:
    zone = ZoneInfo(world.profiles[who]["timezone"] or "UTC")
    with unit_of_work(world.sessions) as session:
        [due] = session.scalars(select(Delivery.due_at).where(
            Delivery.recipient == f"person:{world.person(who).id}", Delivery.kind == "digest",
            Delivery.period == week)).all()
    return as_utc(due).astimezone(zone).strftime("%a %H:%M")
