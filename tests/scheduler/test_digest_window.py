"""What each digest covers: everything since the previous digest that was sent, nothing twice, nothing lost.

People (and workspaces) move their digest to another day or time. Whatever
they do, every answer (or channel question) shows up in exactly one digest:
each digest reaches back to where the last one sent ended, a first digest
covers the last week, and someone back after a long break gets four weeks,
not everything. Weeks run in fake time against the real core and database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, dm_to, target

from kbbot.clock import as_utc
from kbbot.config import Settings
from kbbot.contract.outbound import RetryLater
from kbbot.contract.replies import ListBlock, Reply, Text
from kbbot.scheduler import cli, windows
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Workspace
from kbbot.store.scheduling import Delivery, DeliveryStatus

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TOPICS = ("rotating the staging password", "the VPN on a new laptop", "booking a meeting room",
          "the expense form for travel", "access to the build server", "the holiday calendar")


def local(*args: int) -> datetime:
    """A moment on an Amsterdam wall clock (CET or CEST, whichever applies then), in UTC as kbbot's clock gives it."""
    return datetime(*args, tzinfo=AMSTERDAM).astimezone(UTC)


ROUND = timedelta(minutes=30)


def until(world: World, when: datetime) -> None:
    """Let the scheduler run its rounds (on the hour and half hour) before ``when``; what follows happens then."""
    deliverer = world.deliverer()
    tick = datetime.fromtimestamp(-(-world.time.now.timestamp() // ROUND.total_seconds()) * ROUND.total_seconds(),
                                  tz=UTC)
    while tick < when:
        world.time.now = max(world.time.now, tick)
        deliverer.run()
        tick += ROUND
    world.time.now = max(world.time.now, when)


def section(reply: Reply, heading: str) -> str:
    """The text of the list under ``heading`` in ``reply`` ("" when the digest has no such part)."""
    blocks = list(reply.blocks)
    for number, block in enumerate(blocks):
        if isinstance(block, Text) and block.text == heading and number + 1 < len(blocks):
            following = blocks[number + 1]
            if isinstance(following, ListBlock):
                return "\n".join(f"{item.text} {item.detail or ''}" for item in following.items)
    return ""


def digests(world: World, who: str) -> list[tuple[str, Reply]]:
    """``who``'s personal digests as (local arrival, reply)."""
    return [(when.astimezone(AMSTERDAM).strftime("%a %d %b %H:%M"), reply)  # type: ignore[union-attr]
            for when, _, reply in world.outbound.sent
            if dm_to(reply) == who and reply.text.startswith("📬 Your week in kbbot")]


def answers_in(reply: Reply, tips: Iterable[str]) -> set[str]:
    shown = section(reply, "New answers to your questions")
    return {tip for tip in tips if tip in shown}


def ledger_rows(world: World, recipient: str, kind: str) -> list[Delivery]:
    with unit_of_work(world.sessions) as session:
        rows = list(session.scalars(select(Delivery).where(
            Delivery.recipient == recipient, Delivery.kind == kind, Delivery.status == DeliveryStatus.SENT)
            .order_by(Delivery.claimed_at)))
        session.expunge_all()
    return rows


def assert_tiled(rows: list[Delivery]) -> None:
    """Each sent digest began exactly where the one before it ended (its claim)."""
    for before, after in zip(rows, rows[1:]):
        assert as_utc(after.window_start) == as_utc(before.claimed_at)  # type: ignore[arg-type]


class Asker:
    """Alice asks one question per topic; Bob answers them one by one, at moments the test picks."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.questions = [world.ask("alice", "general", f"Who knows about {topic}?") for topic in TOPICS]
        self.tips: list[str] = []

    def answered(self, when: datetime, scheduler: bool = True) -> str:
        """Bob answers the next question at ``when``; the scheduler runs until then unless kbbot is down."""
        if scheduler:
            until(self.world, when)
        self.world.time.now = max(self.world.time.now, when)
        tip = f"Tip {len(self.tips) + 1}: see the wiki page for it"
        self.world.answer("bob", self.questions[len(self.tips)], tip)
        self.tips.append(tip)
        return tip


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, local(2026, 11, 24, 10, 0))  # Tuesday 24 November 2026
    world.join("alice")
    world.join("bob")
    world.deliverer().run()  # last week's moments: recorded as skipped
    return world


def test_moving_the_digest_later_twice_loses_and_repeats_nothing(world: World) -> None:
    asker = Asker(world)
    first = asker.answered(local(2026, 11, 25, 11, 0))
    until(world, local(2026, 11, 30, 10, 0))  # Monday's digest went out at 09:00
    world.command("alice", "kb", "settings digest-day wed")
    tuesday = asker.answered(local(2026, 12, 1, 11, 0))  # between the old day and the new one
    thursday = asker.answered(local(2026, 12, 3, 11, 0))
    until(world, local(2026, 12, 9, 10, 0))  # Wednesday 2 December shared Monday's week: next is the 9th
    world.command("alice", "kb", "settings digest-day fri")
    wednesday = asker.answered(local(2026, 12, 9, 11, 0))
    thursday_after = asker.answered(local(2026, 12, 10, 11, 0))
    saturday = asker.answered(local(2026, 12, 12, 11, 0))
    until(world, local(2026, 12, 19, 10, 0))

    shown = digests(world, "alice")
    assert [when for when, _ in shown] == ["Mon 30 Nov 09:00", "Wed 09 Dec 09:00", "Fri 18 Dec 09:00"]
    assert [answers_in(reply, asker.tips) for _, reply in shown] == [
        {first}, {tuesday, thursday}, {wednesday, thursday_after, saturday}]
    assert_tiled(ledger_rows(world, f"person:{world.person('alice').id}", "digest"))


def test_moving_the_digest_earlier_across_the_clock_change_repeats_nothing(sessions: sessionmaker[Session],
                                                                          settings: Settings) -> None:
    world = World(sessions, settings, local(2026, 10, 20, 10, 0))  # Tuesday; clocks go back on Sunday the 25th
    world.join("alice")
    world.join("bob")
    world.command("alice", "kb", "settings digest-day fri")
    world.deliverer().run()
    asker = Asker(world)
    before = asker.answered(local(2026, 10, 21, 11, 0))
    until(world, local(2026, 10, 23, 10, 0))  # Friday's digest went out at 09:00 (CEST)
    world.command("alice", "kb", "settings digest-day mon digest-time 08:30")
    friday = asker.answered(local(2026, 10, 23, 11, 0))
    sunday = asker.answered(local(2026, 10, 25, 11, 0))  # CET from here on
    until(world, local(2026, 10, 26, 10, 0))
    monday = asker.answered(local(2026, 10, 26, 11, 0))
    until(world, local(2026, 11, 3, 10, 0))

    shown = digests(world, "alice")
    assert [when for when, _ in shown] == ["Fri 23 Oct 09:00", "Mon 26 Oct 08:30", "Mon 02 Nov 08:30"]
    assert [answers_in(reply, asker.tips) for _, reply in shown] == [{before}, {friday, sunday}, {monday}]
    rows = ledger_rows(world, f"person:{world.person('alice').id}", "digest")
    assert_tiled(rows)
    # Friday 09:00 to Monday 08:30 reads 2 days 23½ hours on the wall clock; the clock change adds an hour.
    covered = as_utc(rows[1].claimed_at) - as_utc(rows[1].window_start)  # type: ignore[arg-type]
    assert abs(covered - timedelta(days=3, minutes=30)) < timedelta(minutes=1)


def test_a_first_digest_covers_the_last_seven_days(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, local(2026, 11, 16, 12, 0))
    world.join("alice")
    world.join("bob")
    asker = Asker(world)
    two_weeks_ago = asker.answered(local(2026, 11, 16, 12, 0), scheduler=False)
    six_days_ago = asker.answered(local(2026, 11, 24, 11, 0), scheduler=False)
    world.time.now = local(2026, 11, 30, 9, 10)  # kbbot starts on Monday morning, just after the digest was due
    world.deliverer().run()

    shown = digests(world, "alice")
    assert len(shown) == 1 and answers_in(shown[0][1], asker.tips) == {six_days_ago}
    assert two_weeks_ago not in section(shown[0][1], "New answers to your questions")
    row = ledger_rows(world, f"person:{world.person('alice').id}", "digest")[0]
    assert as_utc(row.claimed_at) - as_utc(row.window_start) == windows.FIRST_WINDOW  # type: ignore[arg-type]


def test_a_long_absence_brings_the_last_four_weeks(world: World) -> None:
    asker = Asker(world)
    first = asker.answered(local(2026, 11, 25, 11, 0))
    until(world, local(2026, 11, 30, 10, 0))
    world.command("alice", "kb", "settings digest off")
    five_weeks_back = asker.answered(local(2026, 12, 7, 11, 0), scheduler=False)
    three_weeks_back = asker.answered(local(2026, 12, 22, 11, 0), scheduler=False)
    world.time.now = local(2027, 1, 11, 8, 0)
    world.command("alice", "kb", "settings digest on")
    world.time.now = local(2027, 1, 11, 9, 10)
    world.deliverer().run()

    shown = digests(world, "alice")
    assert [when for when, _ in shown] == ["Mon 30 Nov 09:00", "Mon 11 Jan 09:10"]
    assert [answers_in(reply, asker.tips) for _, reply in shown] == [{first}, {three_weeks_back}]
    assert five_weeks_back not in section(shown[1][1], "New answers to your questions")
    row = ledger_rows(world, f"person:{world.person('alice').id}", "digest")[-1]
    assert as_utc(row.claimed_at) - as_utc(row.window_start) == windows.LONGEST_WINDOW  # type: ignore[arg-type]


def test_a_retried_digest_covers_up_to_its_retry_and_the_next_starts_there(world: World) -> None:
    asker = Asker(world)
    wednesday = asker.answered(local(2026, 11, 25, 11, 0))
    until(world, local(2026, 11, 30, 8, 45))
    world.outbound.fail["alice"] = [RetryLater("429 Too Many Requests", retry_after=5)]
    during_retry = asker.answered(local(2026, 11, 30, 9, 15))  # the 09:00 attempt was told to wait
    tuesday = asker.answered(local(2026, 12, 1, 11, 0))
    until(world, local(2026, 12, 7, 10, 0))

    shown = digests(world, "alice")
    assert [when for when, _ in shown] == ["Mon 30 Nov 09:30", "Mon 07 Dec 09:00"]
    assert [answers_in(reply, asker.tips) for _, reply in shown] == [{wednesday, during_retry}, {tuesday}]
    assert_tiled(ledger_rows(world, f"person:{world.person('alice').id}", "digest"))


def test_a_workspace_moving_its_channel_digests_shows_each_question_once(world: World) -> None:
    world.say("alice", "general", "digest on", mentions_bot=True)

    def asked(when: datetime, text: str) -> str:
        until(world, when)
        world.ask("alice", "general", text)
        return text

    def move_to(day: str) -> None:
        with unit_of_work(world.sessions) as session:
            space = session.scalars(select(Workspace)).one()
            space.settings = {**(space.settings or {}), "digest_day": day}

    first = asked(local(2026, 11, 25, 11, 0), "Where do I find the onboarding checklist?")
    until(world, local(2026, 11, 30, 10, 0))
    move_to("wed")
    tuesday = asked(local(2026, 12, 1, 11, 0), "Who approves a new laptop order?")
    next_tuesday = asked(local(2026, 12, 8, 11, 0), "How do I reset my badge PIN?")
    until(world, local(2026, 12, 9, 10, 0))
    move_to("mon")
    thursday = asked(local(2026, 12, 10, 11, 0), "Which printer takes A3 paper?")
    until(world, local(2026, 12, 15, 10, 0))

    questions = (first, tuesday, next_tuesday, thursday)
    channel = [(when.astimezone(AMSTERDAM).strftime("%a %d %b %H:%M"), reply)  # type: ignore[union-attr]
               for when, _, reply in world.outbound.sent if target(reply) == "C-general"]
    assert [when for when, _ in channel] == ["Mon 30 Nov 09:00", "Wed 09 Dec 09:00", "Mon 14 Dec 09:00"]
    assert [{q for q in questions if q in section(reply, "New questions")} for _, reply in channel] == [
        {first}, {tuesday, next_tuesday}, {thursday}]
    assert_tiled(ledger_rows(world, f"channel:{channel_id(world)}", "channel_digest"))


def channel_id(world: World) -> int:
    with unit_of_work(world.sessions) as session:
        return session.scalars(select(Conversation.id).where(Conversation.external_id == "C-general")).one()


def test_preview_shows_what_has_gathered_since_the_last_digest(world: World, settings: Settings) -> None:
    asker = Asker(world)
    asker.answered(local(2026, 11, 25, 11, 0))
    until(world, local(2026, 11, 30, 10, 0))
    world.command("alice", "kb", "settings digest-day fri")
    tuesday = asker.answered(local(2026, 12, 1, 11, 0))
    world.time.now = local(2026, 12, 1, 11, 5)
    lines: list[str] = []
    assert cli.preview(world.sessions, settings, "alice", None, lines.append, clock=world.time) == 0
    # Friday 4 December shares Monday's week, so the next digest is Friday the 11th, from Monday's on.
    assert "2026-W50: Mon 2026-11-30 09:00 – Tue 2026-12-01 11:05 Europe/Amsterdam" in lines[0]
    assert tuesday in "\n".join(lines) and "Tip 1" not in "\n".join(lines)
    lines.clear()
    assert cli.preview(world.sessions, settings, "alice", "2026-W49", lines.append, clock=world.time) == 0
    assert "2026-W49: Mon 2026-11-23 09:00 – Mon 2026-11-30 09:00" in lines[0] and "Tip 1" in "\n".join(lines)
