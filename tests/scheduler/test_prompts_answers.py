"""Answering the weekly prompt: a reply becomes a post, shared with a team channel or kept just for me."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from kbbot.contract.replies import Ephemeral
from test_scheduler_support import World, buttons_of, dm_to, text_of, utc

from kbbot.config import Settings
from kbbot.services import prompts
from kbbot.store.db import unit_of_work
from kbbot.store.models import Activity, Conversation, SharedPost, Tag
from kbbot.store.scheduling import Delivery


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, utc(2026, 11, 26, 13, 0))  # Thursday, an hour before 15:00 in Amsterdam
    world.join("alice", channels=("general", "platform-team"))
    world.join("bob", channels=("general",))
    world.join("carol", channels=("general",), private=("secret-project",))
    world.run_until(utc(2026, 11, 26, 14, 30))  # the prompts go out at 14:00 UTC
    return world


def prompt_message_id(world: World, who: str) -> str:
    with unit_of_work(world.sessions) as session:
        person = world.person(who)
        return session.scalars(select(Delivery.message_id).where(Delivery.person_id == person.id,
                                                                 Delivery.kind == "prompt", Delivery.status == "sent")).one()


def posts(world: World) -> list[tuple[str, str | None, str, list[str]]]:
    with unit_of_work(world.sessions) as session:
        rows = session.scalars(select(SharedPost).order_by(SharedPost.id)).all()
        return [(p.author.external_id, p.conversation.name if p.conversation else None, p.text,
                 [t.name for t in p.tags]) for p in rows]


def test_a_shared_answer_goes_to_the_chosen_channel_with_its_tags(world: World) -> None:
    shown = world.say_dm("alice", "Tuned #Postgres autovacuum for the orders table; #k8s probes next.",
                         thread_id=prompt_message_id(world, "alice"))
    choice = text_of(shown[0])
    assert "Noted (#postgresql #kubernetes)" in choice and "Until you choose, it stays just for you" in choice
    labels = [b.label for b in buttons_of(shown[0])]
    assert set(labels) == {"Share with #general", "Share with #platform-team", "Just for me"}
    assert shown[0].to.thread_id == prompt_message_id(world, "alice")
    assert posts(world) == [("alice", None, "Tuned #Postgres autovacuum for the orders table; #k8s probes next.",
                             ["kubernetes", "postgresql"])]

    share = next(b for b in buttons_of(shown[0]) if b.label == "Share with #platform-team")
    done = world.click("alice", share.action_id, share.value)
    assert text_of(done[0]) == "Shared with #platform-team: it will be in the channel's weekly digest."
    assert done[0].to == Ephemeral(conversation_id=done[0].to.conversation_id, person_id="alice", replace_original=True)
    assert posts(world)[0][1] == "platform-team"
    with unit_of_work(world.sessions) as session:
        kinds = session.scalars(select(Activity.kind).where(Activity.person_id == world.person("alice").id)).all()
        assert kinds.count("shared_post") == 1
        # The post's tags count towards expertise, as seen by colleagues who can see the channel.
        tag = session.scalars(select(Tag).where(Tag.name == "postgresql")).one()
        assert prompts.post_tag_counts(session, [tag.id], world.person("bob")) == {world.person("alice").id: 1}


def test_a_private_answer_stays_just_for_me(world: World) -> None:
    shown = world.say_dm("bob", "Stuck on the flaky #ci pipeline all week")  # a plain DM, not in the thread
    labels = [b.label for b in buttons_of(shown[0])]
    assert labels == ["Share with #general", "Just for me", "It's a question: ask it"]
    keep = next(b for b in buttons_of(shown[0]) if b.label == "Just for me")
    done = world.click("bob", keep.action_id, keep.value)
    assert text_of(done[0]) == "Kept just for you. Nobody else will see it."
    assert posts(world) == [("bob", None, "Stuck on the flaky #ci pipeline all week", ["ci-cd"])]
    with unit_of_work(world.sessions) as session:
        tag = session.scalars(select(Tag).where(Tag.name == "ci-cd")).one()
        assert prompts.post_tag_counts(session, [tag.id], world.person("alice")) == {}
        assert prompts.post_tag_counts(session, [tag.id], world.person("bob")) == {}

    # Another message the same week is an ordinary DM again (a question), not a second answer.
    world.say_dm("bob", "How do I retry a failed job?")
    assert len(posts(world)) == 1


def test_nobody_else_can_share_my_post_or_share_into_a_channel_they_are_not_in(world: World) -> None:
    shown = world.say_dm("carol", "Prototype for the secret project works", thread_id=prompt_message_id(world, "carol"))
    labels = {b.label for b in buttons_of(shown[0])}
    assert "Share with #secret-project" in labels
    post_value = next(b.value for b in buttons_of(shown[0]) if b.action_id == "kb_wol_share").split(":")[0]
    with unit_of_work(world.sessions) as session:
        secret = session.scalars(select(Conversation).where(Conversation.name == "secret-project")).one()
    assert "not yours" in text_of(world.click("bob", "kb_wol_share", f"{post_value}:{secret.id}")[0])
    # alice's own post cannot go to carol's private channel.
    alice_shown = world.say_dm("alice", "Wrote the runbook", thread_id=prompt_message_id(world, "alice"))
    alice_post = next(b.value for b in buttons_of(alice_shown[0]) if b.action_id == "kb_wol_share").split(":")[0]
    refused = world.click("alice", "kb_wol_share", f"{alice_post}:{secret.id}")
    assert "only share with a channel you are in" in text_of(refused[0])
    assert [p[1] for p in posts(world)] == [None, None]


def test_it_was_a_question_after_all(world: World, settings: Settings) -> None:
    shown = world.say_dm("bob", "Does anyone know how to rotate the #vault token?")
    ask = next(b for b in buttons_of(shown[0]) if b.action_id == "kb_wol_ask_instead")
    replies = world.click("bob", ask.action_id, ask.value)
    assert posts(world) == []
    # No questions channel is configured, so kbbot says where to ask instead.
    assert "Ask in a channel" in text_of(replies[0])


def test_the_same_reply_delivered_twice_makes_one_post(world: World) -> None:
    from kbbot.contract.events import MessagePosted

    event = MessagePosted(**world._base("alice", world.dm("alice")), message_id="dup-1",  # type: ignore[arg-type]
                          thread_id=prompt_message_id(world, "alice"), text="Learned #terraform imports")
    world.dispatch(event)
    world.dispatch(event.model_copy(update={"event_id": "another-delivery-id"}))
    assert len(posts(world)) == 1


def test_commands_in_the_dm_are_not_taken_for_answers(world: World) -> None:
    shown = world.say_dm("alice", "help")
    assert posts(world) == [] and shown  # the usual help, not a "noted"
    assert "Noted" not in text_of(shown[0])


def test_prompts_off_and_on_again_with_one_click(world: World) -> None:
    prompt = world.outbound.to("alice")[0]
    off = buttons_of(prompt)[0]
    shown = world.click("alice", off.action_id, off.value)
    assert "no more weekly prompts" in text_of(shown[0]).lower()
    assert not world.person("alice").prompts_enabled
    on = next(b for b in buttons_of(shown[0]) if b.action_id == "kb_wol_prompts_on")
    world.click("alice", on.action_id, on.value)
    assert world.person("alice").prompts_enabled


def test_dutch_speakers_get_dutch_choices(sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 26, 13, 0))
    world.join("anne", locale="nl", channels=("algemeen",))
    world.run_until(utc(2026, 11, 26, 14, 30))
    shown = world.say_dm("anne", "Geleerd hoe #python packaging werkt")
    assert [b.label for b in buttons_of(shown[0])] == ["Delen met #algemeen", "Alleen voor mij",
                                                       "Het is een vraag: stel hem"]
    assert text_of(shown[0]).startswith("Genoteerd (#python)")


def test_a_person_picks_their_own_prompt_day(world: World) -> None:
    prompt = world.outbound.to("alice")[0]
    other = next(b for b in buttons_of(prompt) if b.action_id == "kb_wol_other_day")
    shown = world.click("alice", other.action_id, other.value)
    assert text_of(shown[0]).startswith("On which day should I ask you, at 15:00?")
    friday = next(b for b in buttons_of(shown[0]) if b.label == "Friday")
    assert [b.label for b in buttons_of(shown[0])] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    done = world.click("alice", friday.action_id, friday.value)
    assert text_of(done[0]) == "From now on I'll ask you on Friday at 15:00 (Europe/Amsterdam)."
    # This week's prompt was already sent on Thursday: Friday brings no second one; next week comes on Friday.
    world.run_until(utc(2026, 12, 5, 0, 0))
    arrivals = [when for when, _, reply in world.outbound.sent if dm_to(reply) == "alice"
                and "Working out loud" in text_of(reply)]
    assert [(w.day, w.hour) for w in arrivals] == [(26, 14), (4, 14)]  # type: ignore[union-attr]
