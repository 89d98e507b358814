"""Keeping the index in step with the knowledge, in the same transaction.

A listener on every SQLAlchemy ORM :class:`~sqlalchemy.orm.Session` notes
which questions and shared posts a flush touched (their own rows, their
answers, their tag links) and rewrites their index rows on the same
connection before the flush returns. A commit therefore makes the knowledge
and its index visible together, and a rollback undoes both. Deletions are
also handled by the database itself (SQLite triggers, PostgreSQL
``ON DELETE CASCADE``), so rows removed by bulk statements or cascades never
linger in the index.

Importing :mod:`kbbot.search` installs the listener once per process.
"""

from __future__ import annotations

import logging
import weakref

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session, UOWTransaction

from kbbot.search import indexer
from kbbot.store.models import Answer, Question, QuestionTag, SharedPost, SharedPostTag, Tag

log = logging.getLogger(__name__)
_ready_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def index_ready(connection: Connection) -> bool:
    """Whether this database has the index tables; cached once true (a database never loses them)."""
    engine = connection.engine
    if engine in _ready_engines:
        return True
    if indexer.backend_of(connection).ready(connection):
        _ready_engines.add(engine)
        return True
    return False


def touched(session: Session) -> tuple[set[int], set[int]]:
    """Question ids and shared post ids whose index rows the pending flush changes."""
    questions: set[int] = set()
    posts: set[int] = set()
    renamed_tags: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Question):
            questions.add(obj.id)
        elif isinstance(obj, Answer):
            questions.add(obj.question_id)
        elif isinstance(obj, QuestionTag):
            questions.add(obj.question_id)
        elif isinstance(obj, SharedPost):
            posts.add(obj.id)
        elif isinstance(obj, SharedPostTag):
            posts.add(obj.post_id)
        elif isinstance(obj, Tag) and obj in session.dirty:
            renamed_tags.add(obj.id)
    if renamed_tags:
        connection = session.connection()
        questions |= set(connection.execute(select(QuestionTag.question_id).where(
            QuestionTag.tag_id.in_(renamed_tags))).scalars())
        posts |= set(connection.execute(select(SharedPostTag.post_id).where(
            SharedPostTag.tag_id.in_(renamed_tags))).scalars())
    questions.discard(None)  # type: ignore[arg-type]
    posts.discard(None)  # type: ignore[arg-type]
    return questions, posts


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if not (session.new or session.dirty or session.deleted):
        return
    questions, posts = touched(session)
    if not (questions or posts):
        return
    connection = session.connection()
    if not index_ready(connection):
        log.debug("search index tables missing; run kbbot db upgrade")
        return
    backend = indexer.backend_of(connection)
    if questions:
        indexer.reindex_questions(connection, questions, backend)
    if posts:
        indexer.reindex_posts(connection, posts, backend)


def install() -> None:
    """Listen to every ORM session's flushes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
