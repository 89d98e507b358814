"""The botbuilder bot behind ``/api/messages``: botbuilder's turn handed to the shared :class:`.turns.Turns`.

botbuilder has already validated the caller's JWT when :meth:`KbBot.on_turn`
runs; everything kbbot does with the activity is :meth:`.turns.Turns.receive`,
the same code the Agents SDK backend runs (:mod:`.agents.service`). The only
botbuilder-specific part left is wrapping an invoke's answer in botbuilder's
``invokeResponse`` activity.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import Bot, TurnContext
from botbuilder.schema import Activity, ActivityTypes, InvokeResponse

from kbbot_adapters.teams.turns import RAW_ACTIVITY, InvokeReply, Turns

__all__ = ["KbBot", "RAW_ACTIVITY", "InvokeReply"]


class KbBot(Turns, Bot):
    """The shared turn as botbuilder's :class:`~botbuilder.core.Bot`."""

    async def on_turn(self, context: TurnContext) -> None:
        raw = RAW_ACTIVITY.get()
        activity: dict[str, Any] = raw if raw is not None else context.activity.serialize()
        reply = await self.receive(activity)
        if reply is not None:
            await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                 value=InvokeResponse(status=reply.status, body=reply.body)))
