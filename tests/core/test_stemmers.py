"""The stems kbbot indexes are Snowball's, whichever implementation computes them.

snowballstemmer uses PyStemmer's C build when it is installed (a
dependency: search at a million questions spends much of its time stemming)
and its own pure-Python one otherwise. An index written by one and searched
through the other must agree, so the two must give the same stems for the
words people write, Dutch compounds, accents and identifiers included.
"""

from __future__ import annotations

import random
import string

import pytest
import snowballstemmer.dutch_porter_stemmer
import snowballstemmer.dutch_stemmer
import snowballstemmer.english_stemmer

from kbbot.search import analysis

PURE_PYTHON = {
    "english": snowballstemmer.english_stemmer.EnglishStemmer(),
    "dutch": snowballstemmer.dutch_stemmer.DutchStemmer(),
    "dutch_porter": snowballstemmer.dutch_porter_stemmer.DutchPorterStemmer(),
}
IN_USE = {"english": analysis._english, "dutch": analysis._dutch, "dutch_porter": analysis._dutch_porter}
WORDS = ("fietsen fiets wachtwoorden wachtwoord thuiswerkvergoeding vergaderruimtes werkplekken geinstalleerd "
         "koffieautomaat declaraties onkostenvergoeding reiskosten running ran runs generously deploying "
         "certificates relational proj20701 svc18870 klant3544 izuzee5 4lee0 zeeen ideeen").split()


def test_the_stemmer_in_use_is_the_fast_one() -> None:
    assert type(analysis._dutch).__module__ != "snowballstemmer.dutch_stemmer", "PyStemmer is not installed"


@pytest.mark.parametrize("algorithm", sorted(PURE_PYTHON))
def test_the_c_and_python_stemmers_agree(algorithm: str) -> None:
    rng = random.Random(algorithm)
    letters = string.ascii_lowercase + "eeaioun" + string.digits
    words = [*WORDS, *("".join(rng.choice(letters) for _ in range(rng.randint(2, 14))) for _ in range(20_000))]
    differing = [w for w in words if IN_USE[algorithm].stemWord(w) != PURE_PYTHON[algorithm].stemWord(w)]
    assert differing == []
