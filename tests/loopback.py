"""An aiohttp application on 127.0.0.1, served from a thread with its own event loop.

The Slack and Teams harnesses and the fake Socket Mode server all need the
same thing: a real server the synchronous tests can talk to over HTTP, on a
loop they can also hand coroutines to.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web


class LoopbackServer:
    """Start with :meth:`start`, which builds the app on the server's own loop and binds a free port."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def start(self, build: Callable[[], web.Application]) -> int:
        """Serve the application ``build`` makes (called on the loop, so it may create loop-bound objects)."""
        self._thread.start()

        async def serve() -> None:
            self._runner = web.AppRunner(build())
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", 0).start()
            self.port = self._runner.addresses[0][1]

        self.run(serve(), timeout=10)
        return self.port

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self, before: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``before`` (closing open sockets, say), clean the app up and end the loop's thread."""
        if before is not None:
            self.run(before(), timeout=10)
        if self._runner is not None:
            self.run(self._runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()
