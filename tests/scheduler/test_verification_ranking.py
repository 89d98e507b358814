"""Due answers rank a little lower, flagged ones lower still; retired ones only with ``--all``.

Two questions with the same words and the same answer rank newest first when
nothing tells them apart, so any other order below is the standing's doing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, text_of, utc

from kbbot.config import Settings

START = utc(2026, 3, 4, 10, 0)
QUESTION = "How do I rotate the staging database password? #postgres"
SEARCH = "search rotate staging database password"


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, START)
    for who in ("alice", "bob", "carol", "erin"):
        world.join(who)
    for asker in ("alice", "carol"):  # Q1, then Q2: the same question asked twice, answered alike
        question = world.ask(asker, "general", QUESTION)
        world.accept(asker, world.answer("bob", question, "Use the vault CLI to rotate it."))
    return world


def order(world: World, query: str = SEARCH) -> list[int]:
    return [int(n) for n in re.findall(r"\[Q(\d+)\]", text_of(world.command("erin", "kb", query)[0]))]


def test_ties_go_to_the_newest(world: World) -> None:
    assert order(world) == [2, 1]


def test_a_current_answer_ranks_above_a_due_one(world: World) -> None:
    world.time.now = START + timedelta(days=181)
    assert order(world) == [2, 1]  # both due: nothing to tell them apart
    world.command("bob", "kb", "verify 1")
    assert order(world) == [1, 2]


def test_a_flagged_answer_ranks_below_a_due_one(world: World) -> None:
    world.time.now = START + timedelta(days=181)
    world.command("alice", "kb", "flag 2 outdated")
    assert order(world) == [1, 2]


def test_a_retired_answer_is_found_only_with_all(world: World) -> None:
    world.command("bob", "kb", "retire 2")
    plain = text_of(world.command("erin", "kb", SEARCH)[0])
    assert "Q2" not in plain or "vault" not in plain.split("[Q2]")[1].split("[Q")[0]
    everything = text_of(world.command("erin", "kb", "search --all rotate staging database password")[0])
    assert "🗄 retired" in everything and "vault CLI" in everything
    assert "Usage: /kb search [--all] <words>" in text_of(world.command("erin", "kb", "search --all")[0])
