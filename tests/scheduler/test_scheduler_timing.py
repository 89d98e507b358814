"""When prompts and digests arrive: 15:00 on Thursday in each person's own timezone, once a week.

A whole week runs in fake time: a delivery round every 15 or 30 minutes,
the real core and database behind a recording outbound.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, buttons_of, dm_to, text_of, utc

from kbbot.config import Settings
from kbbot.weekly import schedules
from kbbot.store.db import unit_of_work
from kbbot.store.models import SharedPost
from kbbot.store.scheduling import Delivery, DeliveryStatus

ZONES = {"alice": "Europe/Amsterdam", "nick": "America/New_York", "taro": "Asia/Tokyo"}


def prompts_to(world: World, who: str) -> list[datetime]:
    """When ``who`` received a working-out-loud prompt, in their own timezone."""
    zone = ZoneInfo(world.profiles[who]["timezone"] or "UTC")
    return [when.astimezone(zone) for when, _, reply in world.outbound.sent  # type: ignore[union-attr]
            if dm_to(reply) == who and "Working out loud" in text_of(reply)]


def digests_to(world: World, who: str) -> list[datetime]:
    zone = ZoneInfo(world.profiles[who]["timezone"] or "UTC")
    return [when.astimezone(zone) for when, _, reply in world.outbound.sent  # type: ignore[union-attr]
            if dm_to(reply) == who and "Your week in kbbot" in text_of(reply)]


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    # Wednesday 25 November 2026, midnight UTC.
    return World(sessions, settings, utc(2026, 11, 25, 0, 0))


def test_prompts_arrive_at_15_local_in_three_timezones(world: World) -> None:
    for who, zone in ZONES.items():
        world.join(who, timezone=zone)
    world.run_until(utc(2026, 11, 28, 0, 0))

    for who in ZONES:
        arrivals = prompts_to(world, who)
        assert len(arrivals) == 1, f"{who}: {arrivals}"
        local = arrivals[0]
        assert (local.strftime("%a"), local.hour, local.minute) == ("Thu", 15, 0), f"{who}: {local}"
    # Tokyo's Thursday afternoon comes first, New York's last.
    order = [dm_to(reply) for _, _, reply in world.outbound.sent]
    assert order == ["taro", "alice", "nick"]
    prompt = world.outbound.to("alice")[0]
    assert "this week" in text_of(prompt) and "Reply to this message" in text_of(prompt)
    assert [b.label for b in buttons_of(prompt)] == ["No more weekly prompts", "Another day…"]


def test_prompt_in_dutch_rotates_week_by_week(world: World) -> None:
    world.join("anne", timezone="Europe/Amsterdam", locale="nl")
    world.run_until(utc(2026, 12, 11, 0, 0), step_minutes=120)
    prompts = [r for r in world.outbound.to("anne") if "Hardop werken" in text_of(r)]
    assert len(prompts) == 3  # Thursdays 26 November, 3 and 10 December
    questions = [r.blocks[1].text for r in prompts]  # type: ignore[union-attr]
    assert len(set(questions)) == 3 and all(q.endswith("?") for q in questions)
    assert "Antwoord op dit bericht" in text_of(prompts[0])


def test_opt_out_deactivated_and_already_answered_get_no_prompt(world: World, sessions: sessionmaker[Session]
                                                                ) -> None:
    for who in ("alice", "bob", "carol", "dave"):
        world.join(who)
    world.run_until(utc(2026, 11, 27, 0, 0))
    assert all(len(prompts_to(world, who)) == 1 for who in ("alice", "bob", "carol", "dave"))

    # bob turns prompts off with one click on the prompt; carol leaves; dave already wrote for next week.
    shown = world.click("bob", "kb_wol_prompts_off", "")
    assert "no more weekly prompts" in text_of(shown[0]).lower()
    assert not world.person("bob").prompts_enabled
    world.update_person("carol", is_active=False)
    with unit_of_work(sessions) as session:
        dave = world.person("dave")
        session.add(SharedPost(workspace_id=dave.workspace_id, author_id=dave.id, conversation_id=None,
                               source_key="test:dave", period="2026-W49", text="Wrote it early",
                               created_at=world.time.now))
    world.run_until(utc(2026, 12, 4, 0, 0))

    assert len(prompts_to(world, "alice")) == 2
    assert len(prompts_to(world, "bob")) == 1
    assert len(prompts_to(world, "carol")) == 1
    assert len(prompts_to(world, "dave")) == 1


@pytest.mark.parametrize("month, sunday, digest_at", [(3, 29, (3, 30, "CEST")), (10, 25, (2, 30, "CEST"))],
                         ids=["march", "october"])
def test_dst_week_neither_skips_nor_doubles(sessions: sessionmaker[Session], settings: Settings,
                                            month: int, sunday: int, digest_at: tuple[int, int, str]) -> None:
    """The week around the last Sunday of March/October: prompts at 15:00 local, a 02:30 digest once."""
    dst_sunday = utc(2026, month, sunday)
    world = World(sessions, settings, dst_sunday - timedelta(days=4))  # the Wednesday before
    world.join("alice", timezone="Europe/Amsterdam")
    world.join("bob", timezone="Europe/Amsterdam")
    world.command("alice", "expertise", "add #python")
    with unit_of_work(sessions) as session:
        # alice reads her digest in the night from Saturday to Sunday: 02:30, inside the DST change.
        schedules.choose(session, session.merge(world.person("alice")), "digest", "sun", "02:30", world.time.now)
    world.time.now = dst_sunday - timedelta(days=3, hours=-9)  # Thursday 09:00 UTC
    world.ask("bob", "general", "How do I pin a #python dependency?")
    world.run_until(dst_sunday + timedelta(days=5), step_minutes=30)  # to the Friday after

    arrivals = prompts_to(world, "alice")
    thursday_before, thursday_after = dst_sunday - timedelta(days=3), dst_sunday + timedelta(days=4)
    assert [(a.date(), a.hour, a.minute) for a in arrivals] == [
        (thursday_before.date(), 15, 0), (thursday_after.date(), 15, 0)]
    assert arrivals[0].utcoffset() != arrivals[1].utcoffset()  # same wall time, different UTC instants
    digests = digests_to(world, "alice")
    assert len(digests) == 1 and digests[0].date() == dst_sunday.date()
    # 02:30 does not exist in March (it is read as 03:30 summer time); in October it exists twice and
    # the first (summer time) one counts.
    assert (digests[0].hour, digests[0].minute, digests[0].tzname()) == digest_at


def test_missed_run_within_grace_is_sent_once_and_older_ones_are_skipped(
        sessions: sessionmaker[Session], settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    world = World(sessions, settings, utc(2026, 11, 25, 12, 0))
    world.join("alice", timezone="Europe/Amsterdam")  # due Thursday 14:00 UTC
    world.join("nick", timezone="America/New_York")   # due Thursday 20:00 UTC
    world.deliverer().run()  # last week's moments are long past: recorded as skipped, nothing sent
    assert world.outbound.sent == []

    # kbbot was down from Wednesday until Friday 03:00 UTC: alice's prompt is 13 h late, nick's 7 h.
    world.time.now = utc(2026, 11, 27, 1, 30)
    with caplog.at_level(logging.WARNING, logger="kbbot.scheduler.delivery"):
        world.deliverer().run()
    assert prompts_to(world, "nick") and not prompts_to(world, "alice")
    assert "skipped 1 deliveries due longer ago" in caplog.text
    world.deliverer().run()
    assert len(world.outbound.sent) == 1
    with unit_of_work(sessions) as session:
        statuses = dict(tuple(row) for row in session.execute(select(Delivery.recipient, Delivery.status).where(
            Delivery.kind == "prompt", Delivery.period == "2026-W48")))
    alice, nick = world.person("alice"), world.person("nick")
    assert statuses == {f"person:{alice.id}": DeliveryStatus.SKIPPED, f"person:{nick.id}": DeliveryStatus.SENT}


def test_workspace_and_person_schedule_overrides(world: World, sessions: sessionmaker[Session]) -> None:
    world.join("alice", timezone="Europe/Amsterdam")
    world.join("bob", timezone="Europe/Amsterdam")
    with unit_of_work(sessions) as session:
        from kbbot.store.models import Workspace

        space = session.scalars(select(Workspace)).one()
        space.settings = {**(space.settings or {}), "prompt_day": "fri", "prompt_time": "10:30"}
        schedules.choose(session, session.merge(world.person("bob")), "prompt", "wed", "16:45", world.time.now)
        with pytest.raises(ValueError, match="workdays"):
            schedules.choose(session, session.merge(world.person("bob")), "prompt", "sat", None, world.time.now)
    world.run_until(utc(2026, 11, 28, 0, 0), step_minutes=15)
    assert [(a.strftime("%a"), a.hour, a.minute) for a in prompts_to(world, "alice")] == [("Fri", 10, 30)]
    assert [(a.strftime("%a"), a.hour, a.minute) for a in prompts_to(world, "bob")] == [("Wed", 16, 45)]


def test_a_week_runs_in_fake_time_quickly(world: World) -> None:
    import time

    world.join("alice")
    started = time.perf_counter()
    world.run_until(world.time.now + timedelta(days=7), step_minutes=60)
    assert time.perf_counter() - started < 10
    assert len(prompts_to(world, "alice")) == 1
