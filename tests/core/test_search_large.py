"""Search in a large knowledge base: what it finds when most words are common, and that it stays private.

At a million questions kbbot cannot rank every document that has a common
word, so the rarest words nominate candidates within a budget and, when no
word is rare, the newest documents with all of the words do (see
``kbbot.services.search._nominate``). These tests make a small knowledge
base count as large by lowering the thresholds, and check what a person
would notice: the question they mean is still found, and nothing private
reaches someone outside its channel.
"""

from __future__ import annotations

import pytest
from test_search_support import KB, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.search import statistics
from kbbot.services import search
from kbbot.store.models import ConversationKind


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "COMMON_MIN_DOCS", 20)
    monkeypatch.setattr(search, "NOMINATION_BUDGET", 6)
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 5)
    statistics._remembered.clear()
    statistics._samples.clear()


def _filler(kb: KB, count: int) -> None:
    for i in range(count):
        kb.ask(f"How do I reset the vpn password on laptop {i}?", answer=f"Use the portal, step {i}.")


def test_a_rare_word_finds_its_question_among_many_with_common_words(kb: KB) -> None:
    kb.ask("Why does the vpn drop on the Zeppelin meeting room wifi?", answer="Its access point is old.")
    _filler(kb, 40)  # newer, and full of the query's common words

    found = texts(search.search(kb.session, kb.bob, "vpn password zeppelin", limit=3))

    assert found[0] == "Why does the vpn drop on the Zeppelin meeting room wifi?"


def test_when_every_word_is_common_the_questions_with_all_of_them_are_found(kb: KB) -> None:
    _filler(kb, 40)
    for i in range(10):
        kb.ask(f"Laptop {i} fan is loud, normal?", answer="Clean it.")

    found = texts(search.search(kb.session, kb.bob, "vpn laptop password", limit=5))

    assert len(found) == 5 and all("vpn password on laptop" in text for text in found)


def test_the_newest_documents_nominated_for_common_words_are_only_those_the_person_may_see(kb: KB) -> None:
    _filler(kb, 40)
    secret = kb.conversation("G-secret", ConversationKind.PRIVATE)
    kb.join(kb.alice, secret)
    for i in range(10):  # the newest documents with every word are private
        kb.ask(f"Secret: reset the vpn password on laptop of the board member {i}?", answer="Ask IT.",
               where=secret)

    outsider = texts(search.search(kb.session, kb.bob, "vpn laptop password", limit=5))
    member = texts(search.search(kb.session, kb.alice, "vpn laptop password board", limit=5))

    assert len(outsider) == 5 and not any(text.startswith("Secret") for text in outsider)
    assert member and all(text.startswith("Secret") for text in member)
