"""Replies as terminal text, the way a chat client would lay them out."""

from __future__ import annotations

from kbbot.text.mentions import neutralise
from kbbot.text.plaintext import lines
from kbbot.contract.replies import Button, Reply

BAR = "  │ "


class ButtonBoard:
    """Numbers the buttons shown so far, so ``:click N`` knows which one is meant."""

    def __init__(self) -> None:
        self.buttons: dict[int, tuple[Button, str | None]] = {}

    def add(self, button: Button, message_id: str | None) -> int:
        number = len(self.buttons) + 1
        self.buttons[number] = (button, message_id)
        return number


def render_blocks(reply: Reply, board: ButtonBoard, message_id: str | None) -> list[str]:
    """The reply as the console shows it: numbered buttons, so ``:click N`` can press them."""

    def numbered(button: Button) -> str:
        return f"[{board.add(button, message_id)}] {neutralise(button.label)}"

    return [BAR + line for line in lines(reply, numbered)]
