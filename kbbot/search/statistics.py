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
posting list; such counts (and large document totals) barely move, so they
are remembered for :data:`COMMON_TTL` seconds per workspace. Small counts are
always read fresh, so a small knowledge base is always exact.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from kbbot.search.backend import Backend
from kbbot.search.scope import public_posts_in, public_questions_in
from kbbot.store.models import Question, SharedPost

COMMON_COUNT = 1000
"""Counts of at least this many documents are remembered for :data:`COMMON_TTL` seconds."""
COMMON_TTL = 300.0
_CHUNK = 40
_TOTAL = ""  # the cache key of the document total (no term is empty)
_remembered: weakref.WeakKeyDictionary[Engine, dict[tuple[int, str], tuple[float, int]]] = (
    weakref.WeakKeyDictionary())


def public_statistics(connection: Connection, backend: Backend, workspace_id: int, terms: Sequence[str]
                      ) -> tuple[int, dict[str, int]]:
    """The number of public documents of the workspace, and how many of them contain each of ``terms``."""
    remembered = _remembered.setdefault(connection.engine, {})
    now = time.monotonic()
    found: dict[str, int] = {}
    fresh: list[str] = []
    for term in dict.fromkeys([_TOTAL, *terms]):
        cached = remembered.get((workspace_id, term))
        if cached is not None and now - cached[0] < COMMON_TTL:
            found[term] = cached[1]
        else:
            fresh.append(term)
    for start in range(0, len(fresh), _CHUNK):
        chunk = fresh[start:start + _CHUNK]
        row = connection.execute(select(*(_count(backend, workspace_id, term).label(f"t{i}")
                                          for i, term in enumerate(chunk)))).one()
        for term, count in zip(chunk, row, strict=True):
            found[term] = int(count or 0)
            if found[term] >= COMMON_COUNT:
                remembered[(workspace_id, term)] = (now, found[term])
    total = found.pop(_TOTAL)
    return total, {term: count for term, count in found.items() if count}


def _count(backend: Backend, workspace_id: int, term: str) -> ColumnElement[int]:
    """Public questions plus public posts of the workspace containing ``term`` (all of them for ``_TOTAL``)."""
    if term == _TOTAL:
        questions = select(func.count()).select_from(Question).where(public_questions_in(workspace_id))
        posts = select(func.count()).select_from(SharedPost).where(public_posts_in(workspace_id))
    else:
        questions = select(func.count()).select_from(
            backend.containing("question", [[term]]).where(public_questions_in(workspace_id)).subquery())
        posts = select(func.count()).select_from(
            backend.containing("post", [[term]]).where(public_posts_in(workspace_id)).subquery())
    return questions.scalar_subquery() + posts.scalar_subquery()
