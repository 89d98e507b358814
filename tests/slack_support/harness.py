"""Runs the real Slack adapter (Bolt on aiohttp) on 127.0.0.1 and plays Slack's side of the requests.

The server lives in a thread with its own event loop, exactly as
``kbbot serve`` would run it; tests stay synchronous and talk to it over real
HTTP with requests signed like Slack signs them (``v0:`` HMAC-SHA256 of the
timestamp and body). Work after the ack is asynchronous, so scenario steps
call :meth:`SlackServer.settle` before looking at what Slack received.
"""

from __future__ import annotations

import copy
import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import Outbound
from kbbot.pipeline.worker import Worker, deferred
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.app import RUNTIME, SlackRuntime
from kbbot_adapters.slack.settings import SlackSettings
from loopback import LoopbackServer
from worker_thread import wait_for_worker

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def fixture(name: str, response_url: str = "") -> dict[str, Any]:
    """A payload from tests/fixtures/slack, with ``RESPONSE_URL`` filled in."""
    text = (FIXTURES / name).read_text()
    return json.loads(text.replace("RESPONSE_URL", response_url))


@dataclass(frozen=True)
class Answer:
    """Our server's HTTP answer to one request."""

    status: int
    body: str
    headers: dict[str, str]
    seconds: float
    finished_at: float = 0.0  # wall clock (time.time()), comparable with the fake's Call.at


class SlackServer:
    """One running Slack adapter; start with :func:`running_slack_server`."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], slack: SlackSettings) -> None:
        self.settings = settings
        self.sessions = sessions
        self.slack = slack
        self._server = LoopbackServer("slack-server")
        self.loop = self._server.loop
        self.port = 0
        self.outbound: Outbound | None = None
        self.web_app: web.Application | None = None
        self._triggers = 0
        # On PostgreSQL `kbbot serve` leaves the work to worker processes (kbbot/pipeline/worker.py); here the
        # worker runs in a thread of the test process, against the same database, as a process would.
        self.worker: Worker | None = None
        self._worker_stop = threading.Event()
        self._worker_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SlackServer:
        self.port = self._server.start(self._build)
        if deferred(self.settings):
            self.worker = Worker(self.settings, self.sessions, {"slack": platform.handler(self.settings, self.sessions,
                                                                                self.slack)})
            self._worker_thread = threading.Thread(target=self.worker.run, args=(self._worker_stop, 0.2),
                                                   name="kbbot-test-worker", daemon=True)
            self._worker_thread.start()
        return self

    def _build(self) -> web.Application:
        self.web_app = web.Application()
        self.outbound = platform.attach(self.web_app, self.settings, self.sessions, self.slack)
        return self.web_app

    def stop(self) -> None:
        if self.worker is not None and self._worker_thread is not None:
            self._worker_stop.set()
            self._worker_thread.join(10)
            self.worker.close()
        self._server.stop()

    def run(self, coroutine: Any, timeout: float = 30) -> Any:
        """Run a coroutine on the server's event loop and wait for its result."""
        return self._server.run(coroutine, timeout)

    @property
    def runtime(self) -> SlackRuntime:
        assert self.web_app is not None
        return self.web_app[RUNTIME]

    def settle(self, timeout: float = 30) -> None:
        """Wait until the work started by earlier requests is done (by this process or the worker)."""
        self.run(self.runtime.ingest.drain())
        if self.worker is None:
            return
        wait_for_worker(self.sessions, self.worker, timeout)

    # ------------------------------------------------------------------- requests
    def signed_headers(self, body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET,
                       content_type: str = "application/json") -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": content_type}

    def post(self, path: str, body: str, headers: dict[str, str]) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            return Answer(response.status, text, dict(response.getheaders()), time.perf_counter() - started,
                          time.time())
        finally:
            connection.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode()
            return Answer(response.status, text, {k.lower(): v for k, v in response.getheaders()},
                          time.perf_counter() - started)
        finally:
            connection.close()

    def event(self, envelope: dict[str, Any], retry_num: int | None = None, **sign: Any) -> Answer:
        """POST an Events API envelope, signed; ``retry_num`` adds Slack's retry headers."""
        body = json.dumps(envelope)
        headers = self.signed_headers(body, **sign)
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        return self.post("/slack/events", body, headers)

    def command(self, form: dict[str, Any], **sign: Any) -> Answer:
        """POST a slash command form, signed; each call gets a fresh ``trigger_id`` like Slack's."""
        self._triggers += 1
        form = {**form, "trigger_id": f"{form.get('trigger_id', 'trigger')}.{self._triggers}"}
        body = urlencode(form)
        return self.post("/slack/events", body,
                         self.signed_headers(body, content_type="application/x-www-form-urlencoded", **sign))

    def action(self, payload: dict[str, Any], **sign: Any) -> Answer:
        """POST a ``block_actions`` interaction (form field ``payload``), signed, with a fresh trigger."""
        self._triggers += 1
        payload = copy.deepcopy(payload)
        payload["trigger_id"] = f"{payload['trigger_id']}.{self._triggers}"
        body = urlencode({"payload": json.dumps(payload)})
        return self.post("/slack/events", body,
                         self.signed_headers(body, content_type="application/x-www-form-urlencoded", **sign))


@contextmanager
def running_slack_server(settings: Settings, sessions: sessionmaker[Session],
                         slack: SlackSettings) -> Iterator[SlackServer]:
    """The adapter serving on the core's ``settings`` with its own ``slack`` settings (never the environment's)."""
    server = SlackServer(settings, sessions, slack).start()
    try:
        yield server
    finally:
        server.stop()
