"""Scoring candidates: BM25F over the analysed fields, and a 0–1 relevance for thresholds.

The database finds candidates (FTS5 ``bm25`` or PostgreSQL ``ts_rank`` over a
GIN index); the final order is computed here, the same way on both backends,
so a knowledge base ranks identically whichever database it lives in.

* :func:`bm25f` orders results. A query word counts once even when several
  of its stems match, a match through a compound part ("vergoeding" inside
  "thuiswerkvergoeding") counts half, and each field has a weight: the
  question text matters most, tags a lot, answers less.
* :func:`relevance` is an idf-weighted Dice overlap between the query and the
  question text and tags. Unlike a BM25 score it is comparable across
  queries and knowledge-base sizes, which is what a "show a suggestion only
  above X" threshold needs.
* :func:`shared_words` counts the query words a question has. A short query
  that shares one ordinary word ("wifi password" and "rotate the staging
  password") can still reach a high relevance, so suggestions also need a
  second shared word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from kbbot.search import analysis
from kbbot.search.query import Group

K1 = 1.2
B = 0.75
PART_MATCH = 0.5
FIELD_WEIGHTS = {"text": 1.0, "tags": 1.5, "answers": 0.4}


@dataclass
class FieldTerms:
    """How often each term occurs in one field, split into whole-word stems and compound parts."""

    length: int
    primary: Counter[str] = field(default_factory=Counter)
    parts: Counter[str] = field(default_factory=Counter)
    words: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> FieldTerms:
        """The terms of ``text``; cached, because the same questions are candidates for many queries."""
        return _field_terms(text)

    def strength(self, group: Group) -> float:
        """Occurrences of the query word: whole-word matches, plus half for compound-part matches."""
        if not self.length:
            return 0.0
        primary, parts = self.primary.get, self.parts.get
        whole = max([primary(t, 0) for t in group.primary], default=0)
        partial = max([parts(t, 0) for t in group.primary] + [primary(t, 0) for t in group.parts], default=0)
        return whole + PART_MATCH * partial


@lru_cache(maxsize=20_000)
def _field_terms(text: str) -> FieldTerms:
    words = analysis.words(text)
    out = FieldTerms(length=len(words), words=frozenset(words))
    for word in words:
        primary, parts = analysis.split_forms(word)
        out.primary.update(primary)
        if parts:
            out.parts.update(parts)
    return out


@dataclass
class Candidate:
    """The analysed fields of one document (a question with its answers and tags, or a shared post)."""

    key: object
    fields: dict[str, FieldTerms]
    _strengths: dict[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def of(cls, key: object, text: str, tags: Sequence[str], answers: str = "") -> Candidate:
        return cls(key=key, fields={"text": FieldTerms.of(text), "tags": FieldTerms.of(" ".join(tags)),
                                    "answers": FieldTerms.of(answers)})

    def strength(self, name: str, group: Group) -> float:
        """:meth:`FieldTerms.strength` of field ``name``, remembered for this query's later passes."""
        key = (name, group.word)
        found = self._strengths.get(key)
        if found is None:
            found = self._strengths[key] = self.fields[name].strength(group)
        return found


def idf(doc_count: int, doc_freq: int) -> float:
    """BM25's idf, never negative: a word in every document is worth little, not less than nothing."""
    return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


def group_frequencies(query: Sequence[Group], doc_freqs: Mapping[str, int]) -> list[int]:
    """The document frequency of each query word: that of its most common stem."""
    return [max((doc_freqs.get(t, 0) for t in g.primary), default=0) for g in query]


def group_idfs(query: Sequence[Group], doc_count: int, doc_freqs: Mapping[str, int]) -> list[float]:
    """The idf of each query word, from :func:`group_frequencies`."""
    return [idf(max(doc_count, 1), found) for found in group_frequencies(query, doc_freqs)]


def bm25f(query: Sequence[Group], idfs: Sequence[float], candidates: Sequence[Candidate]) -> list[float]:
    """BM25F scores of ``candidates`` for ``query``; field lengths normalised by the candidates' average."""
    averages = {
        name: max(1.0, sum(c.fields[name].length for c in candidates) / max(1, len(candidates)))
        for name in FIELD_WEIGHTS
    }
    scores = []
    for candidate in candidates:
        total = 0.0
        for group, weight in zip(query, idfs, strict=True):
            tf = 0.0
            for name, field_weight in FIELD_WEIGHTS.items():
                occurrences = candidate.strength(name, group)
                if occurrences:
                    length = candidate.fields[name].length
                    tf += field_weight * occurrences / (1 - B + B * length / averages[name])
            if tf:
                total += weight * tf * (K1 + 1) / (K1 + tf)
        scores.append(total)
    return scores


def relevance(query: Sequence[Group], idfs: Sequence[float], candidate: Candidate) -> float:
    """How much the query and the candidate's question (text and tags) say the same thing, 0–1.

    A Dice coefficient over idf-weighted words: twice the idf mass the two
    share, over the query's mass plus the candidate's. The candidate's words
    that the query lacks are weighted with the query's mean idf (their own
    document frequencies would cost a lookup each). Unlike a BM25 score this
    is comparable across queries of any length and knowledge bases of any
    size, so one threshold can decide what ``/ask`` suggests.
    """
    mass = sum(idfs)
    if mass <= 0:
        return 0.0
    shared = 0.0
    for group, weight in zip(query, idfs, strict=True):
        best = min(1.0, max(candidate.strength("text", group), candidate.strength("tags", group)))
        shared += weight * best
    query_terms = frozenset().union(*(g.all for g in query))
    words = candidate.fields["text"].words | candidate.fields["tags"].words
    unmatched = sum(1 for word in words if query_terms.isdisjoint(analysis.forms(word)))
    candidate_mass = shared + unmatched * mass / len(idfs)
    return 2 * shared / (mass + candidate_mass)


def shared_words(query: Sequence[Group], candidate: Candidate) -> int:
    """How many words the query and the candidate's question (text and tags) have in common.

    Words match when their forms meet (stems or compound parts, as
    :func:`kbbot.search.analysis.forms` gives them). Counted on both sides and
    the larger taken, so that a Dutch compound counts for the words it joins:
    "thuiswerkvergoeding" shares two words with "vergoeding voor thuiswerken",
    and the other way round.
    """
    words = candidate.fields["text"].words | candidate.fields["tags"].words
    forms = [frozenset(analysis.forms(word)) for word in words]
    asked = sum(1 for group in query if any(not group.all.isdisjoint(f) for f in forms))
    query_terms = frozenset().union(*(g.all for g in query))
    return max(asked, sum(1 for f in forms if not query_terms.isdisjoint(f)))
