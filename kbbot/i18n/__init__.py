"""Every message a person sees, in English and Dutch side by side.

Code paths only name a key; :func:`t` picks the person's language and fills
in the values. A test checks that each key exists in both languages with the
same placeholders.
"""

from __future__ import annotations


from kbbot.i18n import catalogue, privacy, scheduling, search, variants, verification, web
from kbbot.i18n import routing, saving, welcome

# One catalogue per feature so that features can grow their messages
# independently; a key may be defined only once across all of them.
_PARTS = (catalogue, scheduling, search, variants, saving, welcome, routing, verification, web, privacy)
MESSAGES: dict[str, dict[str, str]] = {}
for _part in _PARTS:
    _clash = MESSAGES.keys() & _part.MESSAGES.keys()
    if _clash:
        raise RuntimeError(f"message keys defined twice: {sorted(_clash)}")
    MESSAGES.update(_part.MESSAGES)

LOCALES = ("en", "nl")
DEFAULT_LOCALE = "en"


class _Params(dict[str, object]):
    """Leaves an unknown placeholder visible instead of failing a user-facing reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def variant(key: str, lacks: tuple[str, ...]) -> str:
    """``key@lack`` for the first of a platform's ``lacks`` (``no_reactions``, …) the catalogue words
    differently (how one answers, accepts or upvotes is not the same everywhere), else ``key``."""
    return next((f"{key}@{lack}" for lack in lacks if f"{key}@{lack}" in MESSAGES), key)


def add_messages(messages: dict[str, dict[str, str]]) -> None:
    """Add an adapter's own messages (its platform's wording) to the catalogue, once, at import.

    A platform's messages live beside its adapter so that the core names no
    platform; the same rules hold (both languages, a key defined once).
    """
    clash = {key for key, entry in messages.items() if MESSAGES.get(key, entry) != entry}
    if clash:
        raise RuntimeError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES.update(messages)


def t(locale: str, key: str, **params: object) -> str:
    """The message ``key`` in ``locale`` (falling back to English), with ``params`` filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        raise KeyError(f"no message {key!r} in the catalogue")
    template = entry.get(locale) or entry[DEFAULT_LOCALE]
    return template.format_map(_Params(params))
