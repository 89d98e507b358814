"""Weekly digests as their readers see them: content, privacy, anonymity, nothing-to-say, reading."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from kbbot.contract.replies import Post
from test_scheduler_support import RecordingOutbound, World, buttons_of, dm_to, text_of, utc

from kbbot.config import Settings
from kbbot.contract.replies import Button, ListBlock, Reply
from kbbot.scheduler import cli
from kbbot.store.db import unit_of_work
from kbbot.store.models import Activity
from kbbot.store.scheduling import Delivery, DeliveryStatus


@dataclass
class Week:
    world: World
    channel: Reply
    personal: dict[str, Reply]


def open_button(reply: Reply, about: str) -> Button:
    """The "Open" button of the digest item whose text mentions ``about``."""
    return next(b for block in reply.blocks if isinstance(block, ListBlock) for item in block.items
                if about in item.text for b in item.buttons if b.action_id == "kb_wol_open")


def _prompt_thread(world: World, who: str) -> str:
    with unit_of_work(world.sessions) as session:
        return session.scalars(select(Delivery.message_id).where(
            Delivery.person_id == world.person(who).id, Delivery.kind == "prompt",
            Delivery.status == DeliveryStatus.SENT)).one()


def _share(world: World, who: str, text: str, channel: str | None) -> None:
    shown = world.say_dm(who, text, thread_id=_prompt_thread(world, who))
    wanted = f"Share with #{channel}" if channel else "Just for me"
    button = next(b for b in buttons_of(shown[0]) if b.label == wanted)
    world.click(who, button.action_id, button.value)


@pytest.fixture
def week(sessions: sessionmaker[Session], settings: Settings) -> Week:
    """A week in Acme's workspace, Tuesday 24 to Monday 30 November 2026, all in Amsterdam."""
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("bob")
    world.join("carol", private=("secret",))
    world.join("dave")
    world.join("erin", locale="nl")
    world.command("bob", "expertise", "add #python")
    world.command("erin", "expertise", "add #python")
    turned_on = world.say("alice", "general", "digest on", mentions_bot=True)[0]
    assert text_of(turned_on) == "This channel will get a weekly digest (Monday 09:00, Europe/Amsterdam)."
    assert isinstance(turned_on.to, Post) and turned_on.to.conversation_id == "C-general"
    world.deliverer().run()  # last week's moments: recorded as skipped

    pin = world.ask("alice", "general", "How do I pin a #python dependency for the build?")
    answer = world.answer("bob", pin, "Use a constraints file and pip install -c constraints.txt")
    world.accept("alice", answer)
    world.ask("carol", "general", "Is it still OK to run #python 2 on the old build box?", anonymous=True)
    world.ask("carol", "secret", "Which #python version does Project Nightingale use?", private=True)
    world.flag_outdated("carol", answer)

    world.run_until(utc(2026, 11, 26, 15, 30), step_minutes=120)  # Thursday's prompts (due 14:00 UTC)
    _share(world, "alice", "Moved the build to #python 3.12, shared the notes", "general")
    _share(world, "bob", "Frustrated by the release process, need to vent", None)
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)  # Monday 10:30 in Amsterdam (due 09:00)

    channel = world.outbound.to("C-general")
    assert len(channel) == 1  # one channel digest; the "digest on" confirmation was a reply to the event
    personal = {who: r for who in ("alice", "bob", "carol", "dave", "erin") for r in world.outbound.to(who)
                if "kbbot," in r.text}
    return Week(world, channel[-1], personal)


def test_channel_digest_has_the_channels_week(week: Week) -> None:
    shown = text_of(week.channel)
    assert shown.startswith("📰 This week in #general")
    assert "How do I pin a #python dependency for the build?" in shown
    assert "accepted: \u201cUse a constraints file" in shown or "Use a constraints file" in shown
    assert "Moved the build to #python 3.12" in shown and "Alice" in shown
    assert "Thank you for helping most this week: Bob" in shown
    # The anonymous question is there, its asker is not; the private channel and the private post are not.
    assert "Is it still OK to run #python 2" in shown and "anonymous" in shown
    assert "Carol" not in shown
    assert "Nightingale" not in shown
    assert "vent" not in shown
    assert isinstance(week.channel.to, Post) and week.channel.to.conversation_id == "C-general"


def test_personal_digests_hold_what_concerns_each_reader(week: Week) -> None:
    alice = text_of(week.personal["alice"])
    assert "New answers to your questions" in alice and "Bob answered: Use a constraints file" in alice

    bob = text_of(week.personal["bob"])
    assert "Questions in your expertise still waiting for an answer" in bob
    assert "Is it still OK to run #python 2" in bob and "asked by anonymous" in bob
    assert "How do I pin" not in bob.split("Your answers this week")[0]  # answered by bob himself
    assert "✅ Accepted: Use a constraints file" in bob and "⚠️ Flagged outdated: Use a constraints file" in bob
    assert "You are creating" in bob
    # Privacy: not a member of #secret, and nobody learns who asked anonymously or who flagged.
    assert "Nightingale" not in bob and "Carol" not in bob

    erin = text_of(week.personal["erin"])
    assert erin.startswith("📬 Jouw week in kbbot, Erin")
    assert "Is it still OK to run #python 2" in erin and "anoniem" in erin and "Nightingale" not in erin


def test_a_digest_with_nothing_worth_saying_is_not_sent(week: Week) -> None:
    assert "dave" not in week.personal and "carol" not in week.personal
    assert not [r for r in week.world.outbound.to("dave") if "kbbot," in r.text]
    with unit_of_work(week.world.sessions) as session:
        status = session.scalars(select(Delivery.status).where(
            Delivery.person_id == week.world.person("dave").id, Delivery.kind == "digest",
            Delivery.period == "2026-W49")).one()
    assert status == DeliveryStatus.EMPTY


def test_reading_a_digest_is_logged_as_consumption_once(week: Week) -> None:
    world = week.world
    open_q = open_button(week.personal["bob"], "python 2")
    shown = world.click("bob", open_q.action_id, open_q.value)
    assert "Is it still OK to run #python 2" in text_of(shown[0]) and shown[0].to.person_id == "bob"
    world.click("bob", open_q.action_id, open_q.value)
    useful = next(b for b in buttons_of(week.personal["bob"]) if b.action_id == "kb_wol_thanks")
    assert text_of(world.click("bob", useful.action_id, useful.value)[0]) == "Thanks for reading!"
    with unit_of_work(world.sessions) as session:
        reads = session.scalars(select(Activity.subject_id).where(
            Activity.person_id == world.person("bob").id, Activity.kind == "read_digest")).all()
        delivery = session.scalars(select(Delivery.id).where(
            Delivery.person_id == world.person("bob").id, Delivery.kind == "digest",
            Delivery.status == DeliveryStatus.SENT)).one()
    assert reads == [delivery]
    # Someone clicking through the channel digest reads it too.
    channel_open = next(b for b in buttons_of(week.channel) if b.action_id == "kb_wol_open")
    world.click("dave", channel_open.action_id, channel_open.value, place=world.channel("general"))
    with unit_of_work(world.sessions) as session:
        assert session.scalars(select(Activity.kind).where(
            Activity.person_id == world.person("dave").id, Activity.kind == "read_digest")).all() == ["read_digest"]


def test_clicking_through_never_opens_a_question_the_reader_may_not_see(week: Week) -> None:
    world = week.world
    delivery_and_question = next(b.value for b in buttons_of(week.personal["bob"]) if b.action_id == "kb_wol_open")
    delivery_id = delivery_and_question.split(":")[0]
    with unit_of_work(world.sessions) as session:
        from kbbot.store.models import Question

        secret = session.scalars(select(Question.id).where(Question.text.like("%Nightingale%"))).one()
    shown = world.click("bob", "kb_wol_open", f"{delivery_id}:{secret}")
    assert text_of(shown[0]) == "That question is no longer available to you."


def test_digest_off_with_one_click(week: Week) -> None:
    off = next(b for b in buttons_of(week.personal["alice"]) if b.action_id == "kb_wol_digest_off")
    week.world.click("alice", off.action_id, off.value)
    assert not week.world.person("alice").digest_enabled


def test_preview_prints_the_digest_as_the_person_sees_it(week: Week, settings: Settings,
                                                          sessions: sessionmaker[Session]) -> None:
    lines: list[str] = []
    code = cli.preview(sessions, settings, "bob", "2026-W49", lines.append, clock=week.world.time)
    shown = "\n".join(lines)
    assert code == 0
    assert "Digest for Bob (bob" in shown and "2026-W49" in shown
    assert "Is it still OK to run #python 2" in shown and "✅ Accepted: Use a constraints file" in shown
    assert "Nightingale" not in shown and "Carol" not in shown
    lines.clear()
    assert cli.preview(sessions, settings, str(week.world.person("dave").id), None, lines.append, clock=week.world.time) == 0
    assert "Nothing worth saying this week" in "\n".join(lines)
    lines.clear()
    assert cli.preview(sessions, settings, "nobody", None, lines.append) == 1
    assert cli.preview(sessions, settings, "bob", "2026-53", lines.append) == 2


def test_send_now_sends_the_due_digests_once(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("bob")
    world.command("bob", "expertise", "add #python")
    world.ask("alice", "general", "How do I profile #python memory?")
    world.time.now = utc(2026, 11, 30, 20, 0)  # Monday evening: the scheduler was down all day
    ports = {"slack": RecordingOutbound()}
    lines: list[str] = []
    assert cli.send_now(sessions, settings, ports, lines.append, clock=world.time) == 0
    assert [dm_to(r) for _, _, r in ports["slack"].sent] == ["bob"]
    assert "2 deliveries due" in lines[0] and "sent 1" in lines[-1] and "empty 1" in lines[-1]
    lines.clear()
    assert cli.send_now(sessions, settings, ports, lines.append, clock=world.time) == 0
    assert len(ports["slack"].sent) == 1 and lines == ["Done: nothing due"]


def test_a_channel_turns_its_digest_off(week: Week) -> None:
    world = week.world
    shown = world.say("bob", "general", "samenvatting uit", mentions_bot=True)
    assert text_of(shown[0]) == "This channel will no longer get a weekly digest."
    world.ask("alice", "general", "Where is the #python style guide?")
    world.run_until(utc(2026, 12, 7, 9, 30), step_minutes=120)
    assert len(world.outbound.to("C-general")) == 1


def test_earned_expertise_brings_questions_too(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("frank")
    first = world.ask("alice", "general", "How do I cancel a #golang context?")
    world.accept("alice", world.answer("frank", first, "Call the cancel function returned by WithCancel."))
    world.ask("alice", "general", "Why does my #go test hang on a channel receive?")
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)
    frank = [r for r in world.outbound.to("frank") if "kbbot," in r.text]
    assert len(frank) == 1
    shown = text_of(frank[0])
    assert "Why does my #go test hang" in shown and "How do I cancel" not in shown.split("Your answers")[0]
