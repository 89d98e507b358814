"""Working-out-loud prompt replies and buttons (filled in by the scheduler issue).

:mod:`kbbot.dispatch` offers every DM message and every button to these two
functions first; ``None`` means "not mine", so the usual routing goes on.
"""

from __future__ import annotations

from kbbot.events import ButtonClicked, MessagePosted
from kbbot.replies import Reply
from kbbot.turn import Turn


def reply_to_prompt(turn: Turn, event: MessagePosted) -> list[Reply] | None:
    """Capture a reply to a weekly prompt as a shared post; ``None`` when it is not one."""
    return None


def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """Handle the prompt's and digest's own buttons (share, just for me, prompts off)."""
    return None
