"""The Teams :class:`~kbbot.outbound.Outbound`: proactive sends for the scheduler.

The scheduler calls :meth:`TeamsOutbound.send` from a worker thread, while
botbuilder's clients live on the server's event loop. When a loop is bound
(``kbbot serve``), the send runs there and the worker waits for it; without
one (a one-off ``kbbot`` command) each send runs on a loop of its own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures

from kbbot.outbound import RetryLater
from kbbot.replies import Reply

from .delivery import Courier

SEND_TIMEOUT = 120.0


class TeamsOutbound:
    """Sends one reply in one tenant, by stored conversation references."""

    platform = "teams"

    def __init__(self, courier: Courier) -> None:
        self.courier = courier
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Run sends on ``loop`` from now on (None: a fresh loop per send)."""
        self._loop = loop

    async def send_async(self, workspace_id: str, reply: Reply) -> str | None:
        """The same as :meth:`send`, for code already on the event loop."""
        return (await self.courier.deliver(workspace_id, [reply], None, keep_going=False))[0]

    def send(self, workspace_id: str, reply: Reply) -> str | None:
        """Deliver ``reply``; the activity id Teams gave it. Raises RetryLater / DeliveryFailed."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return asyncio.run(self.send_async(workspace_id, reply))
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("TeamsOutbound.send would block its own event loop; await send_async instead")
        future = asyncio.run_coroutine_threadsafe(self.send_async(workspace_id, reply), loop)
        try:
            return future.result(timeout=SEND_TIMEOUT)
        except concurrent.futures.TimeoutError as error:
            future.cancel()
            raise RetryLater("Teams send timed out", retry_after=30.0) from error
