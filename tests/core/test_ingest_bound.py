"""Work the acknowledging process holds in memory is bounded; the rest waits in the inbox and is still done.

A soak of ``kbbot serve`` (bench/slack_http.py --soak-minutes) grew without
bound whenever acknowledgements outran the work: every accepted event sat in
the work pool's queue with its futures until a thread was free.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.events import Actor, InboundEvent, MessagePosted, Place
from kbbot.pipeline.ingest import Ingest
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent as InboundEventRow
from kbbot_adapters.console.send import ConsoleScreen


def test_work_in_memory_stays_bounded_and_the_overflow_is_still_done(sessions: sessionmaker[Session],
                                                                     settings: Settings) -> None:
    released = threading.Event()

    def slow(event: InboundEvent, _context: Mapping[str, Any]) -> InboundEvent:
        released.wait(10)  # the work cannot keep up until the test lets it
        return event

    ingest = Ingest(settings, sessions, ConsoleScreen(lambda _line: None), steps=(slow,))
    ingest.max_in_flight = 4
    events = [MessagePosted(event_id=f"m-{n}", platform="console", workspace_id="local",
                            actor=Actor(id="carol", name="Carol"), conversation=Place(id="C-general", kind="channel"),
                            message_id=f"{n}", text=f"status update {n}") for n in range(30)]

    async def arrive() -> tuple[int, int]:
        for event in events:
            assert await ingest.receive(event)  # every one is accepted (and so may be acknowledged)
        held = len(ingest._in_flight)
        released.set()
        for _ in range(50):  # the catch-up may start more work while the first drains
            if not ingest._in_flight:
                break
            await ingest.drain()
            await asyncio.sleep(0)
        return held, len(ingest._in_flight)

    held, left = asyncio.run(arrive())
    asyncio.run(ingest.close())
    assert held <= 4  # was 30: one work item in memory per event accepted
    assert left == 0
    with unit_of_work(sessions) as session:
        statuses = dict(session.execute(select(InboundEventRow.status, func.count())
                                        .group_by(InboundEventRow.status)).all())
    assert statuses == {"done": 30}  # the events left in the inbox were taken back and done, none twice
