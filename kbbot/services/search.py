"""Finding existing knowledge: ``/kb search`` and the suggestions shown at ``/ask``.

The database's own full-text index finds candidates (SQLite FTS5 or
PostgreSQL ``tsvector``/GIN, see :mod:`kbbot.search`); they are then ranked
here with BM25F over English and Dutch stems, the same on both backends, and
filtered by who may see them before anything is ranked. Any string a person
types is a safe query: it is analysed into plain terms and never reaches the
database as query syntax.

The interface (:func:`search`, :func:`suggest`, :class:`Hit`) is what callers
rely on; :func:`find` also returns shared working-out-loud posts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kbbot.search import analysis, indexer, ranking, semantic, stopwords
from kbbot.search.query import Group, groups, query_words
from kbbot.search.scope import visible_posts
from kbbot.search.sync import index_ready
from kbbot.services.visibility import visible_questions
from kbbot.store.models import Answer, Person, Question, QuestionStatus, SharedPost, TagAlias

MAX_TERMS = 12
CANDIDATE_LIMIT = 200
"""Candidates the database returns for re-ranking; the final order is decided among them."""
SUGGESTION_MIN_RELEVANCE = 0.09
"""Least :func:`kbbot.search.ranking.relevance` (idf-weighted Dice overlap) for ``/ask`` to suggest a question.

Chosen with ``bench/retrieval.py --tune`` on the SemEval-2016 Task 3
question–question set: the best mean F0.5 (precision counted double) over
whole-question and title-only queries; see ``bench/RESULTS.md``.
"""
ACCEPTED_BOOST = 1.15
OUTDATED_PENALTY = 0.75

STOP_WORDS = stopwords.ALL


@dataclass(frozen=True)
class Hit:
    """A question found for a person: ``score`` orders results, ``relevance`` (0–1) gates suggestions."""

    question: Question
    score: float
    accepted: Answer | None
    relevance: float = 0.0


@dataclass(frozen=True)
class PostHit:
    """A shared working-out-loud post found for a person."""

    post: SharedPost
    score: float
    relevance: float = 0.0


def terms(text: str) -> list[str]:
    """The words of ``text`` worth matching: folded, no stop words, longest first, bounded."""
    return sorted(dict.fromkeys(analysis.words(text)), key=len, reverse=True)[:MAX_TERMS]


def search(session: Session, viewer: Person, query: str, *, limit: int = 10, answered_only: bool = False,
           tags: Sequence[str] = (), only: Collection[int] | None = None) -> list[Hit]:
    """Questions ``viewer`` may see that match ``query`` (or ``tags``), best first; never raises on odd input.

    ``only`` restricts the search to those question ids (used by the benchmark
    to rank a fixed candidate list through this same code path).
    """
    wanted = _groups(session, query, tags)
    if not wanted or limit <= 0 or (only is not None and not only):
        return []
    connection = session.connection()
    if not index_ready(connection):
        return []
    backend = indexer.backend_of(connection)
    statement = backend.matching("question", _terms_of(wanted)).where(visible_questions(viewer))
    if answered_only:
        statement = statement.where(Question.status.in_((QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)))
    if only is not None:
        statement = statement.where(Question.id.in_(list(only)))
    ids = [row[0] for row in session.execute(statement.limit(CANDIDATE_LIMIT))]
    if not ids:
        return []
    loaded = session.scalars(select(Question).where(Question.id.in_(ids)).options(
        selectinload(Question.answers).selectinload(Answer.flags), selectinload(Question.tags),
        selectinload(Question.answers).selectinload(Answer.author), selectinload(Question.conversation),
        selectinload(Question.asker))).all()
    candidates = [ranking.Candidate.of(q, q.text, [t.name for t in q.tags],
                                       "\n".join(a.text for a in q.answers if a.deleted_at is None)) for q in loaded]
    idfs = _idfs(session, wanted)
    scores = ranking.bm25f(wanted, idfs, candidates)
    hits = []
    for candidate, score in zip(candidates, scores, strict=True):
        question: Question = candidate.key  # type: ignore[assignment]
        accepted = next((a for a in question.answers if a.is_accepted and a.deleted_at is None), None)
        if accepted is not None:
            score *= ACCEPTED_BOOST
            if any(f.kind.value == "outdated" for f in accepted.flags):
                score *= OUTDATED_PENALTY
        hits.append(Hit(question=question, score=score, accepted=accepted,
                        relevance=ranking.relevance(wanted, idfs, candidate)))
    hits = _rerank(query, hits)
    hits.sort(key=lambda h: (-h.score, -h.question.id))
    return hits[:limit]


def suggest(session: Session, viewer: Person, text: str, tags: Sequence[str], limit: int = 3, *,
            min_relevance: float | None = None, only: Collection[int] | None = None) -> list[Hit]:
    """Answered questions similar enough to ``text`` to offer before a new question is posted.

    Only hits above the relevance threshold are offered, at most ``limit``,
    those with an accepted answer first. ``min_relevance`` and ``only`` exist
    for the benchmark, which ranks through this very function.
    """
    threshold = SUGGESTION_MIN_RELEVANCE if min_relevance is None else min_relevance
    hits = search(session, viewer, text, limit=max(limit * 4, 12), answered_only=True, tags=tags, only=only)
    good = [h for h in hits if h.relevance >= threshold]
    good.sort(key=lambda h: (h.accepted is None, -h.score))
    return good[:limit]


def search_posts(session: Session, viewer: Person, query: str, *, limit: int = 10) -> list[PostHit]:
    """Shared working-out-loud posts ``viewer`` may see that match ``query``, best first."""
    wanted = _groups(session, query)
    if not wanted or limit <= 0:
        return []
    connection = session.connection()
    if not index_ready(connection):
        return []
    backend = indexer.backend_of(connection)
    statement = backend.matching("post", _terms_of(wanted)).where(visible_posts(viewer))
    ids = [row[0] for row in session.execute(statement.limit(CANDIDATE_LIMIT))]
    if not ids:
        return []
    posts = session.scalars(select(SharedPost).where(SharedPost.id.in_(ids)).options(
        selectinload(SharedPost.tags), selectinload(SharedPost.author))).all()
    candidates = [ranking.Candidate.of(p, p.text, [t.name for t in p.tags]) for p in posts]
    idfs = _idfs(session, wanted)
    scores = ranking.bm25f(wanted, idfs, candidates)
    hits = [PostHit(post=c.key, score=s, relevance=ranking.relevance(wanted, idfs, c))  # type: ignore[arg-type]
            for c, s in zip(candidates, scores, strict=True)]
    hits.sort(key=lambda h: (-h.score, -h.post.id))
    return hits[:limit]


def find(session: Session, viewer: Person, query: str, *, limit: int = 10) -> list[Hit | PostHit]:
    """Questions and shared posts together, best first: what ``/kb search`` should list."""
    mixed: list[Hit | PostHit] = [*search(session, viewer, query, limit=limit),
                                  *search_posts(session, viewer, query, limit=limit)]
    mixed.sort(key=lambda h: -h.score)
    return mixed[:limit]


def _groups(session: Session, text: str, tags: Sequence[str] = ()) -> list[Group]:
    """Query groups of ``text`` and ``tags``, with tag aliases (``k8s`` = ``kubernetes``) as synonyms."""
    words = set(query_words(text, tags))
    synonyms: dict[str, str] = {}
    if words:
        synonyms = {alias: name for alias, name in session.execute(select(TagAlias.alias, TagAlias.tag_name).where(
            TagAlias.alias.in_(sorted(words)[:200])))}
    return groups(text, tags, synonyms)


def _terms_of(wanted: Sequence[Group]) -> list[str]:
    return sorted({term for group in wanted for term in group.all})


def _idfs(session: Session, wanted: Sequence[Group]) -> list[float]:
    connection = session.connection()
    backend = indexer.backend_of(connection)
    primary = sorted({term for group in wanted for term in group.primary})
    return ranking.group_idfs(wanted, backend.doc_count(connection), backend.doc_freqs(connection, primary))


def _rerank(query: str, hits: list[Hit]) -> list[Hit]:
    """Blend in sentence-embedding similarity when the optional reranker is configured."""
    reranker = semantic.active()
    if reranker is None or not hits:
        return hits
    hits = sorted(hits, key=lambda h: -h.score)[:semantic.TOP]
    scores = reranker.blend(query, [h.question.text for h in hits], [h.score for h in hits])
    return [Hit(question=h.question, score=s, accepted=h.accepted, relevance=h.relevance)
            for h, s in zip(hits, scores, strict=True)]
