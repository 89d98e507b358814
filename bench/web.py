#!/usr/bin/env python3
"""How fast are the web knowledge base's pages on a large knowledge base? p50 and p95 per page kind.

    python bench/web.py [--questions 100000] [--requests 200] [--backend sqlite|postgresql|both]

Builds the synthetic knowledge base of ``bench/latency.py`` (``--questions``
questions with one answer each, through kbbot's storage), serves the web
pages (:func:`kbbot.web.app.attach`, as ``kbbot serve`` does) on 127.0.0.1 in
a thread, and times whole HTTP requests from a client in this process, one
at a time: ``/kb/search?q=…`` (half the queries resemble an existing question,
half are a few random words) and ``/kb/q/<id>`` for random questions, signed
in as a colleague (a session cookie, as after sign-in), and, interleaved, the
search service the search page calls (``kbbot.services.search.search``, in
this process, no HTTP), so that what the page adds can be told from what
the search costs on a machine as busy as it happens to be. The time includes the
HTTP round trip, the session check, the queries and the rendering of the
template. Use ``--questions 2000`` for a quick run. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from knowledge import KnowledgeBase, fresh_database, open_knowledge_base  # noqa: E402
from latency import load, percentile  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from synthetic import Vocabulary, query_like  # noqa: E402

from kbbot.config import Settings  # noqa: E402
from kbbot.services import search  # noqa: E402
from kbbot.store.models import Question  # noqa: E402
from kbbot.web.app import attach  # noqa: E402
from kbbot.web.pages import RESULTS  # noqa: E402
from kbbot.web.settings import WebSettings  # noqa: E402


class Served:
    """The web pages on their own event loop in a thread, like the serving process's loop."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        settings = Settings(_env_file=None, database_url=kb.url)

        async def start() -> tuple[web.AppRunner, int, str]:
            app = web.Application()
            config = attach(app, settings, kb.sessions, web_settings=WebSettings(_env_file=None), providers=[])
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            return runner, runner.addresses[0][1], config.signer.session(kb.reader_id, "bench")

        self.runner, self.port, self.cookie = asyncio.run_coroutine_threadsafe(start(), self.loop).result(60)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def _time_pages(port: int, cookie: str, paths: Sequence[str]) -> list[float]:
    timings = []
    async with aiohttp.ClientSession(cookies={"kbbot_session": cookie}) as client:
        for path in paths:
            started = time.perf_counter()
            async with client.get(f"http://127.0.0.1:{port}{path}", allow_redirects=False) as response:
                body = await response.read()
                if response.status != 200:
                    raise SystemExit(f"{path}: {response.status} {body[:300]!r}")
            timings.append(1000 * (time.perf_counter() - started))
    return timings


def _service(kb: KnowledgeBase, query: str) -> float:
    """Milliseconds of the search the page runs, called directly: what the page adds is the difference."""
    with kb.sessions.begin() as session:
        reader = kb.reader(session)
        started = time.perf_counter()
        search.search(session, reader, query, limit=RESULTS + 1)
        return 1000 * (time.perf_counter() - started)


def _figures(timings: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(timings), 1), "p95": round(percentile(timings, 0.95), 1)}


def run(backend: str, count: int, requests: int, postgres_url: str | None, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    with fresh_database(backend, postgres_url) as url:
        kb = open_knowledge_base(url)
        try:
            sample = load(kb, count, vocabulary)
            if kb.engine.dialect.name == "postgresql":
                with kb.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            with kb.sessions.begin() as session:
                low, high = session.execute(select(func.min(Question.id), func.max(Question.id))).one()
            queries = [query_like(vocabulary, rng.choice(sample)) if i % 2 == 0
                       else " ".join(vocabulary.draw(rng.randint(2, 5))) for i in range(requests + 10)]
            searches = ["/kb/search?" + urlencode({"q": q}) for q in queries]
            questions = [f"/kb/q/{rng.randint(low, high)}" for _ in range(requests + 10)]
            served = Served(kb)
            try:
                run_pages = lambda paths: asyncio.run(_time_pages(served.port, served.cookie, paths))  # noqa: E731
                run_pages(searches[:10] + questions[:10])  # warm connections and caches, as a running server has
                search_ms, question_ms, service_ms = [], [], []
                for one, other, query in zip(searches[10:], questions[10:], queries[10:], strict=True):  # interleaved
                    search_ms += run_pages([one])
                    question_ms += run_pages([other])
                    service_ms.append(_service(kb, query))
            finally:
                served.stop()
            return {"backend": backend, "questions": count, "requests": requests,
                    "search_page_ms": _figures(search_ms), "question_page_ms": _figures(question_ms),
                    "search_service_ms": _figures(service_ms)}
        finally:
            kb.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests of each page kind")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if "postgresql" in backends and not args.postgres_url:
        print("PostgreSQL skipped: set --postgres-url or KBBOT_TEST_POSTGRES_URL", file=sys.stderr)
        backends = tuple(b for b in backends if b != "postgresql")
    results = []
    for backend in backends:
        result = run(backend, args.questions, args.requests, args.postgres_url, args.seed)
        results.append(result)
        print(f"{backend}: {result['questions']} questions; search page p50 {result['search_page_ms']['p50']} ms, "
              f"p95 {result['search_page_ms']['p95']} ms; question page p50 {result['question_page_ms']['p50']} ms, "
              f"p95 {result['question_page_ms']['p95']} ms; the search service alone p50 "
              f"{result['search_service_ms']['p50']} ms, p95 {result['search_service_ms']['p95']} ms "
              f"({args.requests} requests each)")
    print(json.dumps({"web": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
