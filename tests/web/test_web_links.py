"""Chat links to the web: question cards, search results and digests open the question's page."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import Item, ListBlock, Reply
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scheduler"))  # the scheduler tests' World
from test_scheduler_support import World, utc  # noqa: E402

WEB = "https://kb.example.com"


def links(reply: Reply) -> dict[str, str]:
    return {item.text: item.link for block in reply.blocks if isinstance(block, ListBlock)
            for item in block.items if isinstance(item, Item) and item.link}


def week(sessions: sessionmaker[Session], settings: Settings) -> tuple[World, int]:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("bob")
    world.command("bob", "expertise", "add #python")
    world.deliverer().run()
    return world, world.ask("alice", "general", "How do I pin a #python dependency for the build?")


def test_cards_search_results_and_digests_link_to_the_question_page(sessions: sessionmaker[Session],
                                                                    settings: Settings) -> None:
    world, question = week(sessions, settings.model_copy(update={"web_url": WEB + "/"}))
    page = f"{WEB}/kb/q/{question}"
    with_card = world.command("carol", "ask", "Where is the #python style guide for the build scripts?")
    card = next(r for r in with_card if r.anchor is not None)
    assert links(card) == {"Open in the knowledge base": f"{WEB}/kb/q/{card.anchor.id}"}  # type: ignore[union-attr]
    found = world.command("bob", "kb", "search pin python dependency")
    assert page in links(found[0]).values()
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)
    digest = next(r for r in world.outbound.to("bob") if "kbbot," in r.text)
    assert page in links(digest).values()


def test_without_a_web_address_chat_has_no_links(sessions: sessionmaker[Session], settings: Settings) -> None:
    world, _question = week(sessions, settings)
    found = world.command("bob", "kb", "search pin python dependency")
    assert found and not links(found[0])
