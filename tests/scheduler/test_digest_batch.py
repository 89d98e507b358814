"""Personal digests built together, as the scheduler builds them, are each exactly the one built alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, utc

from kbbot.config import Settings
from kbbot.services import digest
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person

READERS = ("alice", "bob", "carol", "dave", "erin")


def _a_week(sessions: sessionmaker[Session], settings: Settings) -> World:
    """Expertise, a private channel, an anonymous question, answers, an acceptance and a flag, over a week."""
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("bob", private=("secret",))
    world.join("carol", private=("secret",))
    world.join("dave")
    world.join("erin", locale="nl")
    for who in ("bob", "dave", "erin"):
        world.command(who, "expertise", "add #python")
    pin = world.ask("alice", "general", "How do I pin a #python dependency for the build?")
    answer = world.answer("bob", pin, "Use a constraints file and pip install -c constraints.txt")
    world.time.now = utc(2026, 11, 26, 10, 0)
    world.accept("alice", answer)
    world.ask("carol", "general", "Is it still OK to run #python 2 on the old build box?", anonymous=True)
    secret = world.ask("carol", "secret", "Which #python version does Project Nightingale use?", private=True)
    world.answer("bob", secret, "3.12, and the lockfile is in the repo")
    world.time.now = utc(2026, 11, 28, 10, 0)
    world.flag_outdated("carol", answer)
    world.ask("dave", "general", "Which #python formatter do we use?")
    return world


@pytest.mark.parametrize("per_tag", [60, 1])  # 1: every reader reads past a cut tag and is built alone
def test_a_digest_built_with_others_is_the_one_built_alone(sessions: sessionmaker[Session], settings: Settings,
                                                            per_tag: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "PER_TAG", per_tag)
    _a_week(sessions, settings)
    end = utc(2026, 11, 30, 8, 0)
    # Each reader has their own window, as after moved schedules and earlier digests.
    windows = [digest.Window(end - timedelta(days=days), end - timedelta(hours=hours))
               for days, hours in ((7, 0), (3, 0), (5, 49), (7, 0), (4, 1))]
    for operator in (False, True):
        with unit_of_work(sessions) as session:
            people = {p.external_id: p for p in session.scalars(select(Person).where(Person.external_id.in_(READERS)))}
            together = digest.personal_many(session, [digest.Recipient(people[who], window, delivery_id=n)
                                                      for n, (who, window) in enumerate(zip(READERS, windows))],
                                            operator=operator)
            alone = [digest.personal(session, people[who], window, delivery_id=n, operator=operator)
                     for n, (who, window) in enumerate(zip(READERS, windows))]
        assert together == alone
        assert sum(reply is not None for reply in together) >= 3


def test_nothing_private_travels_between_readers_built_together(sessions: sessionmaker[Session],
                                                                settings: Settings) -> None:
    world = _a_week(sessions, settings)
    window = digest.Window(utc(2026, 11, 23, 8, 0), utc(2026, 11, 30, 8, 0))
    with unit_of_work(sessions) as session:
        people = list(session.scalars(select(Person).where(Person.external_id.in_(READERS))
                                      .order_by(Person.external_id)))
        replies = dict(zip((p.external_id for p in people), digest.personal_many(
            session, [digest.Recipient(p, window) for p in people])))
    for who, reply in replies.items():
        shown = "" if reply is None else " ".join(
            f"{getattr(b, 'text', '')} " + " ".join(f"{i.text} {i.detail or ''}" for i in getattr(b, "items", []))
            for b in reply.blocks)
        if who not in ("bob", "carol"):
            assert "Nightingale" not in shown and "lockfile" not in shown
    assert world is not None
