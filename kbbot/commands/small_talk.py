"""Small talk typed to kbbot: thanks and greetings, which are not questions.

Anything typed to the bot that is not a command is read as a question and
offered to colleagues. "thanks!", "top, dank je" or "hoi" are not questions:
they get a short friendly reply instead (:func:`small_talk` says which).

The test is small on purpose and errs towards "question": a word list in
English and Dutch that the message must start with, no question mark, no
question word and few words. A question that starts with "thanks" still has
a question word or a question mark; a thanks the list misses is offered as a
question, which the person can decline.
"""

from __future__ import annotations

import re
from typing import Literal

SmallTalk = Literal["thanks", "hello"]

MAX_WORDS = 6
"""Longer than this, a message says something more than thanks or hello."""
_MAX_CHARACTERS = 200

# What may follow these: more small talk, a friendly tail, or a name ("thanks Bob, that helps!", "hoi allemaal").
_PHRASES: dict[str, SmallTalk] = {
    **dict.fromkeys(["thanks", "thank you", "thank u", "thankyou", "thx", "thnx", "tnx", "ty", "many thanks",
                     "cheers", "much appreciated", "appreciated", "bedankt", "dank", "dank je", "dank je wel",
                     "dankjewel", "dankje", "dank u", "dank u wel", "dankuwel", "merci", "thanks a lot"], "thanks"),
    **dict.fromkeys(["hi", "hello", "hey", "hiya", "hoi", "hallo", "hey there", "good morning", "good afternoon",
                     "good evening", "morning", "goedemorgen", "goedemiddag", "goedenavond", "dag", "moi",
                     "goeiemorgen", "goeiemiddag"], "hello"),
}
# Acknowledgements that are small talk only alone or followed by more small talk: "top, dank je" is,
# "top 10 kafka metrics" is not.
_ACKNOWLEDGEMENTS = frozenset([
    "ok", "okay", "oke", "oké", "okido", "great", "top", "super", "perfect", "nice", "cool", "awesome", "excellent",
    "brilliant", "lovely", "prima", "fijn", "mooi", "helder", "duidelijk", "geweldig", "toppie", "great job",
    "good job", "well done", "nice one", "goed zo", "helemaal goed", "got it", "understood", "begrepen",
    "👍", "🙏", "👌", "🙂", "😊", "😀", "😄", "🎉", "💯", "❤", "✅", "🙌",
])
_TAILS = frozenset([
    "that helps", "that helped", "this helps", "that's great", "for the help", "for your help", "for that", "a lot",
    "so much", "very much", "all", "everyone", "team", "there", "allemaal", "iedereen", "dat helpt",
    "dat hielp", "voor de hulp", "voor je hulp", "heel erg", "hartelijk", "zeer",
])
MAX_NAME_WORDS = 2
"""Unknown words a thanks or greeting may carry (a name, "thanks Anna Visser"); more says something else."""
_QUESTION_WORDS = frozenset([
    "how", "what", "why", "where", "when", "who", "whom", "whose", "which", "can", "could", "would", "should",
    "hoe", "wat", "waarom", "waar", "wanneer", "wie", "welke", "welk", "kan", "kun", "kunt", "kunnen", "moet",
])
# Emoji variation selectors and skin tones: "👍🏽" is "👍".
_MODIFIERS = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")
_TOKENS = re.compile(r"[\w'’]+|[^\w\s]")
_LONGEST = max(len(phrase.split()) for phrase in [*_PHRASES, *_ACKNOWLEDGEMENTS, *_TAILS])


def small_talk(text: str) -> SmallTalk | None:
    """``"thanks"`` or ``"hello"`` when ``text`` is only that, ``None`` for anything that may be a question."""
    if "?" in text or "？" in text or len(text) > _MAX_CHARACTERS:
        return None
    tokens = _TOKENS.findall(_MODIFIERS.sub("", text.casefold()))
    words = [token for token in tokens if token[0].isalnum() or token[0] == "_"]
    if not tokens or len(words) > MAX_WORDS or _QUESTION_WORDS.intersection(words):
        return None
    return _read(tokens)


def _read(tokens: list[str]) -> SmallTalk | None:
    """Acknowledgements, each standing alone, then perhaps a thanks or greeting with a friendly tail or a name."""
    found: SmallTalk | None = None
    at = 0
    while at < len(tokens):
        if not _is_word(tokens[at]) and tokens[at] not in _ACKNOWLEDGEMENTS:
            at += 1  # punctuation between pieces of small talk
            continue
        length, kind = _phrase_at(tokens, at)
        if kind is not None:
            return kind if _only_friendly(tokens[at + length:]) else None
        if length == 0:
            return None  # a word that is not small talk
        at += length
        found = "thanks"
        if at < len(tokens) and _is_word(tokens[at]) and _phrase_at(tokens, at) == (0, None):
            return None  # "top 10 kafka metrics": an acknowledgement followed by something else
    return found


def _only_friendly(tokens: list[str]) -> bool:
    """What follows a thanks or greeting: small talk, a friendly tail and at most a name ("hi, the vpn is
    broken" is a question in the making, "thanks Bob, that helps!" is not)."""
    unknown = 0
    at = 0
    while at < len(tokens):
        if not _is_word(tokens[at]) and tokens[at] not in _ACKNOWLEDGEMENTS:
            at += 1
            continue
        length, _kind = _phrase_at(tokens, at)
        tail = next((n for n in range(min(_LONGEST, len(tokens) - at), 0, -1)
                     if " ".join(tokens[at:at + n]) in _TAILS), 0)
        step = max(length, tail)
        if step == 0:
            unknown += 1
            step = 1
        at += step
    return unknown <= MAX_NAME_WORDS


def _phrase_at(tokens: list[str], at: int) -> tuple[int, SmallTalk | None]:
    """The longest thanks or greeting (its length, its kind) or acknowledgement (its length, ``None``) at ``at``."""
    for length in range(min(_LONGEST, len(tokens) - at), 0, -1):
        phrase = " ".join(tokens[at:at + length])
        if phrase in _PHRASES:
            return length, _PHRASES[phrase]
        if phrase in _ACKNOWLEDGEMENTS:
            return length, None
    return 0, None


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"
