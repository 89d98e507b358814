"""Slack's Socket Mode side on 127.0.0.1: a WebSocket server that pushes envelopes and collects acks.

The fake Web API's ``apps.connections.open`` hands out this server's URL,
so Bolt's real ``AsyncSocketModeHandler`` (slack_sdk's aiohttp Socket Mode
client) connects to it exactly as it would to ``wss://wss-primary.slack.com``.
Like Slack, the server greets with ``hello``, sends envelopes
(``events_api``, ``slash_commands``, ``interactive``) and expects each to be
acknowledged with its ``envelope_id``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from aiohttp import WSMsgType, web
from loopback import LoopbackServer


class FakeSocketMode:
    """Start with :meth:`start`; ``url`` goes into ``apps.connections.open``'s answer."""

    def __init__(self) -> None:
        self._server = LoopbackServer("fake-socket-mode")
        self.loop = self._server.loop
        self._sockets: list[web.WebSocketResponse] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id=A_KBBOT"

    def start(self) -> FakeSocketMode:
        self.port = self._server.start(self._build)
        return self

    def _build(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/link/", self._connection)
        return app

    def stop(self) -> None:
        async def close_sockets() -> None:
            for socket in list(self._sockets):
                await socket.close()

        self._server.stop(before=close_sockets)

    async def _connection(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                                          "connection_info": {"app_id": "A_KBBOT"}}))
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                if "envelope_id" in ack:
                    self.acks[ack["envelope_id"]] = ack
        self._sockets.remove(socket)
        return socket

    def wait_connected(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise TimeoutError("the Socket Mode client never connected")
            time.sleep(0.01)

    def push(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0) -> str:
        """Send one envelope (``events_api``, ``slash_commands`` or ``interactive``); return its id."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "payload": payload, "type": kind,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}
        self._server.run(self._sockets[-1].send_str(json.dumps(envelope)), timeout=5)
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any] | None:
        """The client's acknowledgement of an envelope, or ``None`` if it never came."""
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acks and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.acks.get(envelope_id)
