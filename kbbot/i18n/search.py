"""Messages of the search feature, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # A shared working-out-loud post as a search result (kbbot.search.render.post_item).
    "search.post_shared": {
        "en": "💬 shared by {author} in {channel}",
        "nl": "💬 gedeeld door {author} in {channel}",
    },
    "search.post_private": {
        "en": "🔒 your own note, only you can see it",
        "nl": "🔒 je eigen notitie, alleen jij ziet die",
    },
    "search.post_week": {"en": "in week {week}", "nl": "in de week van {week}"},
}
