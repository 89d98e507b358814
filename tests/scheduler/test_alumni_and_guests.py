"""People who leave and guests, through the core: the heir is told in the weekly batch; a guest's digest
and export hold only the conversations the guest is in."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, text_of, utc

from kbbot.config import Settings
from kbbot.contract.events import Actor, PersonChanged, Place
from kbbot.contract.replies import Mentions
from kbbot.i18n import t
from kbbot.services import export
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Person

START = utc(2026, 3, 4, 10, 0)  # a Wednesday


def _left(world: World, who: str) -> None:
    world.dispatch(PersonChanged(platform="slack", workspace_id="T1", event_id=f"left-{who}",
                                 actor=Actor(id=who), conversation=Place(id="T1"), occurred_at=world.time.now,
                                 left=True))


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, START)
    for who in ("alice", "bob", "carol", "erin"):
        world.join(who, private=("secret",) if who != "erin" else ())
    return world


def test_the_heir_hears_of_a_leavers_answers_once_in_the_weekly_batch(world: World) -> None:
    question = world.ask("alice", "general", "How do I rotate the staging database password? #postgres")
    world.accept("alice", world.answer("bob", question, "Use the vault CLI"))
    world.command("carol", "expertise", "add postgres")
    _left(world, "bob")
    _left(world, "bob")  # delivered twice: nothing moves twice
    with unit_of_work(world.sessions) as session:
        answer = session.get(Answer, 1)
        assert answer.author.external_id == "bob" and answer.care.owner.external_id == "carol"
    world.deliverer().run()
    world.outbound.sent.clear()
    world.run_until(START + timedelta(days=6))  # through Monday 09:00
    told = [r for r in world.outbound.to("carol") if "came to you because the colleague" in text_of(r)]
    assert len(told) == 1 and "written by Bob" in text_of(told[0])
    assert world.outbound.to("bob") == []  # nothing goes to someone who left
    world.run_until(START + timedelta(days=14))
    assert len([r for r in world.outbound.to("carol") if "came to you" in text_of(r)]) == 1


def test_a_guest_is_shown_only_their_conversations_in_digests_and_exports(world: World) -> None:
    world.update_person("erin", is_guest=True)
    world.command("erin", "expertise", "add postgres")
    world.command("carol", "expertise", "add postgres")
    world.ask("alice", "secret", "Where is the secret project's database? #postgres", private=True)
    world.ask("alice", "random", "Who owns the random database? #postgres")
    world.ask("alice", "general", "Who can restart the general database? #postgres")
    world.deliverer().run()
    world.outbound.sent.clear()
    world.run_until(START + timedelta(days=6))
    [digest] = [r for r in world.outbound.to("erin") if r.text == t("en", "digest.personal.heading", name="Erin")]
    text = text_of(digest)
    assert "restart the general database" in text         # she is in #general
    assert "random database" not in text                   # public, but she is not in #random
    assert "secret project" not in text                    # private: never
    [carols] = [r for r in world.outbound.to("carol") if r.text == t("en", "digest.personal.heading", name="Carol")]
    assert "random database" in text_of(carols)            # for a colleague who is no guest, it is there
    with unit_of_work(world.sessions) as session:
        erin = session.query(Person).filter(Person.external_id == "erin").one()
        items = list(export.records(session, viewer=erin))
        document = json.loads(export.render(items, "json", world.time.now))
    assert [q["text"] for q in document["questions"]] == ["Who can restart the general database?"]


def _invited(replies: list) -> set[str]:
    return {person.id for reply in replies for block in reply.blocks if isinstance(block, Mentions)
            for person in block.people}


def test_a_guest_expert_is_invited_where_they_can_read_the_question_and_nowhere_else(world: World) -> None:
    world.update_person("erin", is_guest=True)
    world.command("erin", "expertise", "add postgres")
    world.command("carol", "expertise", "add postgres")
    here = world.command("alice", "ask", "Who can restart the general database? #postgres", channel="general")
    assert _invited(here) == {"erin", "carol"}  # a guest expert in #general is brought in like anyone
    there = world.command("alice", "ask", "Who owns the random database? #postgres", channel="random")
    assert _invited(there) == {"carol"}  # Erin is not in #random: she could not read it
    world.update_person("carol", left_at=START, is_active=False)
    gone = world.command("alice", "ask", "Who backs up the random database? #postgres", channel="random")
    assert any(reply.anchor for reply in gone) and _invited(gone) == set()  # posted; nobody who left is invited


def test_someone_who_comes_back_hears_from_kbbot_again_but_late_news_brings_nobody_back(world: World) -> None:
    world.time.now = START + timedelta(hours=1)
    _left(world, "bob")
    stale = PersonChanged(platform="slack", workspace_id="T1", event_id="stale-bob", actor=Actor(id="bob"),
                          conversation=Place(id="T1"), occurred_at=START)  # sent before he left, delivered after
    world.dispatch(stale)
    assert world.person("bob").left_at is not None and not world.person("bob").is_active
    back = PersonChanged(platform="slack", workspace_id="T1", event_id="back-bob", actor=Actor(id="bob"),
                         conversation=Place(id="T1"), occurred_at=START + timedelta(days=30))
    world.dispatch(back)
    assert world.person("bob").left_at is None and world.person("bob").is_active
