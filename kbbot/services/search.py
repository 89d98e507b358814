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

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kbbot.search import analysis, indexer, ranking, semantic, statistics, stopwords
from kbbot.search.query import MAX_GROUPS, Group, groups, query_words
from kbbot.search.records import QuestionRecord, question_records
from kbbot.search.scope import visible_posts
from kbbot.search.sync import index_ready
from kbbot.store.visibility import visible_questions
from kbbot.presentation import cards
from kbbot.services import verification
from kbbot.store.models import Answer, AnswerCare, Person, Question, QuestionStatus, SharedPost, TagAlias

MAX_TERMS = 12
CANDIDATE_LIMIT = 100
"""Candidates the database returns for re-ranking; the final order is decided among them."""
SUGGESTION_MIN_RELEVANCE = 0.12
"""Least :func:`kbbot.search.ranking.relevance` (idf-weighted Dice overlap) for ``/ask`` to suggest a question.

Chosen with :data:`SUGGESTION_MIN_SHARED_WORDS` by ``bench/retrieval.py
--hold-out --tune`` on half of the SemEval-2016 Task 3 subtask B
question–question set (training part 2): the best mean F0.5 (precision
counted double) over whole-question and title-only queries; precision and
recall on the other half are in ``bench/RESULTS.md``.
"""
SUGGESTION_MIN_SHARED_WORDS = 2
"""Query words a suggested question must share (all of them when the query has fewer).

One ordinary word in common ("anyone know the wifi password?" and "How do I
rotate the staging password?") says nothing about the question, however high
the relevance of a two-word query.
"""
COMMON_SHARE = 0.02
COMMON_MIN_DOCS = 5000
NOMINATION_BUDGET = 3000
"""At most this many documents (by their words' public counts) are ranked in the database to nominate candidates.

At 10,000 PostgreSQL stopped joining the matches to their questions one by
one and read the whole questions table instead (half a second at 1,000,000
questions); at 3,000 both databases rank the nominees in a few milliseconds.
"""
ACCEPTED_BOOST = 1.15
OUTDATED_PENALTY = 0.75
DUE_PENALTY = 0.85
"""An accepted answer due for a re-check ranks a little lower than a current one, still above a flagged one."""
RETIRED_PENALTY = 0.5
"""Only with ``include_retired`` (``/kb search --all``): a retired answer ranks below every live one of its kind."""

STOP_WORDS = stopwords.ALL
# What a result card shows of a question (cards.hit_item): loaded for the winners only.
_HIT_LOADING = (selectinload(Question.answers).selectinload(Answer.care).joinedload(AnswerCare.verified_by),
                selectinload(Question.answers).selectinload(Answer.flags),
                selectinload(Question.answers).selectinload(Answer.votes),
                selectinload(Question.answers).joinedload(Answer.author), selectinload(Question.tags),
                joinedload(Question.conversation), joinedload(Question.asker))


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
           tags: Sequence[str] = (), only: Collection[int] | None = None,
           wanted: list[Group] | None = None, include_retired: bool = False, now: datetime | None = None,
           verification_days: int = 180) -> list[Hit]:
    """Questions ``viewer`` may see that match ``query`` (or ``tags``), best first; never raises on odd input.

    ``only`` restricts the search to those question ids (used by the benchmark
    to rank a fixed candidate list through this same code path); ``wanted``
    is the query's term groups where the caller already has them. Retired
    answers count only with ``include_retired``; an accepted answer due for a
    re-check by ``now`` (after ``verification_days``, or its tags' own
    interval) ranks a little lower (:mod:`kbbot.services.verification`).
    """
    wanted = wanted if wanted is not None else _groups(session, query, tags)
    if not wanted or limit <= 0 or (only is not None and not only):
        return []
    connection = session.connection()
    if not index_ready(connection):
        return []
    indexer.backend_of(connection).prepare(connection)
    idfs, count, frequencies = _statistics(session, viewer, wanted)

    def scoped(statement: Select[tuple[int, float]]) -> Select[tuple[int, float]]:
        statement = statement.where(visible_questions(viewer))
        if answered_only:
            statement = statement.where(Question.status.in_((QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)))
        if only is not None:
            statement = statement.where(Question.id.in_(list(only)))
        return statement

    ids = _nominate(session, "question", wanted, idfs, frequencies, count, scoped)
    if not ids:
        return []
    records = question_records(connection, ids, include_retired)
    candidates = [ranking.Candidate.of(r, r.text, r.tags, "\n".join(r.answers)) for r in records]
    standing = verification.states(session, [r.accepted_id for r in records if r.accepted_id is not None],
                                   now or datetime.now(UTC), verification_days)
    scored = []
    for record, candidate, score in zip(records, candidates, ranking.bm25f(wanted, idfs, candidates), strict=True):
        if record.accepted:
            score *= OUTDATED_PENALTY if record.accepted_outdated else ACCEPTED_BOOST
            state = standing.get(record.accepted_id or 0)
            if state == verification.DUE:
                score *= DUE_PENALTY
            elif state == verification.RETIRED:
                score *= RETIRED_PENALTY
        scored.append((score, ranking.relevance(wanted, idfs, candidate), record))
    scored = _rerank(query, scored)
    scored.sort(key=lambda s: (-s[0], -s[2].id))
    top = scored[:limit]
    loaded = {q.id: q for q in session.scalars(select(Question).where(Question.id.in_([r.id for _, _, r in top]))
                                               .options(*_HIT_LOADING))}
    hits = []
    for score, relevance, record in top:
        question = loaded[record.id]
        accepted = next((a for a in question.answers if a.is_accepted and a.deleted_at is None
                         and (include_retired or not cards.retired(a))), None)
        hits.append(Hit(question=question, score=score, accepted=accepted, relevance=relevance))
    return hits


def suggest(session: Session, viewer: Person, text: str, tags: Sequence[str], limit: int = 3, *,
            min_relevance: float | None = None, min_shared_words: int | None = None,
            only: Collection[int] | None = None, now: datetime | None = None,
            verification_days: int = 180) -> list[Hit]:
    """Answered questions similar enough to ``text`` to offer before a new question is posted.

    Only hits above the relevance threshold that share at least
    :data:`SUGGESTION_MIN_SHARED_WORDS` of the query's words (all of them
    when it has fewer) are offered, at most ``limit``, those with an
    accepted answer first. ``min_relevance``, ``min_shared_words`` and
    ``only`` exist for the benchmark, which ranks through this very function.
    """
    threshold = SUGGESTION_MIN_RELEVANCE if min_relevance is None else min_relevance
    wanted = _groups(session, text, tags)
    need = min(SUGGESTION_MIN_SHARED_WORDS if min_shared_words is None else min_shared_words, len(wanted))
    hits = search(session, viewer, text, limit=max(limit * 4, 12), answered_only=True, tags=tags, only=only,
                  wanted=wanted, now=now, verification_days=verification_days)
    good = [h for h in hits if h.relevance >= threshold and ranking.shared_words(wanted, ranking.Candidate.of(
        h.question, h.question.text, [tag.name for tag in h.question.tags])) >= need]
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
    indexer.backend_of(connection).prepare(connection)
    idfs, count, frequencies = _statistics(session, viewer, wanted)
    ids = _nominate(session, "post", wanted, idfs, frequencies, count,
                    lambda statement: statement.where(visible_posts(viewer)))
    if not ids:
        return []
    posts = session.scalars(select(SharedPost).where(SharedPost.id.in_(ids)).options(
        selectinload(SharedPost.tags), selectinload(SharedPost.author))).all()
    candidates = [ranking.Candidate.of(p, p.text, [t.name for t in p.tags]) for p in posts]
    scores = ranking.bm25f(wanted, idfs, candidates)
    hits = [PostHit(post=c.key, score=s, relevance=ranking.relevance(wanted, idfs, c))  # type: ignore[arg-type]
            for c, s in zip(candidates, scores, strict=True)]
    hits.sort(key=lambda h: (-h.score, -h.post.id))
    return hits[:limit]


def find(session: Session, viewer: Person, query: str, *, limit: int = 10, include_retired: bool = False,
         now: datetime | None = None, verification_days: int = 180) -> list[Hit | PostHit]:
    """Questions and shared posts together, best first: what ``/kb search`` should list."""
    mixed: list[Hit | PostHit] = [*search(session, viewer, query, limit=limit, include_retired=include_retired,
                                          now=now, verification_days=verification_days),
                                  *search_posts(session, viewer, query, limit=limit)]
    mixed.sort(key=lambda h: -h.score)
    return mixed[:limit]


def _groups(session: Session, text: str, tags: Sequence[str] = ()) -> list[Group]:
    """Query groups of ``text`` and ``tags``, with tag aliases (``k8s`` = ``kubernetes``) as synonyms."""
    words = list(dict.fromkeys(query_words(text, tags)))[:2 * MAX_GROUPS]
    synonyms: dict[str, str] = {}
    if words:
        synonyms = {alias: name for alias, name in session.execute(
            select(TagAlias.alias, TagAlias.tag_name).where(TagAlias.alias.in_(words)))}
    return groups(text, tags, synonyms)


def _statistics(session: Session, viewer: Person, wanted: Sequence[Group]) -> tuple[list[float], int, list[int]]:
    """The idf of each query word, the number of documents, and how many have each word, over the public
    knowledge of ``viewer``'s workspace.

    Never over what ``viewer`` might not see (see :mod:`kbbot.search.statistics`).
    """
    connection = session.connection()
    primary = sorted({term for group in wanted for term in group.primary})
    count, freqs = statistics.public_statistics(connection, indexer.backend_of(connection), viewer.workspace_id,
                                                primary)
    return ranking.group_idfs(wanted, count, freqs), count, ranking.group_frequencies(wanted, freqs)


def _nominate(session: Session, kind: str, wanted: Sequence[Group], idfs: Sequence[float],
              frequencies: Sequence[int], count: int, scoped: Callable[[Select[tuple[int, float]]], Select[tuple[int, float]]]) -> list[int]:
    """Candidate ids from the database's index, best first by its own rank.

    In a large knowledge base a word found in more than :data:`COMMON_SHARE`
    of all documents adds little to a ranking but makes the database visit
    (and rank) a large part of its index. Such words still count in the final
    score; they just do not nominate candidates. The rarer words nominate,
    rarest first, as long as together they are in at most
    :data:`NOMINATION_BUDGET` documents, so the work stays bounded however
    large the knowledge base grows.

    When no word is that rare, documents must contain all of them (then the
    two rarest, then the rarest alone), and the newest such documents are
    nominated without ranking them in the database: the index hands them
    over newest first and stops after :data:`CANDIDATE_LIMIT`, where ranking
    would have visited every document with a common word. They are ranked
    here like any others.
    """
    connection = session.connection()
    backend = indexer.backend_of(connection)
    weight_of = dict(zip(wanted, idfs, strict=True))
    plans: list[tuple[Sequence[Group], bool, bool]] = [(wanted, False, True)]  # (groups, all of them, ranked)
    if count >= COMMON_MIN_DOCS:
        rarest = [wanted[i] for i in sorted(range(len(wanted)), key=lambda i: -idfs[i])]
        documents_with = dict(zip(wanted, frequencies, strict=True))
        most = min(int(COMMON_SHARE * count), NOMINATION_BUDGET)
        selective: list[Group] = []
        spent = 0
        for group in rarest:
            documents = documents_with[group]
            if documents > most or (selective and spent + documents > NOMINATION_BUDGET):
                break
            selective.append(group)
            spent += documents
        plans = ([(selective, False, True)] if selective else
                 [(wanted, True, False), (rarest[:2], True, False), (rarest[:1], False, False)])
    for nominating, require_all, ranked in plans:
        terms = [sorted(g.all) for g in nominating]
        if ranked:
            statement = backend.matching(kind, terms, [weight_of[g] for g in nominating], require_all)
        else:
            statement = backend.newest(kind, terms, require_all).add_columns(literal(0.0).label("rank"))
        ids = [row[0] for row in session.execute(scoped(statement).limit(CANDIDATE_LIMIT))]
        if ids:
            return ids
    return []


def _rerank(query: str, scored: list[tuple[float, float, QuestionRecord]]) -> list[tuple[float, float, QuestionRecord]]:
    """Blend in sentence-embedding similarity when the optional reranker is configured."""
    reranker = semantic.active()
    if reranker is None or not scored:
        return scored
    ordered = sorted(scored, key=lambda s: -s[0])
    top, rest = ordered[:semantic.TOP], ordered[semantic.TOP:]
    blended = reranker.blend(query, [r.text for _, _, r in top], [score for score, _, _ in top])
    # Blended scores lie in 0–1; candidates the model did not look at keep their order below them.
    return [*((new, relevance, record) for new, (_, relevance, record) in zip(blended, top, strict=True)),
            *((-1.0 - i, relevance, record) for i, (_, relevance, record) in enumerate(rest))]
