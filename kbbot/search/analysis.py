"""Text to index terms: the one analyser used for documents and queries alike.

Both backends index the *output* of this module (SQLite FTS5 with a plain
``unicode61`` tokenizer, PostgreSQL with the ``simple`` configuration), so
English and Dutch are stemmed the same way on both and ranking does not depend
on which database runs kbbot.

Every word becomes a small set of alternative terms: its English Snowball
stem and two Dutch stems (the current Snowball Dutch stemmer, applied until
it settles, which maps "fietsen" and "fiets" together, and the older
Porter-style one, which maps "wachtwoorden" to "wachtwoord"), plus the parts
of a Dutch compound. A query word matches a document word when their sets
intersect; ranking counts each query word once (see :mod:`kbbot.search.ranking`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from kbbot.search import compounds, stopwords

MAX_WORD = 40
"""Longer "words" are noise (hashes, base64, URLs run together) and are not indexed."""

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_english = snowballstemmer.stemmer("english")
_dutch = snowballstemmer.stemmer("dutch")
_dutch_porter = snowballstemmer.stemmer("dutch_porter")


def fold(text: str) -> str:
    """Lower case without accents, so "Café" and "cafe", "geïnstalleerd" and "geinstalleerd" agree."""
    if text.isascii():  # most text: nothing to decompose, and ASCII casefolds as it lowers
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text`` worth indexing, in order, stop words and noise removed.

    NUL is dropped first, as kbbot.contract.events drops it from everything it
    stores: a query "ab\\x00c" must become "abc" like the stored text, not "ab" and "c".
    """
    out = []
    for match in _WORD.finditer(fold(text.replace("\x00", ""))):
        word = match.group()
        if len(word) < 2 or len(word) > MAX_WORD or word in stopwords.ALL:
            continue
        out.append(word)
    return out


@lru_cache(maxsize=200_000)
def primary_forms(word: str) -> tuple[str, ...]:
    """The stems of the whole ``word``: English, Dutch (until settled) and Dutch Porter."""
    dutch = word
    for _ in range(3):
        again = _dutch.stemWord(dutch)
        if again == dutch:
            break
        dutch = again
    found = (_english.stemWord(word), dutch, _dutch_porter.stemWord(word))
    return tuple(dict.fromkeys(t for t in found if len(t) >= 2))


@lru_cache(maxsize=200_000)
def forms(word: str) -> tuple[str, ...]:
    """The alternative index terms of one folded ``word``: its stems, then its compound parts' stems."""
    found = list(primary_forms(word))
    for part in compounds.split(word):
        found.append(_dutch.stemWord(part))
        found.append(_dutch_porter.stemWord(part))
    return tuple(dict.fromkeys(t for t in found if len(t) >= 2))


@lru_cache(maxsize=200_000)
def split_forms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``word``'s whole-word stems and, separately, the stems of its compound parts."""
    primary = primary_forms(word)
    return primary, tuple(t for t in forms(word) if t not in primary)


def trim_caches(words: int) -> None:
    """Empty the word caches when one holds more than ``words`` words.

    They are bounded (200,000 words each, about 470 bytes a word with its
    stems), which a long-running bot never reaches; a one-off job that
    reads years of a workspace's history can (every name, id and typo is a
    word), so such a job calls this between batches to keep its memory
    lower. Emptied, they fill again with the words in use at a small cost.
    """
    caches = (primary_forms, forms, split_forms, compounds.split)
    if any(cache.cache_info().currsize > words for cache in caches):
        for cache in caches:
            cache.cache_clear()


def terms(text: str) -> list[str]:
    """All index terms of ``text`` in order (a word's forms side by side): what a document stores."""
    return [term for word in words(text) for term in forms(word)]


def document(text: str) -> str:
    """``text`` as the space-separated term string the full-text index holds."""
    return " ".join(terms(text))
