"""Messages of the slack feature, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
