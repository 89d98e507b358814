"""Replies as plain text, for ``kbbot digest preview`` (no adapter, no button numbering needed)."""

from __future__ import annotations

from kbbot.mentions import neutralise
from kbbot.replies import Actions, ListBlock, Mentions, Reply, Text


def render(reply: Reply) -> list[str]:
    """The reply's lines roughly as a chat client shows them; buttons as ``[label]``."""
    lines: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            text = neutralise(block.text)
            if block.style == "heading":
                lines += ["", f"*{text}*"]
            elif block.style == "quote":
                lines += [f"> {line}" for line in text.splitlines() or [""]]
            elif block.style == "context":
                lines.append(f"({text})")
            else:
                lines += text.splitlines() or [""]
        elif isinstance(block, ListBlock):
            for item in block.items:
                lines.append(f" • {neutralise(item.text)}")
                if item.detail:
                    lines.append(f"   {neutralise(item.detail)}")
                if item.buttons:
                    lines.append("   " + "  ".join(f"[{neutralise(b.label)}]" for b in item.buttons))
        elif isinstance(block, Actions):
            lines.append("  ".join(f"[{neutralise(b.label)}]" for b in block.buttons))
        elif isinstance(block, Mentions):
            lines.append(f"{neutralise(block.lead)} " + " ".join(f"@{p.name or p.id}" for p in block.people))
    if not lines:
        lines.append(neutralise(reply.text))
    while lines and not lines[0]:
        lines.pop(0)
    return lines
