"""Neutralising broadcast mentions in text that users wrote, and naming the people it mentions.

kbbot stores what people typed as they typed it, but whenever it shows that
text again it must not ping a whole channel or a user group on their behalf.
Renderers call :func:`neutralise` on every piece of text they render; the
platform's own escaping comes on top; each platform states its mention markup
in its :class:`~kbbot.contract.platform.Capabilities`.

A mention of one person that carries only their platform id (``<@U123>``)
would read as that id; :func:`name_people` turns it into ``@`` and their name
before a reply is rendered (see :mod:`kbbot.presentation.people`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from kbbot.contract import platform

# A word joiner (U+2060) after "@" keeps the text readable but stops every
# client from treating it as a broadcast keyword.
_JOINER = "\u2060"
_BROADCAST_WORDS = re.compile(r"@(?=(channel|here|everyone|all|team|general)\b)", re.IGNORECASE)


@cache
def _markup() -> tuple[re.Pattern[str], ...]:
    """Every installed platform's mention markup (its capabilities say it), compiled once.

    All of them, not only the platform a text came from: text travels (an
    export, a digest preview in the console), and markup that means nothing
    on one platform is harmless to make inert there.
    """
    return tuple(re.compile(pattern, re.IGNORECASE | re.DOTALL)
                 for found in platform.platforms() for pattern in found.capabilities.mention_markup)


def _readable(match: re.Match[str]) -> str:
    label = match.groupdict().get("label")
    if label is None:
        label = match.group(0).strip("<>!@")
    return "@" + _JOINER + label.lstrip("@")


def neutralise(text: str) -> str:
    """Return ``text`` with every platform's mention markup and broadcast words made inert.

    Markup becomes its readable label after an ``@`` and a word joiner
    (``<!channel>`` on Slack reads ``@⁠channel``), and bare
    ``@channel``/``@here``/``@everyone`` get the joiner too.
    """
    patterns = _markup()
    # Labels can hide markup of their own (``<!x|<>!here>``): repeat until nothing changes.
    for _ in range(len(text)):
        before = text
        for pattern in patterns:
            text = pattern.sub(_readable, text)
        if text == before:
            break
    return _BROADCAST_WORDS.sub("@" + _JOINER, text)


@cache
def _user_markup() -> tuple[re.Pattern[str], ...]:
    """Every installed platform's markup for one person by id (``Capabilities.user_mention``), compiled once."""
    return tuple(re.compile(found.capabilities.user_mention, re.IGNORECASE)
                 for found in platform.platforms() if found.capabilities.user_mention)


def user_mention_patterns() -> tuple[re.Pattern[str], ...]:
    """Every platform's markup for a person by id; its ``id`` group is the platform id (for erasure)."""
    return _user_markup()


def user_mentions(text: str) -> set[str]:
    """The platform ids of the people ``text`` mentions by id."""
    return {match.group("id") for pattern in _user_markup() for match in pattern.finditer(text)}


def name_people(text: str, names: Mapping[str, str], unknown: str) -> str:
    """``text`` with each mention of one person by id as ``@`` and their name from ``names``.

    Someone not in ``names`` keeps the label the markup carries, if any, else
    becomes ``unknown`` (a neutral "@someone"): an id is never shown. The
    result is plain text, no mention; broadcast markup is left for
    :func:`neutralise`, which every renderer still applies.
    """

    def named(match: re.Match[str]) -> str:
        name = names.get(match.group("id"))
        if name:
            return "@" + name
        label = (match.groupdict().get("label") or "").strip().lstrip("@")
        return "@" + label if label else unknown

    for pattern in _user_markup():
        text = pattern.sub(named, text)
    return text
