"""Optional reranking with sentence embeddings (``pip install kbbot[semantic]``).

Lexical search misses paraphrases ("laptop won't boot" vs "notebook does not
start"); a sentence-embedding model catches them. It is optional because the
model and its dependencies are large: without ``sentence-transformers``, or
without the model available locally, :func:`load` returns ``None`` and search
stays purely lexical, and says so once, since an operator who named a model
expects it to be used. Models are never downloaded implicitly; an operator
fetches one once and names it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

TOP = 30
"""Lexical candidates the reranker looks at (it is slow compared with the index)."""
BLEND = 0.5
"""Weight of the embedding similarity against the (max-normalised) lexical score."""


class Reranker:
    """A loaded sentence-embedding model that scores candidates against a query."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def similarities(self, query: str, texts: Sequence[str]) -> list[float]:
        """Cosine similarity of ``query`` to each of ``texts``."""
        if not texts:
            return []
        vectors = self._model.encode([query, *texts], normalize_embeddings=True, show_progress_bar=False)
        head, rest = vectors[0], vectors[1:]
        return [float(sum(a * b for a, b in zip(head, row, strict=True))) for row in rest]

    def blend(self, query: str, texts: Sequence[str], lexical: Sequence[float]) -> list[float]:
        """Scores mixing the lexical order with embedding similarity (both in 0–1)."""
        top = max(lexical, default=0.0) or 1.0
        semantic = self.similarities(query, texts)
        return [(1 - BLEND) * (score / top) + BLEND * max(0.0, sim) for score, sim in zip(lexical, semantic, strict=True)]


def available() -> bool:
    """Whether the optional dependency is installed."""
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def load(model_name: str | None, notice: Callable[[str], None] | None = None) -> Reranker | None:
    """The reranker for a locally available ``model_name``, or ``None`` (never downloads).

    When a model is named but cannot be used, ``notice`` is told why in one
    line and what to do (by default it is logged as a warning); search then
    stays lexical rather than failing.
    """
    if not model_name:
        return None
    warn = notice or log.warning  # an operator notice, English like the rest of the CLI
    if not available():
        warn("KBBOT_SEMANTIC_MODEL is set but the [semantic] extra is not installed: search stays lexical. "
            "pip install -e '.[semantic]'")
        return None
    try:
        from sentence_transformers import SentenceTransformer

        return Reranker(SentenceTransformer(model_name, local_files_only=True))
    except Exception as error:  # a missing or broken model must not break search
        warn(f"KBBOT_SEMANTIC_MODEL={model_name} is not on this machine or cannot be loaded ({_first_line(error)}): "
            f"search stays lexical. kbbot never downloads a model; fetch it once, e.g. "
            f"python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('{model_name}')\"")
        return None


def _first_line(error: Exception, limit: int = 160) -> str:
    """The gist of a loader's error: its first line, shortened (Hugging Face's run to paragraphs)."""
    line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return line if len(line) <= limit else line[:limit - 1] + "…"


_active: Reranker | None = None


def configure(reranker: Reranker | None) -> None:
    """Turn reranking on (with a loaded model) or off for this process."""
    global _active
    _active = reranker


def active() -> Reranker | None:
    return _active
