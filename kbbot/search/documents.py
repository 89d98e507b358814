"""What the full-text backends store: documents already analysed into index terms.

Kept apart from :mod:`kbbot.search.backend` so that the backends depend on
these plain values and the interface alone, and nothing imports in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionDoc:
    """A question as indexed: its text, its live answers and its tags, each already analysed."""

    id: int
    text: str
    answers: str
    tags: str


@dataclass(frozen=True)
class PostDoc:
    """A shared working-out-loud post as indexed."""

    id: int
    text: str
    tags: str
