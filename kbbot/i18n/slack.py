"""Messages of the slack feature, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "slack.not_in_channel": {
        "en": "kbbot can't post in this channel yet. Invite it with /invite @kbbot, then ask again.",
        "nl": "kbbot kan nog niet in dit kanaal posten. Nodig het uit met /invite @kbbot en stel je vraag opnieuw.",
    },
}
