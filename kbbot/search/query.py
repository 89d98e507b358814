"""A person's search text as a bounded, always-valid query.

Nothing a person types reaches the database as query syntax: the text goes
through the same analyser as documents, so quotes, ``NEAR``, ``*``, ``-``,
``AND``/``OR``, parentheses, colons, emoji and control characters simply do
not survive into the terms. Each remaining word becomes a :class:`Group` of
alternative terms; the backends quote every term themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kbbot.search import analysis

MAX_GROUPS = 32
"""Query words kept (the first distinct ones): bounds query cost for 4,000-character pastes."""


@dataclass(frozen=True)
class Group:
    """One query word: the terms that count as the word itself, and those that count as a compound part."""

    word: str
    primary: frozenset[str]
    parts: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        return self.primary | self.parts


def word_group(word: str, synonym: str | None = None) -> Group:
    """The :class:`Group` of a folded ``word`` as :func:`analysis.forms` sees it.

    A ``synonym`` (the tag an alias such as ``k8s`` stands for) adds its own
    terms, so a search for "k8s" finds questions about "kubernetes".
    """
    found = set(analysis.forms(word))
    primary = set(analysis.primary_forms(word))
    for other in analysis.words(synonym or ""):
        found.update(analysis.forms(other))
        primary.update(analysis.primary_forms(other))
    return Group(word=word, primary=frozenset(primary), parts=frozenset(found - primary))


def query_words(text: str, extra_words: Iterable[str] = ()) -> list[str]:
    """The folded words of ``text`` and of ``extra_words`` (e.g. tags), in order."""
    return [*analysis.words(text), *(w for extra in extra_words for w in analysis.words(extra))]


def groups(text: str, extra_words: Iterable[str] = (), synonyms: Mapping[str, str] | None = None) -> list[Group]:
    """The query groups of ``text`` (plus ``extra_words``, e.g. tags), distinct and bounded."""
    seen: dict[str, Group] = {}
    for word in query_words(text, extra_words):
        if word in seen:
            continue
        group = word_group(word, (synonyms or {}).get(word))
        if any(group.primary & other.primary for other in seen.values()):
            continue
        seen[word] = group
        if len(seen) >= MAX_GROUPS:
            break
    return list(seen.values())

