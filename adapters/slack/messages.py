"""The Slack adapter's own messages, English and Dutch side by side (same rules as kbbot/i18n/catalogue.py).

They name Slack's own ways (``/invite``), so they live beside the adapter and join
the catalogue when the adapter is imported.
"""

from __future__ import annotations

from kbbot.i18n import add_messages

MESSAGES: dict[str, dict[str, str]] = {
    "slack.not_in_channel": {
        "en": "kbbot can't post in this channel yet. Invite it with /invite @kbbot, then ask again.",
        "nl": "kbbot kan nog niet in dit kanaal posten. Nodig het uit met /invite @kbbot en stel je vraag opnieuw.",
    },
}

add_messages(MESSAGES)
