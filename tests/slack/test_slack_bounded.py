"""The Slack adapter's per-process caches stay bounded however long a process runs."""

from __future__ import annotations

import threading

from kbbot_adapters.slack.bounded import Bounded


def test_the_least_recently_used_entries_are_forgotten_first() -> None:
    cache: Bounded[str, int] = Bounded(3)
    for number, key in enumerate("abc"):
        cache.put(key, number)
    assert cache.get("a") == 0  # used: now the most recent
    cache.put("d", 3)
    assert cache.get("b") is None and [cache.get(k) for k in "acd"] == [0, 2, 3]
    assert len(cache) == 3


def test_many_threads_never_push_it_past_its_limit() -> None:
    cache: Bounded[int, int] = Bounded(100)

    def fill(offset: int) -> None:
        for number in range(5000):
            cache.put(offset + number, number)
            cache.get(offset + number // 2)

    threads = [threading.Thread(target=fill, args=(n * 10_000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 100
