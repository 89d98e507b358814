"""One meaning of consuming, contributing and creating, wherever a stage is shown.

Answering, voting, flagging and asking contribute; creating is what others
found useful: an answer someone else accepted or three colleagues upvoted, or
a working-out-loud post shared with a channel. ``/kb stats``, home, whoami,
the digest and the adoption report all say the same of the same person.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.services import adoption, digest
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person
from kbbot.text.plaintext import lines as render
from kbbot_adapters.console import ConsoleSession

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # 2026-W48


class Office:
    """A console chat whose clock the story moves on."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.now = MONDAY
        self.sessions = sessions
        self.lines: list[str] = []
        self.console = ConsoleSession(sessions, settings, self.lines.append, clock=lambda: self.now)

    def __call__(self, *typed: str) -> str:
        start = len(self.lines)
        for line in typed:
            self.console.feed(line)
        return "\n".join(self.lines[start:])

    def stages(self, who: str) -> dict[str, str]:
        """The stage each surface shows ``who``."""
        shown = {"stats": self(f":as {who}", "/kb stats"), "home": self("/kb home"), "whoami": self("/kb whoami")}
        found = {}
        for surface, text in shown.items():
            found[surface] = next(s for s in ("consuming", "contributing", "creating") if f"stage: {s}" in text)
        with unit_of_work(self.sessions) as session:
            person = session.scalars(select(Person).where(Person.external_id == who)).one()
            reply = digest.personal(session, person, digest.Window(MONDAY - timedelta(days=7), self.now))
            assert reply is not None, f"{who} has no digest"
            text = "\n".join(render(reply))
            found["digest"] = next(s for s in ("consuming", "contributing", "creating") if f"You are {s}" in text)
        return found

    def answer(self, who: str, question_message: int, text: str) -> int:
        """``who`` replies in the thread of the question card; the answer's message number."""
        shown = self(f":as {who}", f":reply {question_message} {text}")
        return int(re.search(r"\(message #(\d+) in the thread", shown).group(1))  # type: ignore[union-attr]

    def weeks(self, weeks: int = 2) -> list[adoption.Week]:
        with unit_of_work(self.sessions) as session:
            return adoption.weekly(session, self.now, weeks=weeks)


def everywhere(stage: str) -> dict[str, str]:
    return {"stats": stage, "home": stage, "whoami": stage, "digest": stage}


def test_an_answer_nobody_accepted_is_contributing_on_every_surface(sessions: sessionmaker[Session],
                                                                     settings: Settings) -> None:
    office = Office(sessions, settings)
    office(":as bob", "/expertise add #python",
           ":as alice", "/ask How do I pin a #python dependency?", "/ask Which #python linter do we use?",
           ":as bob")
    office.answer("bob", 1, "Use a constraints file.")
    assert office.stages("bob") == everywhere("contributing")
    this_week = office.weeks(1)[0]
    assert this_week.people == (0, 2, 0)  # alice asked, bob answered: both contribute, neither created yet


def test_an_accepted_answer_makes_its_author_creating_in_the_week_it_was_accepted(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    office = Office(sessions, settings)
    office(":as bob", "/expertise add #python",
           ":as alice", "/ask How do I pin a #python dependency?", "/ask Which #python linter do we use?",
           ":as bob")
    answer = office.answer("bob", 1, "Use a constraints file.")
    office.now += timedelta(days=7)  # 2026-W49
    office(":as alice", f":react {answer} ✅")
    assert office.stages("bob") == everywhere("creating")
    last_week, this_week = office.weeks(2)
    assert last_week.people == (0, 2, 0)  # bob answered, alice asked
    assert this_week.people[2] == 1 and this_week.people[1] == 1  # bob's answer accepted; alice accepted it


def test_three_upvotes_from_colleagues_make_an_answer_creating(sessions: sessionmaker[Session],
                                                               settings: Settings) -> None:
    office = Office(sessions, settings)
    office(":as dave", "/expertise add #python",
           ":as alice", "/ask How do I pin a #python dependency?", "/ask Which #python linter do we use?",
           ":as dave")
    answer = office.answer("dave", 1, "Use a constraints file.")
    office.now += timedelta(days=7)
    office(":as erin", f":react {answer} +1", ":as frank", f":react {answer} +1")
    assert office.stages("dave") == everywhere("contributing")
    office(":as gina", f":react {answer} +1")
    assert office.stages("dave") == everywhere("creating")
    last_week, this_week = office.weeks(2)
    assert last_week.people == (0, 2, 0)
    assert this_week.people == (0, 3, 1)  # erin, frank, gina voted; dave's answer reached three votes
