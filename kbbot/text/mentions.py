"""Neutralising broadcast mentions in text that users wrote.

kbbot stores what people typed as they typed it, but whenever it shows that
text again it must not ping a whole channel or a user group on their behalf.
Renderers call these functions on every piece of text they render; the
platform-specific escaping (Slack's ``&<>``, Teams' HTML) comes on top.
"""

from __future__ import annotations

import re

# A word joiner (U+2060) after "@" keeps the text readable but stops every
# client from treating it as a broadcast keyword.
_JOINER = "\u2060"
_BROADCAST_WORDS = re.compile(r"@(?=(channel|here|everyone|all|team|general)\b)", re.IGNORECASE)
# Slack's special mentions: <!channel>, <!here|here>, <!everyone>, <!subteam^S123|@devs>,
# <!date…> is harmless but rendered as text too; <@U123> user mentions.
_SLACK_SPECIAL = re.compile(r"<!(?P<body>[^>]*)>")
_SLACK_USER = re.compile(r"<@(?P<body>[A-Z0-9]+(?:\|[^>]*)?)>")
_TEAMS_AT = re.compile(r"<at\b[^>]*>(?P<body>.*?)</at>", re.IGNORECASE | re.DOTALL)


def _readable_special(match: re.Match[str]) -> str:
    body = match.group("body")
    label = body.split("|", 1)[1] if "|" in body else body
    label = label.split("^", 1)[0] if label.startswith("subteam") else label
    return "@" + _JOINER + label.lstrip("@")


def neutralise(text: str) -> str:
    """Return ``text`` with every platform's broadcast syntax made inert.

    ``<!channel>`` becomes ``@⁠channel`` (with an invisible joiner), a Slack
    user-group mention keeps its label, Teams ``<at>`` tags lose their markup,
    and bare ``@channel``/``@here``/``@everyone`` get the joiner too.
    """
    # Labels can hide markup of their own (``<!x|<>!here>``): repeat until nothing changes.
    for _ in range(len(text)):
        before = text
        text = _SLACK_SPECIAL.sub(_readable_special, text)
        text = _SLACK_USER.sub(lambda m: "@" + _JOINER + m.group("body").split("|")[-1], text)
        text = _TEAMS_AT.sub(lambda m: "@" + _JOINER + m.group("body"), text)
        if text == before:
            break
    return _BROADCAST_WORDS.sub("@" + _JOINER, text)
