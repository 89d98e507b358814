"""Replies as plain text: the console's chat and ``kbbot digest preview`` read the same way.

Every user-written string passes through :func:`kbbot.text.mentions.neutralise`
here, so no plain-text surface can re-broadcast a mass mention.
"""

from __future__ import annotations

from collections.abc import Callable

from kbbot.text.mentions import neutralise
from kbbot.contract.replies import Actions, Button, ListBlock, Mentions, Reply, Text


def bracketed(button: Button) -> str:
    """A button as text where nothing can press it (a preview)."""
    return f"[{neutralise(button.label)}]"


def lines(reply: Reply, button: Callable[[Button], str] = bracketed) -> list[str]:
    """The reply's lines roughly as a chat client shows them; ``button`` renders each button."""
    out: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            text = neutralise(block.text)
            if block.style == "heading":
                out += ["", f"*{text}*"]
            elif block.style == "quote":
                out += [f"> {line}" for line in text.splitlines() or [""]]
            elif block.style == "context":
                out.append(f"({text})")
            else:
                out += text.splitlines() or [""]
        elif isinstance(block, ListBlock):
            for item in block.items:
                out.append(f" • {neutralise(item.text)}")
                if item.detail:
                    out.append(f"   {neutralise(item.detail)}")
                out += [f"     · {neutralise(line)}" for line in item.lines]
                if item.buttons:
                    out.append("   " + "   ".join(map(button, item.buttons)))
        elif isinstance(block, Actions):
            out.append("   ".join(map(button, block.buttons)))
        elif isinstance(block, Mentions):
            out.append(f"{neutralise(block.lead)} " + " ".join(f"@{neutralise(p.name or p.id)}" for p in block.people))
    if not out:
        out.append(neutralise(reply.text))
    while out and not out[0]:
        out.pop(0)
    return out
