"""The optional semantic reranker: absent by default, never downloads, and reorders when configured."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest
from test_search_support import KB, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.search import semantic
from kbbot.services import search


class ConceptEncoder:
    """A stand-in for a sentence-embedding model: one dimension per concept, words mapped to concepts.

    It lets the test check what the reranker does with similarities without
    a model download; the real model is exercised by the test below when one
    is available locally.
    """

    CONCEPTS = {"laptop": 0, "notebook": 0, "computer": 0, "start": 1, "boot": 1, "demo": 2, "server": 2}

    def encode(self, texts: Sequence[str], normalize_embeddings: bool = True, show_progress_bar: bool = False
               ) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0, 0.0, 0.0]
            for word in text.casefold().replace("?", " ").replace("'", " ").split():
                if word in self.CONCEPTS:
                    vector[self.CONCEPTS[word]] += 1.0
            norm = sum(v * v for v in vector) ** 0.5 or 1.0
            vectors.append([v / norm for v in vector])
        return vectors


@pytest.fixture
def reranking() -> Iterator[None]:
    semantic.configure(semantic.Reranker(ConceptEncoder()))
    yield
    semantic.configure(None)


def test_search_is_lexical_unless_a_reranker_is_configured() -> None:
    assert semantic.active() is None
    # Never a download: a model that is not on this machine simply means "no reranking".
    assert semantic.load("kbbot-test/definitely-not-a-local-model") is None
    assert semantic.load(None) is None


def _two_equally_lexical_questions(kb: KB) -> None:
    # Both share only "start" with the query and are equally long, so lexically they tie.
    kb.ask("My laptop does not start in the morning", answer="Hold the power button.")
    kb.ask("Start the demo server", answer="Run make demo.")


def test_a_configured_reranker_brings_the_paraphrase_up(kb: KB, reranking: None) -> None:
    _two_equally_lexical_questions(kb)
    hits = search.search(kb.session, kb.bob, "computer won't start")
    assert texts(hits) == ["My laptop does not start in the morning", "Start the demo server"]


def test_without_reranking_the_same_query_is_lexical(kb: KB) -> None:
    _two_equally_lexical_questions(kb)
    hits = search.search(kb.session, kb.bob, "computer won't start")
    assert hits[0].score == hits[1].score  # a lexical tie, broken by recency
    assert texts(hits) == ["Start the demo server", "My laptop does not start in the morning"]


def test_a_real_local_model_when_installed(kb: KB) -> None:
    pytest.importorskip("sentence_transformers", reason="the [semantic] extra is not installed")
    name = os.environ.get("KBBOT_TEST_SEMANTIC_MODEL")
    if not name:
        pytest.skip("set KBBOT_TEST_SEMANTIC_MODEL to a locally cached sentence-transformers model")
    reranker = semantic.load(name)
    assert reranker is not None
    sims = reranker.similarities("laptop does not start", ["notebook won't boot", "lunch menu"])
    assert sims[0] > sims[1]
