"""PostgreSQL full-text search: ``tsvector`` columns with GIN indexes, for production.

Tables (created by migration 0003): ``search_questions(question_id, tsv)``
and ``search_posts(post_id, tsv)``, each row removed by an ``ON DELETE
CASCADE`` foreign key when its source row goes. The vectors are built with
the ``simple`` configuration from the analysed term strings (stemming already
happened in Python), weighted A for the text, B for tags and C for answers so
``ts_rank`` picks sensible candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.types import Text

from kbbot.search.documents import PostDoc, QuestionDoc
from kbbot.store.models import Question, SharedPost

_SIMPLE = literal_column("'simple'::regconfig")
_TABLES = {"question": ("search_questions", "question_id"), "post": ("search_posts", "post_id")}
_SOURCES = {"question": Question, "post": SharedPost}


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "").replace("'", "''") + "'"


def tsquery_text(groups: Sequence[Sequence[str]], require_all: bool = False) -> str:
    """A ``to_tsquery`` input matching any (or all) of ``groups``, a group matching any of its terms.

    Every term is single-quoted, so none is ever read as ``tsquery`` syntax.
    """
    parts = ["(" + " | ".join(_quoted(t) for t in group) + ")" for group in groups if group]
    return (" & " if require_all else " | ").join(parts)


def _tsquery(groups: Sequence[Sequence[str]], require_all: bool) -> ColumnElement[Any]:
    """The query as a literal in the statement, not a parameter, so PostgreSQL always plans for these very words.

    psycopg prepares a statement on the server once it has run a few times,
    and PostgreSQL may then switch to a generic plan that cannot know how many
    rows ``tsv @@ $1`` matches; at 100,000 questions such a plan ranked the
    whole table and made searches ten times slower. A literal (quoted by
    SQLAlchemy, after :func:`tsquery_text` quoted every term) keeps each search's
    own plan.
    """
    return func.to_tsquery(_SIMPLE, bindparam(None, tsquery_text(groups, require_all), type_=Text,
                                              literal_execute=True))


class PostgresBackend:
    name = "postgresql"

    def write_questions(self, connection: Connection, docs: Sequence[QuestionDoc]) -> None:
        if not docs:
            return
        connection.execute(text(
            "INSERT INTO search_questions (question_id, tsv) VALUES (:id, "
            "setweight(to_tsvector('simple', :text), 'A') || setweight(to_tsvector('simple', :tags), 'B') "
            "|| setweight(to_tsvector('simple', :answers), 'C')) "
            "ON CONFLICT (question_id) DO UPDATE SET tsv = EXCLUDED.tsv"),
            [{"id": d.id, "text": d.text, "answers": d.answers, "tags": d.tags} for d in docs])

    def write_posts(self, connection: Connection, docs: Sequence[PostDoc]) -> None:
        if not docs:
            return
        connection.execute(text(
            "INSERT INTO search_posts (post_id, tsv) VALUES (:id, "
            "setweight(to_tsvector('simple', :text), 'A') || setweight(to_tsvector('simple', :tags), 'B')) "
            "ON CONFLICT (post_id) DO UPDATE SET tsv = EXCLUDED.tsv"),
            [{"id": d.id, "text": d.text, "tags": d.tags} for d in docs])

    def remove(self, connection: Connection, kind: str, ids: Sequence[int]) -> None:
        name, key = _TABLES[kind]
        if ids:
            connection.execute(text(f"DELETE FROM {name} WHERE {key} = ANY(:ids)"), {"ids": list(ids)})

    def containing(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False
                   ) -> Select[tuple[int]]:
        name, key = _TABLES[kind]
        index = table(name, column(key), column("tsv"))
        source = _SOURCES[kind]
        query = _tsquery(groups, require_all)
        return select(source.id).select_from(index).join(source, source.id == index.c[key]).where(
            index.c.tsv.op("@@")(query))

    def prepare(self, connection: Connection) -> None:
        """No parallel workers for the rest of this transaction.

        A search's queries each stop after a few hundred or thousand rows, yet
        PostgreSQL planned some of them with a parallel worker at 1,000,000
        questions, and starting one cost more than the query (much more on a
        busy machine). ``SET LOCAL`` ends with the transaction.
        """
        connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))

    def newest(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False) -> Select[tuple[int]]:
        # By the index table's key, whose b-tree PostgreSQL can walk backwards, testing each row's
        # vector, when the words are common enough that it finds a hundred matches soon.
        name, key = _TABLES[kind]
        return self.containing(kind, groups, require_all).order_by(literal_column(f"{name}.{key}").desc())

    def matching(self, kind: str, groups: Sequence[Sequence[str]], weights: Sequence[float],
                 require_all: bool = False) -> Select[tuple[int, float]]:
        """Ranked by ``ts_rank``, which reads the document's own vector and nothing of the rest of the index."""
        name, _key = _TABLES[kind]
        tsv = literal_column(f"{name}.tsv")
        rank = func.ts_rank(tsv, _tsquery(groups, require_all)).label("rank")
        return self.containing(kind, groups, require_all).add_columns(rank).order_by(rank.desc())

    def sample(self, connection: Connection, kind: str, where: ColumnElement[bool], every: int
               ) -> list[frozenset[str]]:
        name, key = _TABLES[kind]
        index = table(name, column(key), column("tsv"))
        source = _SOURCES[kind]
        rows = connection.execute(select(func.tsvector_to_array(index.c.tsv)).select_from(index)
                                  .join(source, source.id == index.c[key]).where(where, source.id % every == 0))
        return [frozenset(terms) for (terms,) in rows]

    def doc_count(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT (SELECT count(*) FROM search_questions) + (SELECT count(*) FROM search_posts)")).scalar() or 0)

    def size_bytes(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT coalesce(pg_total_relation_size(to_regclass('search_questions')), 0)"
            " + coalesce(pg_total_relation_size(to_regclass('search_posts')), 0)")).scalar() or 0)

    def compact(self, connection: Connection) -> None:
        """Nothing to do: a deleted row is invisible at once, and (auto)vacuum reclaims its space."""

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text("SELECT to_regclass('search_questions')")).scalar() is not None
