"""A personal digest is sent for news: questions that were already waiting last week don't make one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.services import digest
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person
from kbbot_adapters.console import ConsoleSession

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_old_waiting_questions_alone_send_no_digest(sessions: sessionmaker[Session], settings: Settings) -> None:
    now = [MONDAY - timedelta(days=10)]
    console = ConsoleSession(sessions, settings, lambda _line: None, clock=lambda: now[0])
    for line in (":as bob", "/expertise add vpn", ":as alice", "/ask Which VPN profile for contractors? #vpn"):
        console.feed(line)
    last_week = digest.Window(MONDAY - timedelta(days=7), MONDAY)
    with unit_of_work(sessions) as session:
        bob = session.scalars(select(Person).where(Person.external_id == "bob")).one()
        assert digest.personal(session, bob, last_week) is None  # still waiting, but not news

    now[0] = MONDAY - timedelta(days=2)
    console.feed("/ask Is the VPN down for everyone? #vpn")
    with unit_of_work(sessions) as session:
        bob = session.scalars(select(Person).where(Person.external_id == "bob")).one()
        reply = digest.personal(session, bob, last_week)
    assert reply is not None
    shown = " ".join(item.text for block in reply.blocks for item in getattr(block, "items", []))
    assert "VPN down for everyone" in shown and "contractors" in shown  # the older one is listed too
