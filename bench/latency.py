#!/usr/bin/env python3
"""How fast is search on a large knowledge base? Median and p95 latency, and index size.

    python bench/latency.py [--questions 100000] [--backend sqlite|postgresql|both] [--queries 200]
                            [--keep sqlite:///path.db | postgresql+psycopg://…?options=-csearch_path%3Dname]

Builds a synthetic knowledge base (``bench/synthetic.py``) of ``--questions``
questions, each with one answer, through kbbot's storage (migrations, ORM,
the index listener, in batches of 2,000 per transaction), then times
``kbbot.services.search.search`` (what ``/kb search`` runs) and
``suggest`` (what ``/ask`` runs), each query in its own transaction, the two
interleaved on different queries; half of the queries resemble an existing
question, half are a few random words.
The last line of output is JSON.

``--copy-from URL`` fills an empty ``--keep`` database from another kept
one (a PostgreSQL base from a SQLite one in minutes instead of loading it).
``--keep URL`` keeps the loaded knowledge base in that database (a SQLite
file or a PostgreSQL schema that exists) and reuses it on the next run with
the same URL, so that a change to search can be measured at 1,000,000
questions without loading them again (about 5 minutes on SQLite, 15 on
PostgreSQL). A reused base's queries are drawn from its stored questions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import (NOW, KnowledgeBase, copy_knowledge, fresh_database, kb_questions, kept_database,  # noqa: E402
                       open_knowledge_base)
from sqlalchemy import select, text  # noqa: E402
from synthetic import Vocabulary, answer, query_like, question  # noqa: E402

from kbbot.search import indexer  # noqa: E402
from kbbot.services import search  # noqa: E402
from kbbot.store.models import Answer, Question, QuestionStatus  # noqa: E402

BATCH = 2000


def load(kb: KnowledgeBase, count: int, vocabulary: Vocabulary) -> list[str]:
    """Store ``count`` answered questions; returns a sample of their texts for queries."""
    sample: list[str] = []
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with kb.sessions.begin() as session:
            for _ in range(size):
                body = question(vocabulary)
                q = Question(workspace_id=kb.workspace_id, conversation_id=kb.channel_id, asker_id=kb.asker_id,
                             is_anonymous=False, text=body, status=QuestionStatus.ANSWERED,
                             created_at=NOW, updated_at=NOW)
                q.answers = [Answer(author_id=kb.reader_id, conversation_id=kb.channel_id, message_id=f"a{made}",
                                    text=answer(vocabulary), is_accepted=False, created_at=NOW)]
                session.add(q)
                made += 1
                if len(sample) < 1000 and vocabulary.rng.random() < 0.05:
                    sample.append(body)
        print(f"\r  loaded {made}/{count}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return sample


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(kb: KnowledgeBase, query: str, suggest: bool) -> float:
    """Milliseconds for one ``/kb search`` (limit 5) or one ``/ask`` suggestion lookup, in its own transaction."""
    with kb.sessions.begin() as session:
        reader = kb.reader(session)
        started = time.perf_counter()
        if suggest:
            search.suggest(session, reader, query, [])
        else:
            search.search(session, reader, query, limit=5)
        return 1000 * (time.perf_counter() - started)


def measure(kb: KnowledgeBase, searches: Sequence[str], suggestions: Sequence[str]) -> tuple[list[float], list[float]]:
    """Time the two kinds of lookup interleaved, on different queries, so neither warms the other's caches."""
    search_ms, suggest_ms = [], []
    for one, other in zip(searches, suggestions, strict=True):
        search_ms.append(timed(kb, one, suggest=False))
        suggest_ms.append(timed(kb, other, suggest=True))
    return search_ms, suggest_ms


def database_bytes(kb: KnowledgeBase) -> int:
    with kb.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            pages = connection.execute(text("PRAGMA page_count")).scalar() or 0
            size = connection.execute(text("PRAGMA page_size")).scalar() or 0
            return int(pages) * int(size)
        return int(connection.execute(text(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).scalar() or 0)


def stored_sample(kb: KnowledgeBase, count: int) -> list[str]:
    """Texts of about 1,000 of a kept knowledge base's questions, spread over it, to draw queries from."""
    with kb.engine.connect() as connection:
        return list(connection.execute(select(Question.text).where(Question.id % max(1, count // 1000) == 0)
                                       .order_by(Question.id).limit(1000)).scalars())


def run(backend: str, count: int, query_count: int, postgres_url: str | None, seed: int,
        keep: str | None = None, copy_from: str | None = None) -> dict[str, object]:
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    with (kept_database(keep) if keep else fresh_database(backend, postgres_url)) as url:
        if copy_from:
            copy_knowledge(copy_from, url)
        kb = open_knowledge_base(url)
        try:
            started = time.perf_counter()
            stored = kb_questions(kb)
            if stored >= count:
                print(f"  reusing {stored} questions kept in {keep}", file=sys.stderr)
                sample, count = stored_sample(kb, stored), stored
            else:
                sample = load(kb, count - stored, vocabulary)
            load_seconds = time.perf_counter() - started
            # What autovacuum would have done after a bulk load: visibility map and planner statistics.
            if kb.engine.dialect.name == "postgresql":
                with kb.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            queries = [query_like(vocabulary, rng.choice(sample)) if i % 2 == 0 else " ".join(vocabulary.draw(rng.randint(2, 5)))
                       for i in range(2 * query_count + 10)]
            for query in queries[:10]:  # a running server has warm connections and caches
                timed(kb, query, suggest=False)
            search_ms, suggest_ms = measure(kb, queries[10::2], queries[11::2])
            with kb.engine.connect() as connection:
                index_bytes = indexer.backend_of(connection).size_bytes(connection)
            return {
                "backend": backend, "questions": count, "answers": count, "queries": query_count,
                "load_seconds": round(load_seconds, 1),
                "search_ms": {"median": round(statistics.median(search_ms), 2), "p95": round(percentile(search_ms, 0.95), 2)},
                "suggest_ms": {"median": round(statistics.median(suggest_ms), 2), "p95": round(percentile(suggest_ms, 0.95), 2)},
                "index_mb": round(index_bytes / 2**20, 1), "database_mb": round(database_bytes(kb) / 2**20, 1),
            }
        finally:
            kb.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", metavar="URL", help="load into (or reuse) this database instead of a fresh one")
    parser.add_argument("--copy-from", metavar="URL",
                        help="with --keep on an empty database: copy the knowledge base kept in URL instead of loading")
    args = parser.parse_args(argv)
    if args.keep:
        args.backend = "postgresql" if args.keep.startswith("postgresql") else "sqlite"
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if "postgresql" in backends and not args.postgres_url and not args.keep:
        print("PostgreSQL skipped: set --postgres-url or KBBOT_TEST_POSTGRES_URL", file=sys.stderr)
        backends = tuple(b for b in backends if b != "postgresql")
    results = []
    for backend in backends:
        result = run(backend, args.questions, args.queries, args.postgres_url, args.seed, args.keep, args.copy_from)
        results.append(result)
        print(f"{backend}: {result['questions']} questions loaded in {result['load_seconds']} s; "
              f"search median {result['search_ms']['median']} ms, p95 {result['search_ms']['p95']} ms; "
              f"suggest median {result['suggest_ms']['median']} ms, p95 {result['suggest_ms']['p95']} ms; "
              f"index {result['index_mb']} MB of {result['database_mb']} MB")
    print(json.dumps({"latency": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
