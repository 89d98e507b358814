"""Privacy and integrity rules a careful reviewer tried to break, each shown as a user would meet it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_chat import Chat, count
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, MembersSynced, MessageEdited, MessagePosted, Place, ReactionAdded
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Conversation, ConversationKind, InboundEvent, Question, Vote


def deliver(sessions: sessionmaker[Session], settings: Settings, event: object) -> list:  # type: ignore[type-arg]
    return inbox.receive(sessions, event, settings, system_clock())  # type: ignore[arg-type]


def base(event_id: str, actor: str, place: Place) -> dict[str, object]:
    return {"platform": "console", "workspace_id": "local", "event_id": event_id,
            "actor": Actor(id=actor, name=actor.capitalize()), "conversation": place}


def test_an_event_that_does_not_say_the_kind_never_makes_a_private_channel_public(
        chat: Chat, sessions: sessionmaker[Session], settings: Settings) -> None:
    chat(":as alice", ":in #secret private", "/ask What is the reorg date? #reorg", ":as bob",
         ":in #secret private", ":reply 1 The 1st of March.")
    message_id = chat.console.screen.messages[2].message_id
    # A reaction payload names the channel but not its kind.
    deliver(sessions, settings, ReactionAdded(**base("r-1", "bob", Place(id="C-secret")),  # type: ignore[arg-type]
                                              message_id=message_id, reaction="+1"))
    with unit_of_work(sessions) as session:
        kind = session.scalars(select(Conversation.kind).where(Conversation.external_id == "C-secret")).one()
    assert kind is ConversationKind.PRIVATE
    assert "What is the reorg date" not in chat(":as eve", ":in #general", "/kb search reorg date")


def test_a_conversation_first_met_without_a_kind_counts_as_private(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    deliver(sessions, settings, MessagePosted(**base("m-1", "ann", Place(id="C-unknown")),  # type: ignore[arg-type]
                                              message_id="1.1", text="hello"))
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Conversation.kind)).one() is ConversationKind.PRIVATE


def test_anonymous_questions_bring_experts_in_privately(chat: Chat) -> None:
    for name in ("alice", "bob", "carol"):
        chat(f":as {name}", "/expertise add kubernetes")
    shown = chat(":as alice", "/ask --anon Can I get cluster-admin on prod? #kubernetes")
    assert "Anonymous question" in shown
    assert "could you help?" not in shown  # no public list of names that leaves the asker out
    assert "DM to bob" in shown and "DM to carol" in shown and "asks anonymously" in shown
    assert "DM to alice" not in shown
    assert "accepts the best answer privately" in shown


def test_anonymous_ask_from_a_public_message_is_refused(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat("@kbbot ask --anon is the VPN logged?")
    assert "can't ask anonymously" in shown
    assert count(sessions, Question) == 0


def test_a_public_reaction_does_not_accept_an_anonymous_question(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":as mallory", "/ask --anon Are salaries public here?", ":as bob", ":reply 1 No, they are confidential.")
    chat(":as mallory", ":react 2 ✅")
    with unit_of_work(sessions) as session:
        assert not session.scalars(select(Answer)).one().is_accepted
    shown = chat(f":click {chat.button('Accept', chr(10).join(chat.lines))}")
    assert "Mallory" not in shown and "anonymous accepted the answer by Bob" in shown


def test_public_expert_mentions_do_not_reveal_private_channel_work(chat: Chat) -> None:
    chat(":as erin", ":in #secret private", "/ask How do we rotate the HSM keys? #security", ":as dave",
         ":in #secret private", ":reply 1 With the quorum cards.", ":as erin", ":react 2 ✅")
    assert "Dave" in chat("/experts security")  # Erin was there and may know
    shown = chat(":as alice", ":in #general", "/ask Who reviews security exceptions? #security")
    assert "@Dave" not in shown


def test_someone_who_left_a_private_channel_hears_no_more_of_it(
        chat: Chat, sessions: sessionmaker[Session], settings: Settings) -> None:
    chat(":as alice", ":in #hr private", "/ask When is the team offsite? #offsite")
    deliver(sessions, settings, MembersSynced(**base("sync-1", "bob", Place(id="C-hr", kind="private")),  # type: ignore[arg-type]
                                              member_ids=["bob"]))
    shown = chat(":as bob", ":in #hr private", ":reply 1 Friday 9am, 40 people.")
    assert "DM to alice" not in shown


def test_small_talk_in_a_dm_is_not_posted_without_asking(
        chat: Chat, sessions: sessionmaker[Session], settings: Settings) -> None:
    settings.questions_channel = "C-questions"
    # Thanks and greetings get a friendly reply (tests/core/test_newcomer_chat.py); whatever else is typed
    # to the bot may still be small talk, so it is offered, never posted at once.
    shown = chat(":dm", "that vault trick from yesterday was really helpful!")
    assert "Shall I post this question in" in shown
    assert count(sessions, Question) == 0
    shown = chat(f":click {chat.button('Post anonymously', shown)}")
    assert "Anonymous question" in shown and "#questions" in shown
    assert count(sessions, Question) == 1


def test_asking_anyway_twice_posts_once(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask How do I reset my laptop password?", ":as bob", ":reply 1 Use the self-service portal.",
         ":as alice", ":react 2 ✅")
    shown = chat(":as carol", "/ask how to reset the laptop password")
    button = chat.button("Ask anyway", shown)
    chat(f":click {button}")
    again = chat(f":click {button}")
    assert "already handled" in again
    assert count(sessions, Question) == 2


def test_edits_clear_flags_and_an_emptied_answer_is_retracted(chat: Chat, sessions: sessionmaker[Session],
                                                              settings: Settings) -> None:
    chat("/ask Which printer is on floor 3?", ":as bob", ":reply 1 The HP in room 3.14.", ":as alice", ":react 2 ✅")
    chat(":as mallory", "/kb flag 1 incorrect it moved")
    assert "flagged as incorrect" in chat(":as erin", "/kb search printer floor")
    chat(":as bob", ":edit 2 The Canon next to room 3.20 since the move.")
    found = chat(":as erin", "/kb search printer floor")
    assert "flagged as incorrect" not in found and "Canon" in found
    assert "limit is 4000" in chat(":as bob", f":edit 2 {'x' * 4001}")
    shown = chat.console.screen.messages[2]
    message_id, place = shown.message_id, shown.place
    deliver(sessions, settings, MessageEdited(**base("edit-blank", "bob", place),  # type: ignore[arg-type]
                                              message_id=message_id, text="   "))
    with unit_of_work(sessions) as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.deleted_at is not None and answer.text.startswith("The Canon")


@pytest.mark.parametrize("reaction", ["+1::skin-tone-3", "👍🏽", "thumbsup"])
def test_an_upvote_with_any_skin_tone_counts(chat: Chat, sessions: sessionmaker[Session], reaction: str) -> None:
    chat("/ask Where is the parking badge form?", ":as bob", ":reply 1 On the facilities page.",
         ":as carol", f":react 2 {reaction}")
    assert count(sessions, Vote) == 1


def test_settings_buttons_set_rather_than_flip(chat: Chat) -> None:
    home = chat(":home")
    button = chat.button("Digest on/off", home)
    chat(f":click {button}")
    chat(f":click {button}")  # a double click on the same (now stale) button
    assert "Weekly digest: off" in chat("/kb settings") or "digest: off" in chat("/kb settings").lower()


def test_a_deleted_answer_does_not_make_its_author_a_creator(chat: Chat) -> None:
    chat("/ask Where are the brand fonts?", ":as carol", ":reply 1 In the design drive.", ":delete 2")
    stats = chat("/kb stats")
    assert "creating" not in stats.lower()


def test_long_names_and_odd_characters_are_stored_safely(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat(f":as {'x' * 120}", "/ask What does\x00 this mean?")
    assert "Question from" in shown
    shown = chat(f":in #{'c' * 250}")
    assert "not sent" in chat("/kb help") or "Question" not in shown
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question.text)).one() == "What does this mean?"


def test_a_stored_event_nobody_can_read_is_parked_not_blocking(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    with unit_of_work(sessions) as session:
        session.add(InboundEvent(platform="slack", event_key="old", payload={"type": "no_such_type"},
                                 status=inbox.PENDING, attempts=0, received_at=system_clock() - timedelta(hours=1)))
    assert inbox.waiting(sessions, system_clock(), inbox.STALE_AFTER) == []
    with unit_of_work(sessions) as session:
        assert session.scalars(select(InboundEvent.status)).one() == inbox.FAILED
