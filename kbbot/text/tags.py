"""Tag spelling: one canonical form per topic.

``#Kubernetes``, `` kubernetes ``, ``K8s`` and ``k8s`` must all land on the
same tag, otherwise expertise and search fragment. Normalising is pure (and
property-tested); aliases live in the database so admins can add their own.
A mention is never a tag: ``@here`` or ``<!channel>`` names people, not a topic.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TAG_LENGTH = 64
_SEPARATORS = re.compile(r"[\s_/]+")
_NOT_ALLOWED = re.compile(r"[^\w+#.\-]", re.UNICODE)
_DASHES = re.compile(r"-{2,}")
# "@here", "@bob"; and every platform's mention markup, whole or cut in two by a space: Slack's
# "<!channel>", "<@U123>", "<#C123|general>", Teams' "<at>Bob Smith</at>". No topic has "<" or ">" in its name.
_MENTION = re.compile(r"^@|[<>]")


def _step(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("#").strip()
    text = _DASHES.sub("-", _NOT_ALLOWED.sub("", _SEPARATORS.sub("-", text)))
    # A leading dot is part of a name (.net); a trailing one is punctuation ("#python.").
    return text[:MAX_TAG_LENGTH].lstrip("-#").rstrip("-.")


def is_mention(raw: str) -> bool:
    """Whether ``raw`` is a mention (or a piece of one) rather than a topic, with or without a leading ``#``."""
    return bool(_MENTION.search(unicodedata.normalize("NFKC", raw).strip().lstrip("#").strip()))


def normalise(raw: str) -> str | None:
    """Canonical spelling of a tag, or ``None`` if nothing usable is left.

    Lower-cases (``casefold``), drops leading ``#``, turns spaces, underscores
    and slashes into dashes, keeps letters, digits and ``+ # . -`` (so ``c++``,
    ``c#`` and ``.net`` survive), and trims dashes at the ends and dots at the end. The
    result normalises to itself. A mention (:func:`is_mention`) is ``None``: stripped of its
    markup it would pass for a topic (``<!here>`` as ``here``).
    """
    if is_mention(raw):
        return None
    text = _step(raw)
    # Case folding and NFKC can expose characters that need another pass
    # (``ß`` → ``ss``, compatibility forms); a few rounds always settle it.
    for _ in range(4):
        again = _step(text)
        if again == text:
            break
        text = again
    return text or None
