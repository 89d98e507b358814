"""SQLite FTS5 with BM25: the index of the embedded default database.

Tables (created by migration 0003): ``search_questions_fts(text, answers,
tags)`` with ``rowid`` = question id, ``search_posts_fts(text, tags)`` with
``rowid`` = shared post id, and ``fts5vocab`` tables beside them for document
frequencies. Triggers drop a row when its question or post is deleted (also
through foreign-key cascades). The tokenizer is plain ``unicode61``: stemming
already happened in Python.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Engine, Select, column, func, literal_column, select, table, text

from kbbot.search.documents import PostDoc, QuestionDoc
from kbbot.store.models import Question, SharedPost

# bm25() column weights, in the tables' column order.
QUESTION_WEIGHTS = (1.0, 0.4, 1.5)
POST_WEIGHTS = (1.0, 1.5)
COMMON_COUNT = 1000
"""Terms in at least this many documents have their counts remembered for :data:`COMMON_TTL` seconds."""
COMMON_TTL = 300.0
_common_counts: weakref.WeakKeyDictionary[Engine, dict[str, tuple[float, int]]] = weakref.WeakKeyDictionary()
_TABLES = {"question": "search_questions_fts", "post": "search_posts_fts"}
_SOURCES = {"question": Question, "post": SharedPost}


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(groups: Sequence[Sequence[str]], require_all: bool = False) -> str:
    """An FTS5 query matching any (or all) of ``groups``, a group matching any of its terms.

    Every term is double-quoted, so none is ever read as FTS5 syntax.
    """
    parts = ["(" + " OR ".join(_quoted(t) for t in group) + ")" for group in groups if group]
    return (" AND " if require_all else " OR ").join(parts)


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

    def matching(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False
                 ) -> Select[tuple[int, float]]:
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
            .where(fts.c[name].op("MATCH")(match_expression(groups, require_all)))
            .order_by(rank.desc())
        )

    def doc_freqs(self, connection: Connection, terms: Sequence[str]) -> Mapping[str, int]:
        """Documents containing each term, from the ``fts5vocab`` tables.

        ``fts5vocab`` walks a term's whole posting list, so a word in half of
        100,000 documents costs milliseconds; counts of such common words are
        remembered for a few minutes (they barely move), rare ones are always
        read fresh.
        """
        found: dict[str, int] = {}
        remembered = _common_counts.setdefault(connection.engine, {})
        now = time.monotonic()
        fresh = []
        for term in terms:
            cached = remembered.get(term)
            if cached is not None and now - cached[0] < COMMON_TTL:
                found[term] = cached[1]
            else:
                fresh.append(term)
        for start in range(0, len(fresh), 500):
            chunk = fresh[start:start + 500]
            names = ", ".join(f":t{i}" for i in range(len(chunk)))
            values = {f"t{i}": term for i, term in enumerate(chunk)}
            for vocab in ("search_questions_vocab", "search_posts_vocab"):
                for term, count in connection.execute(text(f"SELECT term, doc FROM {vocab} WHERE term IN ({names})"),
                                                      values):
                    found[term] = found.get(term, 0) + int(count)
        for term in fresh:
            if found.get(term, 0) >= COMMON_COUNT:
                remembered[term] = (now, found[term])
        return found

    def doc_count(self, connection: Connection) -> int:
        # The docsize shadow tables hold one row per document; counting them is a b-tree count, not a scan.
        return int(connection.execute(text(
            "SELECT (SELECT count(*) FROM search_questions_fts_docsize)"
            " + (SELECT count(*) FROM search_posts_fts_docsize)")).scalar() or 0)

    def size_bytes(self, connection: Connection) -> int:
        try:
            return int(connection.execute(text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'")).scalar() or 0)
        except Exception:  # dbstat is a compile-time option of SQLite
            return 0

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_questions_fts'")).first() is not None
