"""A command repeated changes nothing and says so, privately: no second note in a thread or channel."""

from __future__ import annotations

from console_chat import Chat, count
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import DeclaredExpertise, Flag, Question, QuestionStatus, Vote


def test_closing_twice_posts_the_note_in_the_thread_once(chat: Chat) -> None:
    chat("/ask Who fixes the 3rd floor printer?")
    first = chat("/kb close 1")
    assert first.count("The asker closed this question") == 1
    again = chat("/kb close 1")
    assert "The asker closed this question" not in again and "in #general" not in again
    assert "only alice sees this" in again and "Question 1 is already closed" in again
    dutch = chat(":as alice nl", "/kb sluit 1")
    assert "Vraag 1 is al gesloten" in dutch and "in #general" not in dutch


def test_withdrawing_twice_or_closing_a_withdrawn_question_posts_nothing(chat: Chat,
                                                                         sessions: sessionmaker[Session]) -> None:
    chat("/ask Which VPN profile do contractors use?", "/kb withdraw 1")
    again = chat("/kb withdraw 1")
    assert "already withdrew question 1" in again and "kbbot in #general" not in again
    shown = chat("/kb close 1")  # a withdrawn question shows nowhere, not even to be closed
    assert "That question no longer exists" in shown and "kbbot in #general" not in shown
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question)).one().status is QuestionStatus.WITHDRAWN


def test_accepting_an_accepted_answer_again_says_so(chat: Chat) -> None:
    chat("/ask Where do I book a meeting room?", ":as bob")
    dm = chat(":reply 1 In the Rooms app.")
    accept = chat.button("Accept", dm)
    first = chat(":as alice", f":click {accept}")
    assert "accepted the answer by Bob" in first and "DM to bob" in first
    again = chat(f":click {accept}")
    assert "already accepted Bob's answer" in again
    assert "accepted the answer by Bob" not in again and "DM to bob" not in again


def test_upvoting_or_flagging_twice_counts_once_and_says_so(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask Where do I book a meeting room?", ":as bob", ":reply 1 In the Rooms app.", ":as carol")
    assert "upvote is counted" in chat("/kb upvote 1")
    again = chat("/kb upvote 1")
    assert "already upvoted that answer" in again and "upvote is counted" not in again
    assert "marked outdated" in chat("/kb flag 1 outdated moved to Outlook")
    again = chat("/kb flag 1 outdated moved to Outlook")
    assert "already flagged" in again and "DM to bob" not in again
    assert count(sessions, Flag) == 1
    assert "al een 👍 gegeven" in chat(":as carol nl", "/kb duim 1")
    assert count(sessions, Vote) == 1


def test_declaring_expertise_already_declared_says_so(chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "Added to your expertise: #kubernetes" in chat("/expertise add kubernetes")
    again = chat("/expertise add k8s")  # an alias of the same tag
    assert "Added to your expertise" not in again and "Already in your expertise: #kubernetes" in again
    mixed = chat("/expertise add kubernetes terraform")
    assert "Added to your expertise: #terraform" in mixed and "Already in your expertise: #kubernetes" in mixed
    assert "Stond al in je expertise: #terraform" in chat(":as alice nl", "/expertise toevoegen terraform")
    assert count(sessions, DeclaredExpertise) == 2


def test_a_channel_digest_turned_on_twice_is_announced_once(chat: Chat) -> None:
    first = chat(":in #platform", "/kb digest on")
    assert "in #platform" in first and "will get a weekly digest" in first
    again = chat(":as bob", "/kb digest on")
    assert "kbbot in #platform" not in again and "only bob sees this" in again
    assert "already gets a weekly digest" in again
    assert "will no longer get a weekly digest" in chat("/kb digest off")
    again = chat("/kb digest off")
    assert "kbbot in #platform" not in again and "gets no weekly digest" in again
    never = chat(":in #support", "/kb digest off")  # never turned on: nothing to turn off
    assert "kbbot in #support" not in never and "gets no weekly digest" in never
