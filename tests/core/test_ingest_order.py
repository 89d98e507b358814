"""Events that arrive together are worked in their order, on the one ingest path every platform uses."""

from __future__ import annotations

import asyncio

from console_chat import Chat, count
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.events import Actor, Place, ReactionAdded, ReactionRemoved
from kbbot.pipeline.ingest import Ingest
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Vote
from kbbot_adapters.console.send import ConsoleScreen


def test_a_reaction_added_and_removed_in_one_payload_ends_removed(chat: Chat, sessions: sessionmaker[Session],
                                                                 settings: Settings) -> None:
    chat("/ask Where is the parking badge form?", ":as bob", ":reply 1 On the facilities page.")
    with unit_of_work(sessions) as session:
        message_id = session.query(Answer.message_id).one()[0]
    ingest = Ingest(settings, sessions, ConsoleScreen(lambda _line: None))
    base = {"platform": "console", "workspace_id": "local", "actor": Actor(id="carol", name="Carol"),
            "conversation": Place(id="C-general", kind="channel", name="general"), "message_id": message_id,
            "reaction": "👍"}
    for round_ in range(5):  # work in threads: a reordering would show within a few rounds
        events = [ReactionAdded(event_id=f"add-{round_}", **base), ReactionRemoved(event_id=f"remove-{round_}", **base)]

        async def arrive() -> int:
            received = await ingest.receive_all(events)
            await ingest.drain()
            return received

        assert asyncio.run(arrive()) == 2
        assert count(sessions, Vote) == 0
    asyncio.run(ingest.close())
