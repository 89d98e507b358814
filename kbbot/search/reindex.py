"""Rebuilding the whole search index, in batches, with progress a person can watch.

The index normally follows every write (:mod:`kbbot.search.sync`); a rebuild
repairs rows written behind the ORM's back (bulk SQL, a restored backup) or
applies a changed analyser. Each batch commits on its own, so a large
knowledge base never holds one huge transaction and an interrupted run can
simply be started again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from kbbot.search.indexer import backend_of, document_ids, reindex_posts, reindex_questions

BATCH = 500


def run(engine: Engine, progress: Callable[[str], None], batch: int = BATCH) -> int:
    """Re-index every question and shared post; returns how many documents were indexed."""
    with engine.connect() as connection:
        question_ids, post_ids = document_ids(connection)
    total = len(question_ids) + len(post_ids)
    done = 0
    for label, ids, reindex in (("questions", question_ids, reindex_questions), ("posts", post_ids, reindex_posts)):
        for start in range(0, len(ids), batch):
            chunk: Sequence[int] = ids[start:start + batch]
            with engine.begin() as connection:
                reindex(connection, chunk, backend_of(connection))
            done += len(chunk)
            progress(f"  {label}: {min(start + batch, len(ids))}/{len(ids)}  ({done * 100 // max(total, 1)}% of all)")
    return total
