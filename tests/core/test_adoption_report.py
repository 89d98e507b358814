"""The organisation's adoption figures: counts per stage and week, never names."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.services import adoption
from kbbot.store.db import unit_of_work
from kbbot_adapters.console import ConsoleSession

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_people_are_counted_once_at_their_highest_stage(sessions: sessionmaker[Session], settings: Settings) -> None:
    lines: list[str] = []
    console = ConsoleSession(sessions, settings, lines.append, clock=lambda: NOW)
    script = ["/ask Where is the expense policy?"]  # alice contributes (asked)
    for name in ("bob", "carol", "dave", "erin"):  # four people only search: consuming
        script += [f":as {name}", "/kb search expense policy"]
    script += [":as bob", ":reply 1 On the intranet, Finance → Policies."]  # bob also contributes (answered)
    for line in script:
        console.feed(line)
    with unit_of_work(sessions) as session:
        weeks = adoption.weekly(session, NOW + timedelta(days=7), weeks=2)
    last_week, this_week = weeks
    assert last_week.label == "2026-W48" and this_week.label == "2026-W49"
    assert last_week.people == (3, 2, 0)  # carol, dave, erin consume; alice and bob contribute
    assert (last_week.questions, last_week.answers, last_week.accepted) == (1, 1, 0)
    assert this_week.people == (0, 0, 0)
    assert last_week.shown(0) == "3" and last_week.shown(1) == "<3" and last_week.shown(2) == "0"

    report = adoption.html(weeks, NOW)
    svg = report[report.index("<svg"):report.index("</svg>") + len("</svg>")]
    ElementTree.fromstring(svg)  # a well-formed chart
    text = adoption.table(weeks) + report
    for name in ("alice", "bob", "carol", "dave", "erin", "Alice", "Bob"):
        assert not re.search(rf"\b{name}\b", text)  # a name, not the "erin" in "answering"
