"""After Alice is forgotten mid-week, Monday's digests keep her answer and post but name her nowhere."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from test_digest_content import _share
from test_scheduler_support import World, text_of, utc

from kbbot.config import Settings
from kbbot.privacy import erasure
from kbbot.store.db import unit_of_work


def test_digests_after_an_erasure_show_her_knowledge_as_a_former_colleagues(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    for who, locale in (("alice", "en"), ("bob", "en"), ("erin", "nl")):
        world.join(who, locale=locale)
    world.say("bob", "general", "digest on", mentions_bot=True)
    world.deliverer().run()
    pin = world.ask("bob", "general", "How do I pin a #python dependency for the build?")
    world.answer("alice", pin, "Use a constraints file and pip install -c constraints.txt")
    world.ask("erin", "general", "Hoe pin ik een #python versie?")
    world.answer("alice", 2, "Met pyenv local 3.12 in de repository")
    world.run_until(utc(2026, 11, 26, 15, 30), step_minutes=120)
    _share(world, "alice", "Moved the build to #python 3.12, shared the notes", "general")

    with unit_of_work(sessions) as session:
        erasure.forget(session, world.person("alice"), utc(2026, 11, 27, 9, 0))
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)

    [channel] = world.outbound.to("C-general")[-1:]
    shown = text_of(channel)
    assert "Moved the build to #python 3.12" in shown and "a former colleague" in shown
    assert "Use a constraints file" in shown or "How do I pin" in shown
    assert "Thank you for helping most" not in shown  # the placeholder is nobody to thank
    bob = next(text_of(r) for r in world.outbound.to("bob") if "kbbot," in r.text)
    assert "a former colleague answered: Use a constraints file" in bob
    erin = next(text_of(r) for r in world.outbound.to("erin") if "kbbot," in r.text)
    assert "een oud-collega" in erin
    for text in (shown, bob, erin):
        assert "Alice" not in text and "alice" not in text
