"""Any text a person types is a valid search: results or an empty list, never an error, on both backends.

Hypothesis mixes arbitrary Unicode with the characters and words that mean
something to FTS5 or to PostgreSQL's ``tsquery`` (quotes, ``NEAR``, ``*``,
``^``, ``:``, ``&``, ``|``, ``!``, ``<->``, parentheses, lone ``AND``/``OR``/
``NOT``), emoji and control characters. The same text is also stored as a
question, so odd text on the indexing side is covered too.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_search_support import KB, kb, shared_sessions  # noqa: F401 - fixtures

from kbbot.config import MAX_TEXT_LENGTH
from kbbot.services import search

SYNTAX = ['"', "'", "NEAR", "NEAR(", "*", "^", ":", "-", "+", "(", ")", "AND", "OR", "NOT", "&", "|", "!",
          "<->", "<2>", "\\", "%", "_", "{", "}", "[", "]", "col:", "text:", "a*", "\x00", "\n", "\t", "🚀", "👍🏽",
          "e\u0301", "ß", "İ", "ﬁ", "\u200b", "NEAR/3", "' | '", "':*", "vpn", "werkplekken", "password"]

fragments = st.one_of(st.sampled_from(SYNTAX), st.text(max_size=12))
queries = st.lists(fragments, max_size=12).map(" ".join) | st.text(max_size=300)


def _noise(seed: int) -> str:
    """4,000 characters of mixed syntax, words and random code points."""
    rng = random.Random(seed)
    pieces: list[str] = []
    while sum(map(len, pieces)) < MAX_TEXT_LENGTH:
        pieces.append(rng.choice(SYNTAX) if rng.random() < 0.5 else chr(rng.randint(0x20, 0x2FFF)))
    return "".join(pieces)[:MAX_TEXT_LENGTH]


def _stocked(kb: KB) -> None:
    kb.ask("How do I reset my VPN password?", answer="Self-service portal.", accepted=True)
    kb.ask("Hoe reserveer ik een werkplek?", answer="Via de app.")
    kb.share("Notes on NEAR queries and \"quotes\"", where=kb.channel)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries)
def test_any_text_searches_without_error(kb: KB, text: str) -> None:
    if not kb.session.info.get("stocked"):
        _stocked(kb)
        kb.session.info["stocked"] = True
    with kb.session.begin_nested():
        assert isinstance(search.search(kb.session, kb.bob, text), list)
        assert isinstance(search.suggest(kb.session, kb.bob, text, [text[:20]]), list)
        assert isinstance(search.find(kb.session, kb.bob, text), list)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=queries)
@example(text="00\x000")  # stored as "000": the query must lose its NUL the same way, not split into "00" and "0"
def test_any_text_can_be_indexed_and_found_again(kb: KB, text: str) -> None:
    with kb.session.begin_nested() as savepoint:
        question = kb.ask(text.replace("\x00", "") or "?", answer=text.replace("\x00", "") or "!")
        found = search.search(kb.session, kb.bob, text, limit=50)
        # Whatever words survived analysis must find the question that holds them.
        if search.terms(text):
            assert question.id in [h.question.id for h in found]
        savepoint.rollback()


def test_four_thousand_characters_of_noise(kb: KB) -> None:
    _stocked(kb)
    for seed in range(3):
        noise = _noise(seed)
        assert len(noise) == MAX_TEXT_LENGTH
        assert isinstance(search.search(kb.session, kb.bob, noise), list)
        assert isinstance(search.suggest(kb.session, kb.bob, noise, []), list)
        assert isinstance(search.search_posts(kb.session, kb.bob, noise), list)


def test_syntax_alone_returns_an_empty_list(kb: KB) -> None:
    _stocked(kb)
    for text in ['"', "*", "NOT", "AND OR", "(", ")", "NEAR(", "':*", "!", "<->", "", "   ", "🚀🚀", "\x00"]:
        assert search.search(kb.session, kb.bob, text) == []


def test_syntax_around_real_words_still_finds_them(kb: KB) -> None:
    _stocked(kb)
    for text in ['"vpn password"', "vpn* AND password", "NEAR(vpn password)", "password:*", "-vpn", "(vpn)",
                 "vpn | password & !reset", "🔑 VPN-wachtwoord? password!!"]:
        assert [h.question.text for h in search.search(kb.session, kb.bob, text)][:1] == [
            "How do I reset my VPN password?"], text
