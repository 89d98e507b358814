"""The Teams :class:`~kbbot.contract.outbound.Outbound`: proactive sends for the scheduler.

The scheduler calls :meth:`TeamsOutbound.send` from a worker thread, while
botbuilder's clients live on the server's event loop. When a loop is bound
(``kbbot serve``), the send runs there and the worker waits for it; without
one (a one-off ``kbbot`` command) each send runs on a loop of its own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from kbbot.contract.outbound import RetryLater
from kbbot.pipeline.outbox import Parcel
from kbbot.contract.replies import Reply

from kbbot_adapters.teams.send import Courier
from kbbot_adapters.teams.translate import Origin

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
        return self._run(lambda: self.send_async(workspace_id, reply))

    def resend(self, parcel: Parcel) -> str | None:
        """Deliver a reply left in the outbox where its activity came from, as the bot would have.

        Without the origin a recovered question card would open a new channel
        post instead of going under the asker's, and a pressed button's card
        would be posted again instead of updated.
        """
        origin = stored_origin(parcel.context)

        async def again() -> str | None:
            return await self.courier.send(self.courier.batch(origin), parcel.workspace_id, parcel.reply, origin)

        return self._run(again)

    def _run(self, work: Callable[[], Coroutine[Any, Any, str | None]]) -> str | None:
        """On the bound loop, waiting for it from this thread; on a loop of its own when none is bound."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return asyncio.run(work())
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise RuntimeError("TeamsOutbound.send would block its own event loop; await send_async instead")
        future = asyncio.run_coroutine_threadsafe(work(), loop)
        try:
            return future.result(timeout=SEND_TIMEOUT)
        except concurrent.futures.TimeoutError as error:
            future.cancel()
            raise RetryLater("Teams send timed out", retry_after=30.0) from error


def stored_origin(context: Mapping[str, Any]) -> Origin | None:
    """The Origin stored with a reply (see TeamsBot); None for replies stored without one.

    Fields another kbbot version added are left out rather than losing the
    whole origin; one missing that this version needs means there is none.
    """
    if not context:
        return None
    known = {field.name for field in dataclasses.fields(Origin)}
    try:
        return Origin(**{key: value for key, value in context.items() if key in known})
    except TypeError:
        return None
