"""Dutch compound splitting: "thuiswerkvergoeding" is also about "vergoeding".

Dutch writes compounds as one word, so a colleague asking about a
"vergoeding" would never find the answer about the "thuiswerkvergoeding"
without splitting. The splitter is dictionary based: a word is split only
into parts that are all known words (optionally with the linking ``s`` or
``e``/``en`` between them), which keeps false splits such as "informatie" →
"in" + "formatie" out. The lexicon holds words common in workplace questions;
it is data and can grow.
"""

from __future__ import annotations

from functools import lru_cache

MIN_PART = 3
MIN_WORD = 7

LEXICON = frozenset("""
aanvraag account adres afdeling afspraak agenda apparaat arbeid auto badge balie bank beheer beleid bericht
bestand betaling bewijs bezoek bezoeker bier boek boeking brief budget bureau cadeau code contract cursus
data declaratie dienst document doel druk fiets formulier functie gebouw gegevens geld gesprek groep handboek
hulp huis huur inlog kaart kamer kantoor kast keuken klant koffie kosten kracht laptop lease lijst locatie
lunch mail melding middag mobiel monitor muis nummer omgeving onkosten opleiding ouderschap overleg parkeer
parkeren pas pauze personeel plaats plan plek portaal printer project rapport regeling reis reservering
ruimte salaris scherm school server sleutel software systeem tafel team telefoon thuis toegang toestel
toetsenbord trein uren verlof vergadering vergoeding verzekering vakantie wachtwoord werk werkplek wifi
ziekte ziek zorg netwerk printen scanner toilet fietsen route inwerk nieuw week maand jaar dag avond
veiligheid beveiliging wagen auto brandstof tank pensioen bonus premie loon strook opzeg termijn proef
tijd ploeg rooster vergader tas wacht woord dienst regel verzoek status storing support vraag antwoord kennis training sessie
""".split())

_LINKS = ("s", "en", "e", "")


@lru_cache(maxsize=100_000)
def split(word: str) -> tuple[str, ...]:
    """The known parts of a compound ``word`` (folded, lower case), or ``()`` if it is not one.

    Parts are returned at every level: "werkplekreservering" gives
    ("werkplek", "werk", "plek", "reservering") so a search for any of them
    finds the compound.
    """
    if len(word) < MIN_WORD:
        return ()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        known_head = _known_head(head)
        if known_head is None:
            continue
        tail_parts = (tail,) if _known(tail) else split(tail)
        if not tail_parts:
            continue
        return tuple(dict.fromkeys((known_head, *split(known_head), *tail_parts)))
    return ()


def _known_head(head: str) -> str | None:
    for link in _LINKS:
        if link and not head.endswith(link):
            continue
        base = head[: len(head) - len(link)] if link else head
        if len(base) >= MIN_PART and _known(base):
            return base
    return None


def _known(part: str) -> bool:
    """A lexicon word, or its plural/inflected form (``-en``, ``-s``, ``-e``, ``-n``)."""
    if part in LEXICON:
        return True
    for ending in ("en", "s", "e", "n"):
        if part.endswith(ending) and part[: -len(ending)] in LEXICON:
            return True
    # Dutch doubles a consonant before -en (plek → plekken) and drops a vowel (straat → straten).
    return part.endswith("en") and len(part) > 4 and part[-3] == part[-4] and part[:-3] in LEXICON
