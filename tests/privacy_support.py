"""For the privacy tests: every place a string is stored in the whole database, and a week of someone's use.

Reads the database's own catalogue, not kbbot's models, so a table another
feature adds (or a full-text index's shadow tables) is searched too.
"""

from __future__ import annotations

from datetime import datetime, timezone

from console_chat import Chat
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Person, SharedPost
from kbbot.store.scheduling import Delivery

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)


def _tables(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return list(connection.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).scalars())
        return list(connection.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'")).scalars())


def traces(engine: Engine, *needles: str) -> list[str]:
    """``table: row`` for every row, of every table, whose stored text holds any needle (case-insensitive)."""
    wanted = [needle.casefold() for needle in needles]
    found: list[str] = []
    with engine.connect() as connection:
        for table in _tables(engine):
            if engine.dialect.name == "sqlite":
                rows = [" ".join(_text(value) for value in row)
                        for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
            else:
                rows = list(connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars())
            found += [f"{table}: {row[:300]}" for row in rows if any(n in row.casefold() for n in wanted)]
    return found


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="ignore")
    return "" if value is None else str(value)


def wilhelminas_week(chat: Chat, sessions: sessionmaker[Session]) -> None:
    """She declares expertise, sets a digest day, asks, answers Bob, upvotes, follows; has notes and deliveries."""
    chat(":as wilhelmina", "/expertise add kubernetes", "/kb settings digest-day tue",
         "/ask How do I rotate the etcd certificates? #kubernetes")
    chat(":as bob", ":reply Q1 Use kubeadm certs renew all, then restart the control plane",
         "/ask Which registry mirror do we use? #docker")
    carols = chat(":as carol", "/ask Who owns the harbor registry? #docker")
    shown = chat(":as wilhelmina", ":reply Q2 We mirror through harbor with a pull-through cache", "/kb upvote 1",
                 f":click {chat.button('Me too', carols)}")
    assert "upvote is counted" in shown and "You'll get a message" in shown
    with unit_of_work(sessions) as session:
        her = session.scalars(select(Person).where(Person.external_id == "wilhelmina")).one()
        general = session.scalars(select(Conversation).where(Conversation.external_id == "C-general")).one()
        session.add_all([
            SharedPost(workspace_id=her.workspace_id, author_id=her.id, conversation_id=None, source_key="own-1",
                       period="2026-W49", text="Just for me: wilhelmina keeps forgetting the etcd flags",
                       created_at=NOW),
            SharedPost(workspace_id=her.workspace_id, author_id=her.id, conversation_id=general.id,
                       source_key="team-1", period="2026-W49", text="Learned how harbor replication works",
                       created_at=NOW),
            Delivery(workspace_id=her.workspace_id, recipient=f"person:{her.id}", person_id=her.id, kind="digest",
                     period="2026-W49", status="sent", attempts=1, due_at=NOW),
        ])
