"""Replies as terminal text, the way a chat client would lay them out."""

from __future__ import annotations

from kbbot.mentions import neutralise
from kbbot.replies import Actions, Button, ListBlock, Mentions, Reply, Text

BAR = "  │ "


class ButtonBoard:
    """Numbers the buttons shown so far, so ``:click N`` knows which one is meant."""

    def __init__(self) -> None:
        self.buttons: dict[int, tuple[Button, str | None]] = {}

    def add(self, button: Button, message_id: str | None) -> int:
        number = len(self.buttons) + 1
        self.buttons[number] = (button, message_id)
        return number


def _button_line(buttons: list[Button], board: ButtonBoard, message_id: str | None) -> str:
    return "   ".join(f"[{board.add(b, message_id)}] {neutralise(b.label)}" for b in buttons)


def render_blocks(reply: Reply, board: ButtonBoard, message_id: str | None) -> list[str]:
    lines: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            text = neutralise(block.text)
            if block.style == "heading":
                lines.append(f"*{text}*")
            elif block.style == "quote":
                lines.extend(f"> {line}" for line in text.splitlines() or [""])
            elif block.style == "context":
                lines.append(f"({text})")
            else:
                lines.extend(text.splitlines() or [""])
        elif isinstance(block, ListBlock):
            for item in block.items:
                lines.append(f" • {neutralise(item.text)}")
                if item.detail:
                    lines.append(f"   {neutralise(item.detail)}")
                if item.buttons:
                    lines.append("   " + _button_line(item.buttons, board, message_id))
        elif isinstance(block, Actions):
            lines.append(_button_line(block.buttons, board, message_id))
        elif isinstance(block, Mentions):
            people = " ".join(f"@{neutralise(p.name or p.id)}" for p in block.people)
            lines.append(f"{neutralise(block.lead)} {people}")
    if not lines:
        lines.append(neutralise(reply.text))
    return [BAR + line for line in lines]
