"""PostgreSQL full-text search: ``tsvector`` columns with GIN indexes, for production.

Tables (created by migration 0003): ``search_questions(question_id, tsv)``
and ``search_posts(post_id, tsv)``, each row removed by an ``ON DELETE
CASCADE`` foreign key when its source row goes. The vectors are built with
the ``simple`` configuration from the analysed term strings (stemming already
happened in Python), weighted A for the text, B for tags and C for answers so
``ts_rank`` picks sensible candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from kbbot.search.backend import PostDoc, QuestionDoc
from kbbot.store.models import Question, SharedPost

_SIMPLE = literal_column("'simple'::regconfig")
_TABLES = {"question": ("search_questions", "question_id"), "post": ("search_posts", "post_id")}
_SOURCES = {"question": Question, "post": SharedPost}


def tsquery_text(terms: Sequence[str]) -> str:
    """A ``to_tsquery`` input matching any of ``terms``, each single-quoted so none is read as syntax."""
    return " | ".join("'" + term.replace("\\", "").replace("'", "''") + "'" for term in terms)


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

    def matching(self, kind: str, terms: Sequence[str]) -> Select[tuple[int, float]]:
        name, key = _TABLES[kind]
        index = table(name, column(key), column("tsv"))
        source = _SOURCES[kind]
        query = func.to_tsquery(_SIMPLE, tsquery_text(terms))
        rank = func.ts_rank(index.c.tsv, query).label("rank")
        return (
            select(source.id, rank)
            .select_from(index)
            .join(source, source.id == index.c[key])
            .where(index.c.tsv.op("@@")(query))
            .order_by(rank.desc())
        )

    def doc_freqs(self, connection: Connection, terms: Sequence[str]) -> Mapping[str, int]:
        if not terms:
            return {}
        statement = text(
            "SELECT t, (SELECT count(*) FROM search_questions WHERE tsv @@ to_tsquery('simple', quote_literal(t)))"
            " + (SELECT count(*) FROM search_posts WHERE tsv @@ to_tsquery('simple', quote_literal(t)))"
            " FROM unnest(:terms) AS t"
        ).bindparams(bindparam("terms", type_=ARRAY(Text)))
        return {term: int(count) for term, count in connection.execute(statement, {"terms": list(terms)}) if count}

    def doc_count(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT (SELECT count(*) FROM search_questions) + (SELECT count(*) FROM search_posts)")).scalar() or 0)

    def size_bytes(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT coalesce(pg_total_relation_size(to_regclass('search_questions')), 0)"
            " + coalesce(pg_total_relation_size(to_regclass('search_posts')), 0)")).scalar() or 0)

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text("SELECT to_regclass('search_questions')")).scalar() is not None
