"""Re-check by use, in batches: a due answer shown three times in a week is one reminder to its owner.

Bob's accepted answer is 181 days old (the clock moved, nobody slept). Erin
finds it three times that week; Bob hears of it once, in his Monday digest,
with Still right / Update / Retire. Nobody hears about answers nobody used,
and nobody gets two reminders in a week, however many schedulers run.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, buttons_of, text_of, utc

from kbbot.config import Settings
from kbbot.contract.replies import Reply
from kbbot.i18n import t
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, AnswerCare, Question, QuestionStatus, RecheckReminder
from kbbot.store.scheduling import Delivery

WRITTEN = utc(2026, 3, 4, 10, 0)           # a Wednesday
DUE_WEEK = WRITTEN + timedelta(days=181)   # Friday 2026-09-01 ... the answer is due from here
SEARCH = "search rotate staging database password"


def reminders(world: World, who: str) -> list[Reply]:
    return [reply for reply in world.outbound.to(who) if "Answers to re-check" in text_of(reply)]


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, WRITTEN)
    for who in ("alice", "bob", "erin", "carol"):
        world.join(who)
    question = world.ask("alice", "general", "How do I rotate the staging database password? #postgres")
    answer = world.answer("bob", question, "Use the vault CLI: vault write -f database/rotate-root/staging")
    world.accept("alice", answer)
    world.time.now = DUE_WEEK
    world.deliverer().run()  # earlier weeks' moments: recorded as skipped, nothing sent
    world.outbound.sent.clear()
    return world


def _shown_three_times(world: World) -> None:
    for day in range(3):
        world.time.now += timedelta(days=1)
        shown = world.command("erin", "kb", SEARCH)
        assert "due for a re-check" in text_of(shown[0])


def _next_monday_ten(world: World) -> None:
    now = world.time.now
    monday = (now + timedelta(days=(7 - now.weekday()) % 7 or 7)).replace(hour=8, minute=30)  # 10:30 Amsterdam
    world.run_until(monday)


def test_three_showings_in_a_week_are_one_batched_reminder_inside_the_digest(world: World) -> None:
    _shown_three_times(world)
    _next_monday_ten(world)
    [digest] = reminders(world, "bob")
    text = text_of(digest)
    assert digest.text == t("en", "digest.personal.heading", name="Bob")  # inside the digest, not beside it
    assert "due for a re-check, shown 3×" in text
    assert [b.label for b in buttons_of(digest) if b.value == "1"][:3] == ["✔ Still right", "✏️ Update", "🗄 Retire"]
    assert reminders(world, "erin") == [] and reminders(world, "alice") == []  # nobody else owns anything used
    # The rest of the week: nothing more, even if Erin keeps finding it.
    _shown_three_times(world)
    world.run_until(world.time.now + timedelta(days=2))
    assert len(reminders(world, "bob")) == 1


def test_nobody_is_reminded_about_answers_nobody_used(world: World) -> None:
    _next_monday_ten(world)
    assert reminders(world, "bob") == []


def test_without_a_digest_the_batch_is_one_message_and_schedulers_racing_send_it_once(
        world: World, sessions: sessionmaker[Session]) -> None:
    world.update_person("bob", digest_enabled=False)
    _shown_three_times(world)
    now = world.time.now
    monday = (now + timedelta(days=(7 - now.weekday()) % 7 or 7)).replace(hour=8, minute=30)
    world.time.now = monday
    first, second = world.deliverer(worker="one"), world.deliverer(worker="two")
    first.run(), second.run(), first.run()
    [message] = reminders(world, "bob")
    assert message.text == "🔎 Answers to re-check" and "shown 3×" in text_of(message)
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(RecheckReminder)) == 1
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "recheck")) == 1


def test_still_right_from_the_reminder(world: World, sessions: sessionmaker[Session]) -> None:
    _shown_three_times(world)
    _next_monday_ten(world)
    [reminder] = reminders(world, "bob")
    still = next(b for b in buttons_of(reminder) if b.action_id == "kb_still_right")
    done = world.click("bob", still.action_id, still.value)
    assert "marked still right" in text_of(done[0])
    assert "verified by Bob" in text_of(world.command("erin", "kb", SEARCH)[0])
    # A click from someone who may not look after it changes nothing.
    refused = world.click("erin", "kb_retire_answer", still.value)
    assert "Only the answer's owner" in text_of(refused[0])
    with unit_of_work(sessions) as session:
        assert session.get(AnswerCare, 1).retired_at is None


def test_update_from_the_reminder_replaces_the_answer(world: World, sessions: sessionmaker[Session]) -> None:
    _shown_three_times(world)
    _next_monday_ten(world)
    [reminder] = reminders(world, "bob")
    update = next(b for b in buttons_of(reminder) if b.action_id == "kb_update_answer")
    how = world.click("bob", update.action_id, update.value)
    assert "Reply in the thread of question Q1" in text_of(how[0])
    new_id = world.answer("bob", 1, "Since September: rotate it in the new secrets portal, Settings → Rotate")
    with unit_of_work(sessions) as session:
        old, new = session.get(Answer, 1), session.get(Answer, new_id)
        assert old.care.retired_at is not None and not old.is_accepted
        assert new.is_accepted and new.care.verified_at is not None
        assert session.get(Question, 1).status is QuestionStatus.ACCEPTED
    found = text_of(world.command("erin", "kb", SEARCH)[0])
    assert "secrets portal" in found and "vault CLI" not in found and "verified by Bob" in found


def test_retire_from_the_reminder(world: World, sessions: sessionmaker[Session]) -> None:
    _shown_three_times(world)
    _next_monday_ten(world)
    [reminder] = reminders(world, "bob")
    retire = next(b for b in buttons_of(reminder) if b.action_id == "kb_retire_answer")
    assert "is retired" in text_of(world.click("bob", retire.action_id, retire.value)[0])
    assert "vault CLI" not in text_of(world.command("erin", "kb", SEARCH)[0])
    assert "vault CLI" in text_of(world.command("erin", "kb", "search --all rotate staging database password")[0])
    with unit_of_work(sessions) as session:
        assert session.get(Question, 1).status is QuestionStatus.OPEN  # it waits for a new answer
