"""Newcomers greeted once, in their language, with what they may see, on both databases.

The core alone, through its one entry point (:func:`kbbot.pipeline.inbox.receive`),
with knowledge made the way a saved thread makes it. The Slack and Teams
tests drive the same through their adapters.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from itertools import count as counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.events import Actor, PersonJoined, Place, Thread, ThreadMessage, ThreadSaved
from kbbot.contract.replies import DirectMessage, ListBlock, Reply, Text
from kbbot.pipeline.inbox import accept, process, receive
from kbbot.services import welcome
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, Welcome, Workspace

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = counter(1)


def channel(id_: str, kind: str = "channel") -> Place:
    return Place(id=id_, kind=kind, name=id_.lower())  # type: ignore[arg-type]


def saved(sessions: sessionmaker[Session], settings: Settings, where: Place, question: str, answer: str,
          asker: str = "U_ALICE", answerer: str = "U_BOB", tags: str = "") -> None:
    """A thread saved as knowledge: ``asker`` asked in ``where``, ``answerer``'s reply accepted."""
    n = next(_ids)
    root, reply = f"17000{n:05d}.000100", f"17000{n:05d}.000200"
    thread = Thread(root_id=root, root=ThreadMessage(id=root, author=Actor(id=asker), text=question),
                    replies=[ThreadMessage(id=reply, author=Actor(id=answerer), text=answer)])
    event = ThreadSaved(platform="slack", workspace_id="T1", event_id=f"save-{n}", actor=Actor(id=answerer),
                        conversation=where, root_id=root, question=question, answer_id=reply, tags=tags, thread=thread)
    receive(sessions, event, settings, NOW)


def joined(sessions: sessionmaker[Session], settings: Settings, where: Place, who: str = "U_NEW",
           locale: str | None = None, at: datetime = NOW) -> list[Reply]:
    event = PersonJoined(platform="slack", workspace_id="T1", event_id=f"join-{next(_ids)}",
                         actor=Actor(id=who, name=who[2:].lower(), locale=locale), conversation=where)
    return receive(sessions, event, settings, at)


def said(reply: Reply) -> str:
    parts = []
    for block in reply.blocks:
        if isinstance(block, Text):
            parts.append(block.text)
        elif isinstance(block, ListBlock):
            parts.extend(f"{item.text} {item.detail or ''}" for item in block.items)
    return "\n".join(parts)


def greetings(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(Welcome)) or 0


def test_joining_three_channels_gives_one_greeting_with_the_starter_pack_of_what_they_may_see(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    saved(sessions, settings, channel("C_OPS"), "How do I restart the staging cluster?", "kubectl rollout restart",
          tags="#kubernetes")
    saved(sessions, settings, channel("C_OPS"), "Where are the on-call docs?", "In the ops wiki", tags="#oncall")
    saved(sessions, settings, channel("C_SALES"), "Who signs discounts?", "The sales lead")
    saved(sessions, settings, channel("G_BOARD", "private"), "When is the reorganisation announced?", "In March")

    [greeting] = joined(sessions, settings, channel("C_OPS"))
    assert joined(sessions, settings, channel("C_DEV")) == []
    assert joined(sessions, settings, channel("C_RANDOM")) == []
    assert greetings(sessions) == 1

    assert greeting.to == DirectMessage(person_id="U_NEW") and greeting.locale == "en"
    text = said(greeting)
    assert "Welcome, new! I'm kbbot." in text
    assert "/ask" in text and "/kb search" in text and "/expertise add" in text
    assert "restart the staging cluster" in text and "kubectl rollout restart" in text
    assert "on-call docs" in text and "#kubernetes" in text and "#oncall" in text
    assert "discounts" not in text  # a channel they did not join
    assert "reorganisation" not in text and "March" not in text  # a private channel they are not in


def test_a_dutch_newcomer_is_greeted_in_dutch(sessions: sessionmaker[Session], settings: Settings) -> None:
    [greeting] = joined(sessions, settings, channel("C_OPS"), locale="nl-NL")
    text = said(greeting)
    assert greeting.locale == "nl" and "Welkom, new! Ik ben kbbot." in text
    assert "Drie opdrachten" in text and "/ask <vraag>" in text and "Daar is nog niets beantwoord" in text


def test_a_colleague_of_years_joining_one_more_channel_is_not_greeted(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    joined(sessions, settings, channel("C_OPS"), who="U_OLD", at=NOW - timedelta(days=400))
    with unit_of_work(sessions) as session:
        session.execute(Welcome.__table__.delete())
    assert joined(sessions, settings, channel("C_DEV"), who="U_OLD") == []


def test_off_by_default_on_for_one_workspace_and_the_other_way_round(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    off = settings.model_copy(update={"welcome": False})
    assert joined(sessions, off, channel("C_OPS"), who="U_ONE") == []
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        welcome.set_enabled(space, True)
    assert len(joined(sessions, off, channel("C_OPS"), who="U_TWO")) == 1
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        welcome.set_enabled(space, False)
    assert joined(sessions, settings, channel("C_OPS"), who="U_THREE") == []
    with unit_of_work(sessions) as session:
        welcome.set_enabled(session.scalars(select(Workspace)).one(), None)  # back to the operator's default
    assert len(joined(sessions, settings, channel("C_OPS"), who="U_FOUR")) == 1


def test_two_processes_handling_two_joins_at_the_same_moment_greet_once(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    """Each join is its own event, claimed by a different worker; the welcome's key settles the race."""
    events = [PersonJoined(platform="slack", workspace_id="T1", event_id=f"race-{n}",
                           actor=Actor(id="U_RACER", name="racer"), conversation=channel(f"C_{n}")) for n in range(4)]
    for event in events:
        assert accept(sessions, event, NOW)
    start = threading.Barrier(len(events))
    replies: list[list[Reply]] = []
    errors: list[BaseException] = []

    def work(event: PersonJoined) -> None:
        start.wait()
        for _ in range(20):  # a worker whose transaction lost a race on a new row tries again, as workers do
            try:
                replies.append(process(sessions, event, settings, NOW))
                return
            except Exception as error:  # noqa: BLE001 - recorded and retried like the worker's sweep
                last = error
        errors.append(last)

    threads = [threading.Thread(target=work, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(len(found) for found in replies) == 1 and greetings(sessions) == 1
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person).where(Person.external_id == "U_RACER")) == 1


def test_joining_the_workspace_before_any_channel_lists_its_public_channels(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    saved(sessions, settings, channel("C_OPS"), "How do I restart the staging cluster?", "kubectl rollout restart")
    saved(sessions, settings, channel("G_BOARD", "private"), "When is the reorganisation announced?", "In March")
    [greeting] = joined(sessions, settings, Place(id="U_NEW", kind="dm"))
    text = said(greeting)
    assert "restart the staging cluster" in text and "reorganisation" not in text
    assert joined(sessions, settings, channel("C_OPS")) == []


def test_someone_whose_answers_are_older_than_a_month_is_no_newcomer_however_recently_met(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    """Known from an imported history, say: their questions and answers carry the dates they were written."""
    saved(sessions, settings, channel("C_OPS"), "How do I restart the staging cluster?", "kubectl rollout restart",
          answerer="U_VETERAN")
    with unit_of_work(sessions) as session:
        from kbbot.store.models import Answer

        for answer in session.scalars(select(Answer)):
            answer.created_at = NOW - timedelta(days=700)
    assert joined(sessions, settings, channel("C_DEV"), who="U_VETERAN") == []
    assert len(joined(sessions, settings, channel("C_DEV"), who="U_NEWBIE")) == 1
