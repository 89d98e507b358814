"""The interface both full-text backends implement, and the choice between them.

A backend stores the analysed term strings of :mod:`kbbot.search.analysis`
in the database's own full-text index and answers three questions quickly:
which documents contain any of these terms (best first, by the database's own
rank), how many documents contain each term, and how many documents there are.
Everything else (final ranking, thresholds, visibility) is shared code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy import Connection, Select

from kbbot.search.documents import PostDoc, QuestionDoc


class Backend(Protocol):
    """One database's full-text index of questions and shared posts."""

    name: str

    def write_questions(self, connection: Connection, docs: Sequence[QuestionDoc]) -> None: ...

    def write_posts(self, connection: Connection, docs: Sequence[PostDoc]) -> None: ...

    def remove(self, connection: Connection, kind: str, ids: Sequence[int]) -> None: ...

    def matching(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False
                 ) -> Select[tuple[int, float]]:
        """``(id, rank)`` of questions or posts matching any (or all) of ``groups``, best first.

        A group is one query word's alternative terms; it matches when any of them does.

        The statement selects from the source table (``questions`` or
        ``shared_posts``) joined to the index, so callers add their own
        visibility and status filters with ``.where()`` and a ``.limit()``.
        """
        ...

    def doc_freqs(self, connection: Connection, terms: Sequence[str]) -> Mapping[str, int]: ...

    def doc_count(self, connection: Connection) -> int: ...

    def size_bytes(self, connection: Connection) -> int: ...

    def ready(self, connection: Connection) -> bool:
        """Whether the index tables exist (the database is migrated past 0003)."""
        ...


def for_dialect(name: str) -> Backend:
    """The backend for a SQLAlchemy dialect name; PostgreSQL or SQLite."""
    if name == "postgresql":
        from kbbot.search.postgres_fts import PostgresBackend

        return PostgresBackend()
    if name == "sqlite":
        from kbbot.search.sqlite_fts import SqliteBackend

        return SqliteBackend()
    raise ValueError(f"kbbot search supports SQLite and PostgreSQL, not {name}")
