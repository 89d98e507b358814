"""Knowledge that stays true, in the console: owners, "still right", due by the clock, retire, ``--all``.

Alice asks, Bob answers and Alice accepts: Bob owns the answer. Time is a
clock the test moves (no sleeping): 180 days on, the answer is due, shown
lower and marked so, until its owner or a tag expert says it is still right.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from console_chat import Chat
from kbbot.config import Settings
from kbbot.services import tagging, verification
from kbbot.store.db import unit_of_work
from kbbot.store.models import AnswerCare, AnswerShowing, Person, TagVerificationInterval, Workspace
from kbbot_adapters.console import ConsoleSession

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUESTION = "/ask How do I rotate the staging database password? #postgres"
SEARCH = "/kb search rotate staging database password"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def chat(sessions: sessionmaker[Session], settings: Settings, clock: Clock) -> Chat:
    typed = Chat.__new__(Chat)
    typed.lines = []
    typed.console = ConsoleSession(sessions, settings, typed.lines.append, clock=clock)
    return typed


def _answered(chat: Chat) -> None:
    """Alice asks (message 1), Bob answers (answer 1, message 2..), Alice accepts with ✅."""
    chat(QUESTION, ":as bob", ":reply 1 Use the vault CLI: vault write -f database/rotate-root/staging",
         ":as alice")
    shown = chat(":react 2 ✅")
    assert "accepted" in shown, shown


def _care(sessions: sessionmaker[Session], answer_id: int = 1) -> AnswerCare | None:
    with unit_of_work(sessions) as session:
        row = session.get(AnswerCare, answer_id)
        if row is not None:
            session.expunge(row)
        return row


def test_the_author_owns_the_answer_and_it_shows_unverified_then_due(chat: Chat, clock: Clock) -> None:
    _answered(chat)
    shown = chat(":as erin", SEARCH)
    assert "not verified since 2026-03-02" in shown and "due for a re-check" not in shown
    clock.advance(days=181)
    shown = chat(SEARCH)
    assert "not verified since 2026-03-02 · ⏳ due for a re-check" in shown
    dutch = chat(":as joost nl", "/kb zoek rotate staging database password")
    assert "niet bevestigd sinds 2026-03-02 · ⏳ toe aan een controle" in dutch


def test_the_owner_verifies_and_the_answer_says_who_and_when(chat: Chat, clock: Clock,
                                                              sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    clock.advance(days=200)
    done = chat(":as bob", "/kb verify 1")
    assert "answer 1 is marked still right" in done and "2027-03-17" in done  # due again 180 days on
    shown = chat(":as erin", SEARCH)
    assert "✔ verified by Bob, 2026-09-18" in shown and "due for a re-check" not in shown
    row = _care(sessions)
    assert row is not None and row.verified_at is not None


def test_someone_without_rights_is_refused_and_nothing_changes(chat: Chat, sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    refused = chat(":as erin", "/kb verify 1")
    assert "Only the answer's owner or an expert in its tags" in refused
    assert "Alleen de eigenaar" in chat(":as joost nl", "/kb bevestig 1")
    unknown = chat(":as erin", "/kb verify 99")
    assert unknown.strip().endswith(chat("/kb upvote 99").strip().splitlines()[-1].strip())  # the same refusal
    assert "Usage: /kb verify <answer number>" in chat("/kb verify")
    assert "Only the answer's owner or an expert" in chat("/kb owner 1 @erin")
    assert _care(sessions) is None  # nothing was written


def test_a_tag_expert_may_verify_and_hand_over(chat: Chat, sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    chat(":as dave", SEARCH)  # Dave is someone kbbot knows
    chat(":as carol", "/expertise add postgres")
    assert "marked still right" in chat("/kb verify 1")
    handed = chat("/kb owner 1 @dave")
    assert "Dave now looks after answer 1" in handed
    row = _care(sessions)
    assert row is not None and row.handed_over_because == "handover"
    with unit_of_work(sessions) as session:
        dave = session.scalars(select(Person).where(Person.external_id == "dave")).one()
        assert row.owner_id == dave.id
    assert "already looks after" in chat("/kb owner 1 @dave")
    assert "I don't know who @nobody is" in chat("/kb owner 1 @nobody")
    # Someone who neither owns it nor knows the topic may not take it.
    assert "Only the answer's owner or an expert" in chat(":as erin", "/kb owner 1 @erin")
    # Bob wrote it and earned #postgres with it: an expert, he may take it back.
    assert "Bob now looks after answer 1" in chat(":as bob", "/kb owner 1 @bob")


def test_only_an_accepted_answer_is_verified(chat: Chat) -> None:
    chat(QUESTION, ":as bob", ":reply 1 Use the vault CLI")
    assert "isn't accepted" in chat("/kb verify 1")


def test_a_tag_interval_overrides_the_default(chat: Chat, clock: Clock, sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    with unit_of_work(sessions) as session:
        tag = tagging.find(session, "postgres")
        assert tag is not None
        space = session.scalars(select(Workspace.id)).one()
        verification.set_interval(session, space, tag, 30, clock.now)
        assert session.get(TagVerificationInterval, (space, tag.id)).days == 30
    clock.advance(days=31)
    assert "due for a re-check" in chat(":as erin", SEARCH)


def test_retire_keeps_the_answer_out_of_search_unless_all(chat: Chat, sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    assert "Answer 1 is retired" in chat(":as bob", "/kb retire 1")
    shown = chat(":as erin", SEARCH)
    assert "vault CLI" not in shown
    everything = chat("/kb search --all rotate staging database password")
    assert "vault CLI" in everything and "🗄" in everything
    assert "was already retired" in chat(":as bob", "/kb retire 1")
    assert "is retired; nothing changed" in chat("/kb verify 1")


def test_showing_a_due_answer_is_counted_without_who_saw_it(chat: Chat, clock: Clock,
                                                            sessions: sessionmaker[Session]) -> None:
    _answered(chat)
    chat(":as erin", SEARCH)
    with unit_of_work(sessions) as session:
        assert session.scalars(select(AnswerShowing)).all() == []  # current: nothing to re-check
    clock.advance(days=181)
    chat(SEARCH, SEARCH)
    with unit_of_work(sessions) as session:
        rows = session.scalars(select(AnswerShowing)).all()
        assert [(r.answer_id, r.surface, r.was_due) for r in rows] == [(1, "search", True)] * 2
