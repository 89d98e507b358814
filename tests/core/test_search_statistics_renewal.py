"""A large knowledge base's search statistics are renewed in the background, never while someone waits.

Counting and sampling a million public questions takes a few hundred
milliseconds; in a quiet workspace the first search after the figures grow
old would be most searches. The old figures serve until the new ones are in.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy.orm import Session, sessionmaker
from test_search_support import KB, shared_sessions  # noqa: F401 - fixtures

from kbbot.search import indexer, statistics


@pytest.fixture
def committed(shared_sessions: sessionmaker[Session]) -> KB:  # noqa: F811
    """A knowledge base whose questions are committed, so a second connection (the renewal's) sees them."""
    session = shared_sessions()
    return KB(session)


def _statistics(kb: KB) -> tuple[int, dict[str, int]]:
    connection = kb.session.connection()
    return statistics.public_statistics(connection, indexer.backend_of(connection), kb.workspace.id, ["printer"])


def _settled() -> None:
    deadline = time.monotonic() + 20
    while statistics._renewing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not statistics._renewing


def test_old_figures_serve_while_new_ones_are_counted_in_the_background(committed: KB,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("COMMON_COUNT", 10), ("SAMPLE_FROM", 20), ("SAMPLE_SIZE", 10), ("SAMPLE_MIN_HITS", 2)):
        monkeypatch.setattr(statistics, name, value)
    statistics._remembered.clear()
    statistics._samples.clear()
    kb = committed
    for i in range(30):
        kb.ask(f"Printer {i} is offline?", answer="Restart it.")
    kb.session.commit()
    assert _statistics(kb)[0] == 30

    for i in range(20):
        kb.ask(f"Printer {30 + i} prints blank pages?", answer="Toner.")
    kb.session.commit()
    assert _statistics(kb)[0] == 30  # still fresh: the remembered figures

    monkeypatch.setattr(statistics, "COMMON_TTL", 0.0)
    monkeypatch.setattr(statistics, "SAMPLE_TTL", 0.0)
    total, counts = _statistics(kb)
    assert total == 30 and counts["printer"] == 30  # old, answered at once; the renewal has started
    _settled()
    monkeypatch.setattr(statistics, "COMMON_TTL", 300.0)
    monkeypatch.setattr(statistics, "SAMPLE_TTL", 600.0)
    total, counts = _statistics(kb)
    assert total == 50 and counts["printer"] == 50
    kb.session.close()
