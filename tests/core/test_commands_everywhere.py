"""The grammar reaches every platform: words instead of slash commands, upvotes and home without reactions or tabs."""

from __future__ import annotations

from console_chat import Chat, count
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.contract.replies import ListBlock, Text
from kbbot.store.models import Vote


def _text(replies: list) -> str:  # type: ignore[type-arg]
    parts = []
    for reply in replies:
        for block in reply.blocks:
            if isinstance(block, Text):
                parts.append(block.text)
            elif isinstance(block, ListBlock):
                parts.extend(item.text for item in block.items)
    return "\n".join(parts)


def test_teams_people_are_told_the_words_they_type(sessions: sessionmaker[Session], settings: Settings) -> None:
    event = CommandInvoked(platform="teams", workspace_id="tenant-1", event_id="a1", actor=Actor(id="29:1", name="Ann"),
                           conversation=Place(id="a:1", kind="dm"), command="kb", text="help")
    shown = _text(inbox.receive(sessions, event, settings, system_clock()))
    assert "search <words>" in shown and "ask [--anon]" in shown
    assert "/kb" not in shown and "/ask" not in shown


def test_slack_and_console_keep_their_slash_commands(chat: Chat) -> None:
    assert "/kb search <words>" in chat("/kb help")


def test_upvote_and_home_as_commands(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask Where do I book a meeting room?", ":as bob", ":reply 1 In the Rooms app.")
    assert "upvote is counted" in chat(":as carol", "/kb upvote 1")
    assert count(sessions, Vote) == 1
    assert "can't upvote your own answer" in chat(":as bob", "/kb upvote 1")
    assert count(sessions, Vote) == 1
    home = chat(":as alice", "/kb home")
    assert "only alice sees this" in home and "meeting room" in home
    assert "Usage: /kb upvote" in chat("/kb upvote twelve")


def test_a_person_chooses_when_prompts_and_digests_come(chat: Chat) -> None:
    shown = chat("/kb settings prompt-day fri prompt-time 10:30 digest-day sunday")
    assert "Friday at 10:30" in shown and "Sunday at 09:00" in shown
    shown = chat("/kb settings language nl vraagdag za")
    assert "workdays only" in shown
    assert "Friday at 10:30" in chat("/kb settings")  # nothing changed, the language neither
    assert "vrijdag om 10:30" in chat("/kb instellingen taal nl", "/kb settings")
    assert "UU:MM" in chat("/kb settings vraagtijd 25:99")


def test_a_channel_asks_for_its_digest(chat: Chat) -> None:
    shown = chat(":in #platform", "/kb digest on")
    assert "digest" in shown.lower()
    assert "Usage: /kb digest on|off" in chat("/kb digest maybe")


def test_expertise_grows_with_tagged_shared_posts(chat: Chat, sessions: sessionmaker[Session]) -> None:
    from sqlalchemy import select

    from kbbot.services import tagging
    from kbbot.store.db import unit_of_work
    from kbbot.store.models import Conversation, Person, SharedPost

    chat(":as dana", "/kb help", ":as erin", ":in #ops-private private", "/kb help")
    with unit_of_work(sessions) as session:
        dana, erin = (session.scalars(select(Person).where(Person.external_id == n)).one() for n in ("dana", "erin"))
        general = session.scalars(select(Conversation).where(Conversation.external_id == "C-general")).one()
        private = session.scalars(select(Conversation).where(Conversation.external_id == "C-ops-private")).one()
        for n, (who, where) in enumerate([(dana, general), (dana, None), (erin, private)]):
            post = SharedPost(workspace_id=who.workspace_id, author_id=who.id, source_key=f"p{n}", period="2026-W48",
                              conversation_id=where.id if where else None, text="Tuned the ingress",
                              created_at=system_clock())
            post.tags = tagging.ensure(session, ["nginx"])
            session.add(post)
    shown = chat(":as frank", ":in #general", "/experts nginx")
    assert "Dana" in shown and "1 shared post" in shown  # the "just for me" post does not count
    assert "Erin" not in shown  # a post in a private channel counts only for its members
