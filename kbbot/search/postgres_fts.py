"""PostgreSQL full-text search: ``tsvector`` columns with GIN indexes, for production.

Tables (created by migration 0003): ``search_questions(question_id, tsv)``
and ``search_posts(post_id, tsv)``, each row removed by an ``ON DELETE
CASCADE`` foreign key when its source row goes. The vectors are built with
the ``simple`` configuration from the analysed term strings (stemming already
happened in Python), weighted A for the text, B for tags and C for answers so
``ts_rank`` picks sensible candidates.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Engine, Select, bindparam, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import ARRAY
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


EXACT_BELOW = 20_000
"""Below this many indexed documents (by the planner's estimate) counts are exact; above, estimated."""
STATISTICS_TTL = 600.0
_statistics: weakref.WeakKeyDictionary[Engine, tuple[float, dict[str, int]]] = weakref.WeakKeyDictionary()


def _estimated_rows(connection: Connection) -> int:
    return int(connection.execute(text(
        "SELECT greatest(coalesce((SELECT reltuples FROM pg_class WHERE oid = to_regclass('search_questions')), 0), 0)"
        " + greatest(coalesce((SELECT reltuples FROM pg_class WHERE oid = to_regclass('search_posts')), 0), 0)"
    )).scalar() or 0)


def _common_lexemes(connection: Connection) -> dict[str, int]:
    """Estimated document counts of the most common lexemes, from ``pg_stats`` (cached for a few minutes)."""
    engine = connection.engine
    cached = _statistics.get(engine)
    now = time.monotonic()
    if cached is not None and now - cached[0] < STATISTICS_TTL:
        return cached[1]
    counts: dict[str, int] = {}
    rows = connection.execute(text(
        "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples FROM pg_stats s "
        "JOIN pg_class c ON c.oid = to_regclass(quote_ident(s.tablename)) "
        "WHERE s.schemaname = current_schema() AND s.tablename IN ('search_questions', 'search_posts') "
        "AND s.attname = 'tsv' AND s.most_common_elems IS NOT NULL")).all()
    for lexemes, frequencies, rows_in_table in rows:
        if rows_in_table < EXACT_BELOW:
            continue
        for lexeme, frequency in zip(lexemes, frequencies, strict=False):
            counts[lexeme] = counts.get(lexeme, 0) + int(round(frequency * rows_in_table))
    _statistics[engine] = (now, counts)
    return counts


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

    def matching(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False
                 ) -> Select[tuple[int, float]]:
        name, key = _TABLES[kind]
        index = table(name, column(key), column("tsv"))
        source = _SOURCES[kind]
        query = func.to_tsquery(_SIMPLE, tsquery_text(groups, require_all))
        rank = func.ts_rank(index.c.tsv, query).label("rank")
        return (
            select(source.id, rank)
            .select_from(index)
            .join(source, source.id == index.c[key])
            .where(index.c.tsv.op("@@")(query))
            .order_by(rank.desc())
        )

    def doc_freqs(self, connection: Connection, terms: Sequence[str]) -> Mapping[str, int]:
        """Documents containing each term: the planner's statistics for common terms, an index count for the rest.

        Counting a word that half the documents contain means walking half
        the GIN index; ``ANALYZE`` already keeps the frequencies of the most
        common lexemes of each ``tsvector`` column (``pg_stats.most_common_elems``),
        so those are read from there. Rare terms are counted exactly, which is cheap.
        """
        if not terms:
            return {}
        found: dict[str, int] = {}
        rare: list[str] = []
        common = _common_lexemes(connection)
        for term in terms:
            if term in common:
                found[term] = common[term]
            else:
                rare.append(term)
        if rare:
            statement = text(
                "SELECT t, (SELECT count(*) FROM search_questions WHERE tsv @@ to_tsquery('simple', quote_literal(t)))"
                " + (SELECT count(*) FROM search_posts WHERE tsv @@ to_tsquery('simple', quote_literal(t)))"
                " FROM unnest(:terms) AS t"
            ).bindparams(bindparam("terms", type_=ARRAY(Text)))
            found.update({term: int(count) for term, count in connection.execute(statement, {"terms": rare}) if count})
        return found

    def doc_count(self, connection: Connection) -> int:
        estimated = _estimated_rows(connection)
        if estimated >= EXACT_BELOW:
            return estimated
        return int(connection.execute(text(
            "SELECT (SELECT count(*) FROM search_questions) + (SELECT count(*) FROM search_posts)")).scalar() or 0)

    def size_bytes(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT coalesce(pg_total_relation_size(to_regclass('search_questions')), 0)"
            " + coalesce(pg_total_relation_size(to_regclass('search_posts')), 0)")).scalar() or 0)

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text("SELECT to_regclass('search_questions')")).scalar() is not None
