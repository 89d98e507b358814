"""A fresh kbbot knowledge base for a benchmark, on SQLite or PostgreSQL, built through kbbot's storage.

The database is created by kbbot's own migrations, questions are stored as
ORM rows in one workspace's public channel, and the search index is filled
by the same flush listener that indexes questions in production.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

import kbbot.search  # noqa: F401  (installs the index listener)
from kbbot.store.db import make_engine, session_factory, upgrade
from kbbot.store.models import Answer, Conversation, ConversationKind, Person, Question, QuestionStatus, Workspace

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@dataclass
class KnowledgeBase:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    workspace_id: int
    channel_id: int
    asker_id: int
    reader_id: int

    def reader(self, session: Session) -> Person:
        """The colleague who searches: a member of the workspace, not the asker."""
        person = session.get(Person, self.reader_id)
        assert person is not None
        return person


@contextmanager
def fresh_database(backend: str, postgres_url: str | None) -> Iterator[str]:
    """A migrated, empty database URL that is removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kbbot-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    if not postgres_url:
        raise SystemExit("PostgreSQL needs --postgres-url or KBBOT_TEST_POSTGRES_URL")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    try:
        url = f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def kept_database(url: str) -> Iterator[str]:
    """A database that outlives the run (``--keep``): migrated, and left as it is afterwards."""
    upgrade(url)
    yield url


def kb_questions(kb: KnowledgeBase) -> int:
    """How many questions the knowledge base already holds (a kept one may be full)."""
    with kb.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Question)
                                      .where(Question.workspace_id == kb.workspace_id)).scalar() or 0)


def open_knowledge_base(url: str) -> KnowledgeBase:
    """One workspace with a public channel, an asker and a reader (those of a kept database when it has them)."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        kept = session.scalar(select(Workspace).where(Workspace.platform == "bench", Workspace.external_id == "W"))
        if kept is not None:
            channel_id = session.scalar(select(Conversation.id).where(Conversation.workspace_id == kept.id))
            people = dict(session.execute(select(Person.external_id, Person.id)
                                          .where(Person.workspace_id == kept.id)).all())
            return KnowledgeBase(url, engine, sessions, kept.id, int(channel_id or 0), people["asker"],
                                 people["reader"])
        workspace = Workspace(platform="bench", external_id="W", name="bench", settings={}, created_at=NOW)
        session.add(workspace)
        session.flush()
        channel = Conversation(workspace_id=workspace.id, external_id="C", name="questions",
                               kind=ConversationKind.CHANNEL, created_at=NOW)
        asker = Person(workspace_id=workspace.id, external_id="asker", display_name="Asker", created_at=NOW)
        reader = Person(workspace_id=workspace.id, external_id="reader", display_name="Reader", created_at=NOW)
        session.add_all([channel, asker, reader])
        session.flush()
        ids = (workspace.id, channel.id, asker.id, reader.id)
    return KnowledgeBase(url, engine, sessions, *ids)


def add_questions(kb: KnowledgeBase, texts: Iterable[str], batch: int = 1000) -> list[int]:
    """Store ``texts`` as answered questions (so ``/ask`` may suggest them); returns their ids in order.

    The corpus's answers are not loaded: the benchmark measures question–question
    similarity, and answer text would blur it.
    """
    ids: list[int] = []
    pending: list[Question] = []

    def flush() -> None:
        with kb.sessions.begin() as session:
            session.add_all(pending)
            session.flush()
            ids.extend(q.id for q in pending)
        pending.clear()

    for body in texts:
        pending.append(Question(workspace_id=kb.workspace_id, conversation_id=kb.channel_id, asker_id=kb.asker_id,
                                is_anonymous=False, text=body, status=QuestionStatus.ANSWERED,
                                created_at=NOW, updated_at=NOW))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return ids


_COPIED = (Workspace, Conversation, Person, Question, Answer)
_COPY_BATCH = 5000


def copy_knowledge(source_url: str, target_url: str) -> int:
    """Copy a kept knowledge base (rows and index documents) into another, empty, migrated database.

    Loading 1,000,000 questions through the ORM takes about 15 minutes on
    PostgreSQL; copying those of a kept SQLite base takes a few. The index
    rows are written by the target's own backend from the documents the
    source's index holds, which are the analysed strings kbbot's indexer
    wrote there, so the target's index is what indexing would have made.
    """
    from kbbot.search.documents import QuestionDoc
    from kbbot.search.indexer import backend_of

    source, target = make_engine(source_url), make_engine(target_url)
    copied = 0
    try:
        with target.connect() as connection:
            if connection.execute(select(func.count()).select_from(Workspace)).scalar():
                print("  not copied: the database already holds a knowledge base", file=sys.stderr)
                return 0
        with source.connect() as reading, target.begin() as writing:
            for model in _COPIED:
                table = model.__table__
                rows = reading.execute(select(table).order_by(table.c.id)).mappings()
                while chunk := rows.fetchmany(_COPY_BATCH):
                    writing.execute(table.insert(), [dict(row) for row in chunk])
                    copied += len(chunk) if model is Question else 0
                    print(f"\r  copied {model.__tablename__}: {copied if model is Question else ''}", end="",
                          file=sys.stderr, flush=True)
                if writing.dialect.name == "postgresql":
                    writing.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                         f"coalesce((SELECT max(id) FROM {table.name}), 1))"))
            backend = backend_of(writing)
            documents = reading.execute(text("SELECT rowid, text, answers, tags FROM search_questions_fts ORDER BY rowid"))
            written = 0
            while chunk := documents.fetchmany(_COPY_BATCH):
                backend.write_questions(writing, [QuestionDoc(*row) for row in chunk])
                written += len(chunk)
                print(f"\r  indexed {written}/{copied}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    finally:
        source.dispose()
        target.dispose()
    return copied
