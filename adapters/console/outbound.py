"""The console's outbound port: scheduled prompts and digests printed to the terminal.

Lets ``kbbot digest send --now`` and the scheduler run on a machine with no
workspace configured, which is how a newcomer sees what a digest looks like.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from kbbot.contract.replies import Reply
from kbbot_adapters.console.render import ButtonBoard, render_blocks


class ConsoleOutbound:
    """Prints each reply with its destination; message ids are a running number."""

    platform = "console"

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out = out
        self.board = ButtonBoard()
        self._ids = itertools.count(1)

    def send(self, workspace_id: str, reply: Reply) -> str | None:
        message_id = f"out.{next(self._ids)}"
        if reply.dm_to:
            target = f"DM to {reply.dm_to}"
        elif reply.conversation_id:
            target = f"#{reply.conversation_id.removeprefix('C-')}"
        else:
            target = "nowhere"
        if reply.replaces is not None:
            target += f" (updating the card of question {reply.replaces.id})"
        self.out(f"kbbot → {target} ({workspace_id}):")
        self.out("\n".join(render_blocks(reply, self.board, message_id)))
        return message_id
