"""Searched words marked in what a result shows, by the search's own analysis.

A word is marked when its stems meet a query word's (so "printers" is marked
for a search on "printer", "fietsen" for "fiets"), exactly the rule by which
it matched; everything else is escaped text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from kbbot.search import analysis

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def query_terms(query: str) -> frozenset[str]:
    """Every index term of the query's words (their stems and compound parts)."""
    return frozenset(term for word in analysis.words(query) for term in analysis.primary_forms(word))


def mark(text: str, terms: Iterable[str]) -> Markup:
    """``text`` escaped, with each word matching ``terms`` wrapped in ``<mark>``."""
    wanted = frozenset(terms)
    if not wanted:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = analysis.fold(match.group())
        if 2 <= len(word) <= analysis.MAX_WORD and wanted.intersection(analysis.primary_forms(word)):
            out.append(str(escape(text[last:match.start()])))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
