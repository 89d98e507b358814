"""SQLite FTS5: the index of the embedded default database.

Tables (created by migration 0003): ``search_questions_fts(text, answers,
tags)`` with ``rowid`` = question id, ``search_posts_fts(text, tags)`` with
``rowid`` = shared post id (and ``fts5vocab`` tables beside them, unused:
their counts cover private knowledge too, see :mod:`kbbot.search.statistics`). Triggers drop a row when its question or post is deleted (also
through foreign-key cascades). The tokenizer is plain ``unicode61``: stemming
already happened in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (ColumnElement, Connection, Select, case, column, func, literal, literal_column, select,
                        table, text)

from kbbot.search.documents import PostDoc, QuestionDoc
from kbbot.search.ranking import FIELD_WEIGHTS
from kbbot.store.models import Question, SharedPost

ANSWERS_ONLY = FIELD_WEIGHTS["answers"] / FIELD_WEIGHTS["text"]
"""How much a query word found only in a question's answers counts towards nominating it."""
_TABLES = {"question": "search_questions_fts", "post": "search_posts_fts"}
_SOURCES = {"question": Question, "post": SharedPost}


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _rowids(name: str, expression: str) -> Select[tuple[int]]:
    fts = table(name, column("rowid"), column(name))
    return select(fts.c.rowid).where(fts.c[name].op("MATCH")(expression))


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

    def containing(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False
                   ) -> Select[tuple[int]]:
        name = _TABLES[kind]
        fts = table(name, column("rowid"), column(name))
        source = _SOURCES[kind]
        return select(source.id).select_from(fts).join(source, source.id == fts.c.rowid).where(
            fts.c[name].op("MATCH")(match_expression(groups, require_all)))

    def prepare(self, connection: Connection) -> None:
        """Nothing: SQLite runs each query in the calling thread."""

    def newest(self, kind: str, groups: Sequence[Sequence[str]], require_all: bool = False) -> Select[tuple[int]]:
        # By the index's own rowid, which FTS5 walks backwards and stops: ordering by the
        # source's id (the same number) would make SQLite sort every match first.
        name = _TABLES[kind]
        return self.containing(kind, groups, require_all).order_by(literal_column(f"{name}.rowid").desc())

    def matching(self, kind: str, groups: Sequence[Sequence[str]], weights: Sequence[float],
                 require_all: bool = False) -> Select[tuple[int, float]]:
        """Ranked by the public idf of the query words each document has, heavier in its text and tags.

        Not by FTS5's ``bm25()``: that takes its idf and average length from
        the whole table, private channels and other workspaces included, and
        would let them decide which public documents are nominated. Among
        documents with the same words, shorter texts come first (as BM25's
        length normalisation would have them), then newer ones.
        """
        name = _TABLES[kind]
        source = _SOURCES[kind]
        # Whether each group must be asked about: a document matching every group, or the only one, has it.
        ask = not require_all and len(groups) > 1
        terms: list[ColumnElement[float]] = []
        for group, weight in zip(groups, weights, strict=True):
            if not group:
                continue
            anywhere = source.id.in_(_rowids(name, match_expression([group])))
            if kind == "post":  # a post has a text and tags only: a match is always there
                terms.append(case((anywhere, weight), else_=0.0) if ask else literal(weight))
                continue
            in_text = source.id.in_(_rowids(name, "{text tags} : " + match_expression([group])))
            answers_only = weight * ANSWERS_ONLY
            terms.append(case((in_text, weight), (anywhere, answers_only), else_=0.0) if ask
                         else case((in_text, weight), else_=answers_only))
        rank = (sum(terms[1:], terms[0]) if terms else literal(0.0)).label("rank")
        return (self.containing(kind, groups, require_all).add_columns(rank)
                .order_by(rank.desc(), func.length(source.text), source.id.desc()))

    def sample(self, connection: Connection, kind: str, where: ColumnElement[bool], every: int
               ) -> list[frozenset[str]]:
        name = _TABLES[kind]
        source = _SOURCES[kind]
        columns = ("text", "answers", "tags") if kind == "question" else ("text", "tags")
        fts = table(name, column("rowid"), *(column(c) for c in columns))
        rows = connection.execute(select(*(fts.c[c] for c in columns)).select_from(fts)
                                  .join(source, source.id == fts.c.rowid).where(where, source.id % every == 0))
        return [frozenset(" ".join(field or "" for field in row).split()) for row in rows]

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

    def compact(self, connection: Connection) -> None:
        # FTS5 keeps a deleted row's terms in its segments until they are merged; 'optimize' merges
        # them all, so an erased person's words are gone from the file, not just unreachable.
        for name in _TABLES.values():
            connection.execute(text(f"INSERT INTO {name}({name}) VALUES ('optimize')"))

    def ready(self, connection: Connection) -> bool:
        return connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_questions_fts'")).first() is not None
