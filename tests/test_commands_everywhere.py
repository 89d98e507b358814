"""The grammar reaches every platform: words instead of slash commands, upvotes and home without reactions or tabs."""

from __future__ import annotations

from console_chat import Chat, count
from sqlalchemy.orm import Session, sessionmaker

from kbbot import inbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.events import Actor, CommandInvoked, Place
from kbbot.replies import ListBlock, Text
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
