"""SQLite FTS5 with BM25: the index of the embedded default database.

Tables (created by migration 0003): ``search_questions_fts(text, answers,
tags)`` with ``rowid`` = question id, ``search_posts_fts(text, tags)`` with
``rowid`` = shared post id, and ``fts5vocab`` tables beside them for document
frequencies. Triggers drop a row when its question or post is deleted (also
through foreign-key cascades). The tokenizer is plain ``unicode61``: stemming
already happened in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Select, column, func, literal_column, select, table, text

from kbbot.search.backend import PostDoc, QuestionDoc
from kbbot.store.models import Question, SharedPost

# bm25() column weights, in the tables' column order.
QUESTION_WEIGHTS = (1.0, 0.4, 1.5)
POST_WEIGHTS = (1.0, 1.5)
_TABLES = {"question": "search_questions_fts", "post": "search_posts_fts"}
_SOURCES = {"question": Question, "post": SharedPost}


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 query that matches any of ``terms``, each quoted so none is read as syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


class SqliteBackend:
    name = "sqlite"

    def write_questions(self, connection: Connection, docs: Sequence[QuestionDoc]) -> None:
        if not docs:
            return
        self.remove(connection, "question", [d.id for d in docs])
        connection.execute(
            text("INSERT INTO search_questions_fts(rowid, text, answers, tags) VALUES (:id, :text, :answers, :tags)"),
            [{"id": d.id, "text": d.text, "answers": d.answers, "tags": d.tags} for d in docs],
        )

    def write_posts(self, connection: Connection, docs: Sequence[PostDoc]) -> None:
        if not docs:
            return
        self.remove(connection, "post", [d.id for d in docs])
        connection.execute(
            text("INSERT INTO search_posts_fts(rowid, text, tags) VALUES (:id, :text, :tags)"),
            [{"id": d.id, "text": d.text, "tags": d.tags} for d in docs],
        )

    def remove(self, connection: Connection, kind: str, ids: Sequence[int]) -> None:
        name = _TABLES[kind]
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            connection.execute(text(f"DELETE FROM {name} WHERE rowid IN ({', '.join(str(int(i)) for i in chunk)})"))

    def matching(self, kind: str, terms: Sequence[str]) -> Select[tuple[int, float]]:
        name = _TABLES[kind]
        weights = QUESTION_WEIGHTS if kind == "question" else POST_WEIGHTS
        fts = table(name, column("rowid"), column(name))
        source = _SOURCES[kind]
        # bm25() is lower-is-better; negate so every backend ranks higher-is-better.
        rank = (-func.bm25(literal_column(name), *weights)).label("rank")
        return (
            select(source.id, rank)
            .select_from(fts)
            .join(source, source.id == fts.c.rowid)
            .where(fts.c[name].op("MATCH")(match_expression(terms)))
            .order_by(rank.desc())
        )

    def doc_freqs(self, connection: Connection, terms: Sequence[str]) -> Mapping[str, int]:
        found: dict[str, int] = {}
        for vocab in ("search_questions_vocab", "search_posts_vocab"):
            for term in terms:
                # One lookup per term: fts5vocab answers "term = ?" from the index without a scan.
                count = connection.execute(text(f"SELECT doc FROM {vocab} WHERE term = :t"), {"t": term}).scalar()
                if count:
                    found[term] = found.get(term, 0) + int(count)
        return found

    def doc_count(self, connection: Connection) -> int:
        return int(connection.execute(text(
            "SELECT (SELECT count(*) FROM search_questions_fts) + (SELECT count(*) FROM search_posts_fts)")).scalar() or 0)

    def size_bytes(self, connection: Connection) -> int:
        try:
            return int(connection.execute(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'")).scalar() or 0)
        except Exception:  # dbstat is a compile-time option of SQLite
            return 0

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_questions_fts'")).first() is not None
