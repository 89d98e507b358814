"""Does the message that started a thread read as a question? English and Dutch, no model needed.

A thread in a channel's history becomes knowledge only when it began with a
question: "deploy done 🎉" with ten congratulations is not something anyone
will search for. The signals are what people write when they ask:

* a question mark in the prose (not in a link, code or platform markup);
* a marker people use to flag a question: ❓, ``#ask``, ``#vraag``, ``Q:``;
* a sentence that opens the way a question does: a question word followed by
  what follows one in a question (``how do``, ``waar staat``), or an inverted
  verb followed by its subject (``can I``, ``kun je``), see :func:`opens_a_question`;
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

WH_EN = frozenset("what what's whats why how how's when where where's who who's whom whose which".split())
AUX_EN = frozenset("""is isn't are aren't am was wasn't were weren't do does doesn't did didn't can can't could couldn't
would wouldn't should shouldn't will won't shall may might must has hasn't have haven't had to much many long often
far come""".split())
"""After an English question word, what makes it a question (``how do``, ``what is``, ``how much``); ``when the``,
``why we`` open statements and headlines instead."""
SUBJECTS_EN = frozenset("""i you we they he she it there anyone anybody someone somebody everyone this that these those
my our your their his her its people the a an any""".split())
ARTICLES = frozenset("the a an de het een".split())
VERB_FIRST_EN = frozenset("""is isn't are aren't am was wasn't were weren't do does doesn't did didn't can could would
should will won't shall may might has hasn't have haven't""".split())
"""An inverted verb opens an English question when a subject follows (``can I``, ``is there``, ``does the``)."""
NO_ARTICLE_AFTER = frozenset("have has had do did heb heeft hebben doe doet".split())
"""``have a look``, ``heb de logging aangezet``: with these an article starts an object, not a subject."""
WH_NL = frozenset("""wat waarom hoe wanneer waar wie welk welke hoeveel hoelang hoezo waarmee waarvoor waarop waarin
waarover waaraan waarvan""".split())
NOT_AFTER_WH_NL = frozenset("""de het een ik je jij u we wij jullie ze zij hij men dit dat die deze er zo langer meer
minder eerst gehakt dan""".split())
"""After a Dutch question word these start a clause (``wanneer de build klaar is``), not a question."""
VERB_FIRST_NL = frozenset("""kan kun kunnen kunt mag mogen moet moeten is zijn ben heb hebt heeft hebben wordt worden
werkt weet weten zou zouden wil wilt willen gaat gaan doe doet doen klopt snap snapt begrijp begrijpt ken kent zit
staat""".split())
SUBJECTS_NL = frozenset("""ik je jij u we wij jullie ze zij hij iemand er het de een dit dat die deze men iedereen
mijn onze jouw jullie""".split())
ASKERS = frozenset("anyone anybody someone somebody iemand".split())
"""A sentence that opens with one of these asks for one (``anyone tried …``, ``iemand ervaring met …``)."""

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
    "like to know", "want to know", "wanted to know", "need to know", "if anyone", "if anybody", "if someone",
    "someone can", "anyone can", "please advice", "pls advice", "pls advise", "recommend a", "recommend any",
    "any recommendations", "suggest a", "suggest any", "graag weten", "wil weten", "iemand aanraden",
    "wie raadt", "kan je aanraden", "kun je aanraden",
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
        if opens_a_question(_WORD.findall(sentence)):
            found.add("opener")
            break
    return found


def opens_a_question(tokens: list[str]) -> bool:
    """Whether a sentence's words, lower-cased, open the way a question does in English or Dutch.

    A question word or a verb alone is not enough (``when the build is done``,
    ``will push after lunch``, ``heb de logging aangezet``): what follows it
    must be what follows in a question.
    """
    if len(tokens) < 3:
        return False
    first, second = tokens[0], tokens[1]
    if first in ASKERS:
        return True
    if first in WH_EN and (first.endswith("'s") or second in AUX_EN or tokens[2] in AUX_EN
                           and (second in ("i", "you", "we") or first in ("which", "what", "whose"))):
        return True  # "what's the", "how do", "which region should", "what time is"
    if first in VERB_FIRST_EN and second in SUBJECTS_EN and not (first in NO_ARTICLE_AFTER and second in ARTICLES):
        return True
    if first in WH_NL and second not in NOT_AFTER_WH_NL:
        return True
    return first in VERB_FIRST_NL and second in SUBJECTS_NL and not (first in NO_ARTICLE_AFTER and second in ARTICLES)


def reads_as_question(text: str) -> bool:
    """Whether a thread that started with ``text`` is someone asking (see the module's signals)."""
    return bool(signals(text))
