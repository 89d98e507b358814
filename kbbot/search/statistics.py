"""Document frequencies for ranking, from the public knowledge of the searcher's workspace only.

BM25's idf weighs a word by how many documents contain it. Counted over the
whole index, private channels, direct messages, "just for me" posts and other
workspaces would move an outsider's scores and order whenever private
knowledge with the same words was added: what a person cannot see would
change what they see. The statistics are therefore those of the workspace's
public channels (:mod:`kbbot.search.scope`), the same for everyone in it.

Public rather than per viewer: statistics over each viewer's own visible set
would cost a count per search that no cache could share, while public
statistics are one set per workspace and common words can be remembered. A
member of a private channel then ranks private knowledge with public
statistics, which orders it just as well and reveals nothing.

Counting a word found in tens of thousands of documents walks its whole
posting list (and, for the public filter, its documents). In a large
knowledge base the common words are therefore estimated, the way
PostgreSQL's planner statistics would, from a sample of the workspace's
public documents (every n-th by id), renewed in the background after
:data:`SAMPLE_TTL` seconds. Rarer words are counted, but never past
:data:`COUNT_UP_TO` documents: a word the sample nearly missed may still be
in thousands of documents (at 1,000,000 questions, a word in 4,000 of them is
in about 20 of the 5,000 sampled, fewer than :data:`SAMPLE_MIN_HITS`), and
counting those one by one was the slowest part of a search. Past the cap a
word counts as the cap or as the sample's estimate, whichever is larger; idf
is a logarithm, so that estimate's error moves a score little. Counts of at
least :data:`COMMON_COUNT` and the document total are remembered for :data:`COMMON_TTL` seconds. A small
knowledge base is always counted exactly and fresh.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from kbbot.search.backend import Backend
from kbbot.search.scope import public_posts_in, public_questions_in
from kbbot.store.models import Question, SharedPost

COMMON_COUNT = 1000
"""Exact counts of at least this many documents are remembered for :data:`COMMON_TTL` seconds."""
COMMON_TTL = 300.0
SAMPLE_FROM = 20_000
"""From this many public documents on, common words are estimated from a sample."""
SAMPLE_SIZE = 5000
SAMPLE_MIN_HITS = 25
"""A word in at least this many sampled documents (0.5%) is estimated; rarer ones are counted."""
SAMPLE_TTL = 600.0
COUNT_UP_TO = 500
"""In a sampled knowledge base, a word's documents are counted up to this many (see the module's docstring)."""
_CHUNK = 40

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Sample:
    taken: float
    hits: dict[str, int]
    """Sampled documents per word, for the words in enough of them to matter: in at least
    :data:`SAMPLE_MIN_HITS` (estimated from the sample alone), or in enough to stand for more than
    :data:`COUNT_UP_TO` documents (a floor once a count reaches its cap)."""
    scale: float


_remembered: weakref.WeakKeyDictionary[Engine, dict[tuple[int, str], tuple[float, int]]] = (
    weakref.WeakKeyDictionary())
_samples: weakref.WeakKeyDictionary[Engine, dict[int, _Sample]] = weakref.WeakKeyDictionary()


def public_statistics(connection: Connection, backend: Backend, workspace_id: int, terms: Sequence[str]
                      ) -> tuple[int, dict[str, int]]:
    """The number of public documents of the workspace, and how many of them contain each of ``terms``."""
    remembered = _remembered.setdefault(connection.engine, {})
    now = time.monotonic()
    total, sample = _total_and_sample(connection, backend, workspace_id, now)
    found: dict[str, int] = {}
    fresh: list[str] = []
    for term in dict.fromkeys(terms):
        hits = sample.hits.get(term, 0) if sample else 0
        cached = _remembered_count(remembered, workspace_id, term, now)
        if sample and hits >= SAMPLE_MIN_HITS:
            found[term] = min(total, round(hits * sample.scale))
        elif cached is not None:
            found[term] = cached
        else:
            fresh.append(term)
    for start in range(0, len(fresh), _CHUNK):
        chunk = fresh[start:start + _CHUNK]
        cap = COUNT_UP_TO if sample else None
        row = connection.execute(select(*(_count(backend, workspace_id, term, cap).label(f"t{i}")
                                          for i, term in enumerate(chunk)))).one()
        for term, count in zip(chunk, row, strict=True):
            found[term] = int(count or 0)
            if sample and cap is not None and found[term] >= cap:
                found[term] = min(total, max(found[term], round(sample.hits.get(term, 0) * sample.scale)))
            if found[term] >= COMMON_COUNT:
                remembered[(workspace_id, term)] = (now, found[term])
    return total, {term: count for term, count in found.items() if count}


def _remembered_count(remembered: dict[tuple[int, str], tuple[float, int]], workspace_id: int, term: str | None,
                      now: float) -> int | None:
    cached = remembered.get((workspace_id, term or ""))  # no term is empty: "" keys the total
    return cached[1] if cached is not None and now - cached[0] < COMMON_TTL else None


def _total_and_sample(connection: Connection, backend: Backend, workspace_id: int, now: float
                      ) -> tuple[int, _Sample | None]:
    """The workspace's public document count, and its sample when it is large.

    Counting a million public questions and sampling them takes a few hundred
    milliseconds. Once they are known, they are renewed in the background
    when they grow old (:data:`COMMON_TTL`, :data:`SAMPLE_TTL`) while
    searches go on with the old figures: otherwise the first search every few
    minutes, which in a quiet workspace is most of them, would pay for it.
    """
    engine = connection.engine
    known = _remembered.setdefault(engine, {}).get((workspace_id, ""))
    sample = _samples.setdefault(engine, {}).get(workspace_id)
    if known is None:
        return _count_and_sample(connection, backend, workspace_id, now)
    total = known[1]
    if now - known[0] >= COMMON_TTL or (sample is not None and now - sample.taken >= SAMPLE_TTL):
        _renew_later(engine, backend, workspace_id)
    return total, sample if total >= SAMPLE_FROM else None


def _count_and_sample(connection: Connection, backend: Backend, workspace_id: int, now: float
                      ) -> tuple[int, _Sample | None]:
    total = int(connection.execute(select(_count(backend, workspace_id, None))).scalar() or 0)
    sample = _sample(connection, backend, workspace_id, total, now) if total >= SAMPLE_FROM else None
    if total >= COMMON_COUNT:  # remembered last, so a search never sees a large total without its sample
        _remembered.setdefault(connection.engine, {})[(workspace_id, "")] = (now, total)
    return total, sample


_renewing: set[tuple[int, int]] = set()
_renewing_lock = threading.Lock()


def _renew_later(engine: Engine, backend: Backend, workspace_id: int) -> None:
    """Count and sample again in a thread of its own, one at a time per database and workspace."""
    key = (id(engine), workspace_id)
    with _renewing_lock:
        if key in _renewing:
            return
        _renewing.add(key)

    def renew() -> None:
        try:
            with engine.connect() as connection:
                _count_and_sample(connection, backend, workspace_id, time.monotonic())
        except Exception:  # the old figures stay; the next search after the TTL tries again
            logger.warning("renewing search statistics failed", exc_info=True)
        finally:
            with _renewing_lock:
                _renewing.discard(key)

    threading.Thread(target=renew, name="kbbot-search-statistics", daemon=True).start()


def _sample(connection: Connection, backend: Backend, workspace_id: int, total: int, now: float) -> _Sample:
    """Document counts of the common words in every n-th public document."""
    every = max(1, total // SAMPLE_SIZE)
    documents = [*backend.sample(connection, "question", public_questions_in(workspace_id), every),
                 *backend.sample(connection, "post", public_posts_in(workspace_id), every)]
    hits = Counter(term for document in documents for term in document)
    scale = total / max(1, len(documents))
    sample = _Sample(taken=now, scale=scale,
                     hits={t: n for t, n in hits.items() if n >= SAMPLE_MIN_HITS or n * scale > COUNT_UP_TO})
    _samples.setdefault(connection.engine, {})[workspace_id] = sample
    return sample


def _count(backend: Backend, workspace_id: int, term: str | None, cap: int | None = None) -> ColumnElement[int]:
    """Public questions plus public posts of the workspace containing ``term`` (all of them for ``None``).

    With ``cap``, each kind is counted up to ``cap`` documents: the database stops walking there.
    """
    if term is None:
        questions = select(func.count()).select_from(Question).where(public_questions_in(workspace_id))
        posts = select(func.count()).select_from(SharedPost).where(public_posts_in(workspace_id))
    else:
        found_questions = backend.containing("question", [[term]]).where(public_questions_in(workspace_id))
        found_posts = backend.containing("post", [[term]]).where(public_posts_in(workspace_id))
        if cap is not None:
            found_questions, found_posts = found_questions.limit(cap), found_posts.limit(cap)
        questions = select(func.count()).select_from(found_questions.subquery())
        posts = select(func.count()).select_from(found_posts.subquery())
    return questions.scalar_subquery() + posts.scalar_subquery()
