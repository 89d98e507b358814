"""Building index documents from the knowledge tables and writing them through a backend.

Reads use Core statements on the caller's connection, so indexing runs inside
the transaction that changed the knowledge (see :mod:`kbbot.search.sync`) and
inside a migration's transaction (the backfill of migration 0003).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Connection, select

from kbbot.search import analysis
from kbbot.search.backend import Backend, for_dialect
from kbbot.search.documents import PostDoc, QuestionDoc
from kbbot.store.models import Answer, Question, QuestionTag, SharedPost, SharedPostTag, Tag

CHUNK = 500
MAX_FIELD_CHARS = 200_000
"""Longest analysed field indexed; PostgreSQL refuses a ``tsvector`` over 1 MB, and a question
with hundreds of long answers must still be storable."""


def _field(text: str) -> str:
    document = analysis.document(text)
    return document if len(document) <= MAX_FIELD_CHARS else document[:MAX_FIELD_CHARS].rsplit(" ", 1)[0]


def backend_of(connection: Connection) -> Backend:
    return for_dialect(connection.dialect.name)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def question_docs(connection: Connection, ids: Sequence[int]) -> list[QuestionDoc]:
    """Analysed documents for the questions ``ids`` that still exist: text, live answers, tag names."""
    texts = dict(connection.execute(select(Question.id, Question.text).where(Question.id.in_(ids))).all())
    answers: dict[int, list[str]] = defaultdict(list)
    for question_id, answer_text in connection.execute(
        select(Answer.question_id, Answer.text)
        .where(Answer.question_id.in_(ids), Answer.deleted_at.is_(None)).order_by(Answer.id)
    ):
        answers[question_id].append(answer_text)
    tags: dict[int, list[str]] = defaultdict(list)
    for question_id, name in connection.execute(
        select(QuestionTag.question_id, Tag.name).join(Tag, Tag.id == QuestionTag.tag_id)
        .where(QuestionTag.question_id.in_(ids))
    ):
        tags[question_id].append(name)
    return [
        QuestionDoc(id=qid, text=_field(body), answers=_field("\n".join(answers[qid])),
                    tags=_field(" ".join(tags[qid])))
        for qid, body in sorted(texts.items())
    ]


def post_docs(connection: Connection, ids: Sequence[int]) -> list[PostDoc]:
    texts = dict(connection.execute(select(SharedPost.id, SharedPost.text).where(SharedPost.id.in_(ids))).all())
    tags: dict[int, list[str]] = defaultdict(list)
    for post_id, name in connection.execute(
        select(SharedPostTag.post_id, Tag.name).join(Tag, Tag.id == SharedPostTag.tag_id)
        .where(SharedPostTag.post_id.in_(ids))
    ):
        tags[post_id].append(name)
    return [PostDoc(id=pid, text=_field(body), tags=_field(" ".join(tags[pid])))
            for pid, body in sorted(texts.items())]


def _reindex(connection: Connection, ids: Iterable[int], kind: str, docs: Callable[[Connection, Sequence[int]], list],
             write: Callable[[Connection, list], None], backend: Backend) -> None:
    for chunk in _chunks(ids):
        found = docs(connection, chunk)
        gone = set(chunk) - {d.id for d in found}
        if gone:
            backend.remove(connection, kind, sorted(gone))
        write(connection, found)


def reindex_questions(connection: Connection, ids: Iterable[int], backend: Backend | None = None) -> None:
    """Bring the index rows of questions ``ids`` up to date; ids that no longer exist are dropped."""
    backend = backend or backend_of(connection)
    _reindex(connection, ids, "question", question_docs, backend.write_questions, backend)


def reindex_posts(connection: Connection, ids: Iterable[int], backend: Backend | None = None) -> None:
    """Bring the index rows of shared posts ``ids`` up to date; ids that no longer exist are dropped."""
    backend = backend or backend_of(connection)
    _reindex(connection, ids, "post", post_docs, backend.write_posts, backend)


def document_ids(connection: Connection) -> tuple[list[int], list[int]]:
    """Every question and shared post id, in order: what a full rebuild indexes."""
    return (list(connection.execute(select(Question.id).order_by(Question.id)).scalars()),
            list(connection.execute(select(SharedPost.id).order_by(SharedPost.id)).scalars()))


def reindex_all(connection: Connection) -> int:
    """Rebuild every index row (the backfill of migration 0003, and a repair tool); returns documents indexed."""
    backend = backend_of(connection)
    question_ids, post_ids = document_ids(connection)
    reindex_questions(connection, question_ids, backend)
    reindex_posts(connection, post_ids, backend)
    return len(question_ids) + len(post_ids)
