"""A synthetic knowledge base for timing: workplace-flavoured English and Dutch with a Zipf vocabulary.

Real knowledge bases have a few very common words and a long tail; query cost
on both FTS5 and GIN depends on exactly that, so the generator draws words
from a Zipf distribution over a vocabulary of real workplace words followed
by a long tail of made-up project and product names.
"""

from __future__ import annotations

import bisect
import itertools
import random

WORDS = """
access account laptop password vpn reset printer meeting room book booking deploy staging production database
cluster kubernetes certificate expense travel train ticket holiday vacation leave parking coffee lunch office
floor desk monitor screen keyboard badge guest wifi network server backup restore release pipeline build test
merge branch review incident outage alert dashboard report invoice budget contract customer supplier project
team manager onboarding training course policy security phishing email calendar teams slack channel wiki
document template spreadsheet license software install update upgrade version error crash slow timeout login
werkplek werkplekken kantoor vergadering vergaderruimte wachtwoord declaratie reiskosten vergoeding verlof
vakantie thuiswerken thuiswerkvergoeding fiets fietsen parkeerplaats koffie lunch printer laptop toegang
aanvraag formulier klant project team afdeling beleid rooster storing melding netwerk server installatie
certificaat omgeving productie testomgeving release uitrol beveiliging inloggen account budget factuur
""".split()


class Vocabulary:
    """Words with Zipf weights: rank r has weight 1 / r^s."""

    def __init__(self, rng: random.Random, size: int = 30_000, exponent: float = 1.05) -> None:
        tail = [f"{rng.choice(['proj', 'svc', 'app', 'team', 'dienst', 'klant'])}{n}" for n in range(size - len(WORDS))]
        words = list(dict.fromkeys(WORDS)) + tail
        rng.shuffle(words[:200])
        self.words = words
        self.cumulative = list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, len(words) + 1)))
        self.rng = rng

    def draw(self, count: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.words[bisect.bisect_left(self.cumulative, self.rng.random() * total)] for _ in range(count)]


def question(vocabulary: Vocabulary) -> str:
    rng = vocabulary.rng
    opener = rng.choice(["How do I", "Where can I find", "Why does", "Hoe kan ik", "Waar vind ik", "Wie weet"])
    return f"{opener} {' '.join(vocabulary.draw(rng.randint(5, 14)))}?"


def answer(vocabulary: Vocabulary) -> str:
    rng = vocabulary.rng
    return " ".join(vocabulary.draw(rng.randint(8, 40))) + "."


def query_like(vocabulary: Vocabulary, existing: str) -> str:
    """A query resembling an existing question: some of its words, plus a couple of others."""
    rng = vocabulary.rng
    words = existing.rstrip("?").split()[2:]
    kept = rng.sample(words, k=max(1, len(words) // 2))
    return " ".join(kept + vocabulary.draw(rng.randint(0, 2)))
