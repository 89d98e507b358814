"""Does the message that started a thread read as a question? English and Dutch, no model needed.

A thread in a channel's history becomes knowledge only when it began with a
question: "deploy done 🎉" with ten congratulations is not something anyone
will search for. The signals are what people write when they ask:

* a question mark in the prose (not in a link, code or platform markup);
* a marker people use to flag a question: ❓, ``#ask``, ``#vraag``, ``Q:``;
* a sentence that opens with a question word (``how``, ``waarom``) or an
  inverted verb (``can``, ``kun``), except the imperatives and exclamations
  that look like one (``do not``, ``wat een``);
* a request phrase anywhere (``does anyone know``, ``weet iemand``, ``ik zoek``).

Tuned and measured on the SemEval-2016 question set (recall) and on
non-questions written for the purpose (precision): see bench/RESULTS.md and
tests/importing/test_question_detector.py.
"""

from __future__ import annotations

import re
import unicodedata

_MARKUP = re.compile(r"<[^<>\s][^<>]*>")  # a platform's link or mention markup: <https://x?y|z>, <@U1>
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_SENTENCE = re.compile(r"[.!?？\n;:]+\s*")
_WORD = re.compile(r"[\w']+", re.UNICODE)
QUESTION_MARKS = ("?", "？", "¿")
MARKERS = ("❓", "❔", "#ask", "#question", "#vraag", "#help", "#howto", "[q]", "q:", "vraag:", "question:", "vraagje:")

OPENERS = frozenset("""
what what's whats why how how's when where where's who who's whom whose which
is isn't are aren't am was wasn't were weren't do does doesn't did didn't can can't could couldn't would wouldn't
should shouldn't will won't shall may might must has hasn't have haven't had anyone anybody someone somebody
wat waarom hoe wanneer waar wie welk welke hoeveel hoelang hoezo waarmee waarvoor waarop waarin waarover waaraan
waarvan kan kun kunnen kunt mag mogen moet moeten zijn ben heb heeft hebben wordt worden werkt weet weten zou
zouden wil wilt willen gaat gaan klopt snapt begrijpt iemand
""".split())
"""Words that open a question in English or Dutch, as the first word of a sentence."""

NOT_OPENING = (("do", "not"), ("don't",), ("wat", "een"), ("hoe", "dan"), ("who", "cares"), ("is", "live"),
               ("is", "back"), ("is", "down"), ("is", "up"), ("are", "live"), ("will", "be"), ("zijn", "er", "weer"),
               ("is", "er", "weer"), ("must", "read"), ("have", "a"), ("have", "fun"), ("heb", "een"),
               ("heb", "je"), ("wordt", "vervolgd"), ("gaat", "goed"), ("kan", "gebeuren"), ("wil", "even"),
               ("moet", "nog"), ("heeft", "niet"), ("is", "gefixt"), ("is", "gedeployed"), ("werkt", "weer"),
               ("can", "confirm"), ("would", "love"), ("should", "be"), ("may", "the"), ("might", "be"),
               ("what", "a"), ("how", "cool"), ("how", "nice"), ("how", "we"), ("how", "i"))
"""Openings that look like a question but are a statement, an imperative or an exclamation."""

REQUESTS = (
    "anyone know", "anybody know", "does anyone", "does anybody", "has anyone", "has anybody", "any idea",
    "any ideas", "any tips", "any advice", "any suggestions", "any recommendation", "can someone", "could someone",
    "can anyone", "could anyone", "can somebody", "is there a way", "is there any", "i was wondering",
    "wondering if", "wondering whether", "help needed", "need help", "need some help", "need advice",
    "looking for advice", "looking for a", "looking for someone", "please advise", "how do i", "how do you",
    "how can i", "how to ", "not sure how", "not sure if", "not sure whether", "trying to figure out",
    "can you recommend", "please help", "pls help", "someone help", "who knows", "who can",
    "weet iemand", "weet er iemand", "heeft iemand", "heeft er iemand", "kan iemand", "kan er iemand",
    "iemand een idee", "iemand ervaring", "iemand tips", "ik zoek", "op zoek naar", "hulp nodig", "wie kan",
    "wie weet", "wie heeft", "tips voor", "advies nodig", "vraagje", "vraag over", "ik vroeg me af",
    "vraag me af", "hoe moet ik", "hoe kan ik", "weet niet hoe", "niet zeker of", "iemand die weet",
)
"""Phrases that ask for something wherever they stand in the message."""


def prose(text: str) -> str:
    """The words people wrote, without links, code or markup (where a ``?`` asks nothing)."""
    text = unicodedata.normalize("NFKC", text)
    return _URL.sub(" ", _MARKUP.sub(" ", _CODE.sub(" ", text)))


def signals(text: str) -> set[str]:
    """Which of the signals the text shows: ``mark``, ``marker``, ``opener``, ``request``."""
    found: set[str] = set()
    raw = unicodedata.normalize("NFKC", text).casefold()
    if any(marker in raw for marker in MARKERS if marker not in ("q:", "vraag:", "question:", "vraagje:")) \
            or raw.lstrip().startswith(("q:", "vraag:", "question:", "vraagje:")):
        found.add("marker")
    words = prose(text).casefold()
    if any(mark in words for mark in QUESTION_MARKS):
        found.add("mark")
    padded = " " + " ".join(_WORD.findall(words)) + " "
    if any(f" {phrase.strip()} " in padded or (phrase.endswith(" ") and f" {phrase}" in padded)
           for phrase in REQUESTS):
        found.add("request")
    for sentence in _SENTENCE.split(words):
        tokens = _WORD.findall(sentence)
        if tokens and tokens[0] in OPENERS and len(tokens) >= 3 \
                and not any(tuple(tokens[:len(no)]) == no for no in NOT_OPENING):
            found.add("opener")
            break
    return found


def reads_as_question(text: str) -> bool:
    """Whether a thread that started with ``text`` is someone asking (see the module's signals)."""
    return bool(signals(text))
