"""The interface both full-text backends implement, and the choice between them.

A backend stores the analysed term strings of :mod:`kbbot.search.analysis`
in the database's own full-text index and answers one question quickly:
which documents contain any (or all) of these terms, best first by a rank
that depends on each document alone. Everything else (statistics, final
ranking, thresholds, visibility) is shared code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, Select

from kbbot.search.documents import PostDoc, QuestionDoc


class Backend(Protocol):
    """One database's full-text index of questions and shared posts."""

    name: str

    def write_questions(self, connection: Connection, docs: Sequence[QuestionDoc]) -> None: ...

    def write_posts(self, connection: Connection, docs: Sequence[PostDoc]) -> None: ...

    def remove(self, connection: Connection, kind: str, ids: Sequence[int]) -> None: ...

    def containing(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False) -> Select[tuple[int]]:
        """Ids of questions or posts matching any (or all) of ``groups``, in no particular order.

        A group is one query word's alternative terms; it matches when any of them does.
        The statement selects from the source table (``questions`` or
        ``shared_posts``) joined to the index, so callers add filters with ``.where()``.
        """
        ...

    def matching(self, kind: str, groups: Sequence[Sequence[str]], weights: Sequence[float],
                 require_all: bool = False) -> Select[tuple[int, float]]:
        """``(id, rank)`` of the documents :meth:`containing` gives, best first.

        ``weights`` are the groups' idfs from public statistics
        (:mod:`kbbot.search.statistics`). The rank must depend on nothing but
        the document itself and these weights: no statistics of the whole
        index, which would let private knowledge decide which public
        documents are nominated for ranking.
        """
        ...

    def prepare(self, connection: Connection) -> None:
        """Ready the transaction for a search's few small, bounded queries (once per search)."""
        ...

    def newest(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False) -> Select[tuple[int]]:
        """:meth:`containing`, newest first, so that a ``LIMIT`` stops the database after that many.

        For words found in much of the knowledge base, where ranking every
        document that has them would mean visiting most of the index.
        """
        ...

    def sample(self, connection: Connection, kind: str, where: ColumnElement[bool], every: int
               ) -> list[frozenset[str]]:
        """The index terms of every ``every``-th document (by id) of those ``where`` selects on the source table."""
        ...

    def doc_count(self, connection: Connection) -> int:
        """Rows in the index, of every workspace and channel: for maintenance, never for ranking."""
        ...

    def size_bytes(self, connection: Connection) -> int: ...

    def compact(self, connection: Connection) -> None:
        """Make removed documents unreadable in the index's own storage too (after an erasure)."""
        ...

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
