"""A fake Slack Web API on 127.0.0.1: real HTTP, Slack-shaped answers, every call recorded.

slack_sdk clients reach it through ``base_url`` (``SlackSettings.api_url``),
so the adapter's own HTTP stack, retry handlers and error handling run for
real; only Slack's servers are replaced. Method behaviour lives in
:mod:`fake_methods`; this module is the plumbing: parsing form or JSON
bodies, tokens (Bearer, form ``token`` or Basic auth), recording, and the
failures a test programs (``429`` with ``Retry-After``, an ``ok: false``
error, a dropped connection).

It also plays ``response_url``: ``POST /response/<name>`` is recorded as a
call of the pseudo-method ``response_url`` (Slack answers those with a plain
``ok``).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_support.fake_methods import JsonDict, SlackMethods, merge_params

RESPONSE_URL_METHOD = "response_url"


@dataclass(frozen=True)
class Call:
    """One request as the fake received it, with what it answered."""

    method: str
    params: JsonDict
    token: str | None
    status: int
    body: JsonDict
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.body.get("ok"))

    def json_param(self, name: str) -> Any:
        """``blocks``/``view`` arrive as JSON strings in form bodies and as objects in JSON bodies."""
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


@dataclass
class _Programmed:
    """A failure to answer instead of the real method, ``times`` times."""

    times: int
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: JsonDict | None = None
    drop: bool = False


class FakeSlack:
    """The server; start with :func:`running_fake_slack`."""

    def __init__(self, methods: SlackMethods | None = None) -> None:
        self.methods = methods or SlackMethods()
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._delays: dict[str, float] = {}
        self._programmed: dict[str, deque[_Programmed]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-slack", daemon=True)

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """The ``base_url`` for slack_sdk clients (ends with ``/api/``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---------------------------------------------------------------- programming
    def rate_limit(self, method: str, times: int = 1, retry_after: float = 0.05) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._program(method, _Programmed(times, 429, {"Retry-After": f"{retry_after:g}"},
                                          {"ok": False, "error": "ratelimited"}))

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        self._program(method, _Programmed(times, 200, {}, {"ok": False, "error": error}))

    def expire_response_url(self, times: int = 1) -> None:
        """Answer ``response_url`` posts like an expired or used-up one (404 ``expired_url``)."""
        self._program(RESPONSE_URL_METHOD, _Programmed(times, 404, {}, {"ok": False, "error": "expired_url"}))

    def slow(self, method: str, seconds: float) -> None:
        """Take ``seconds`` to answer every later call of ``method`` (a large workspace, a busy Slack)."""
        with self._lock:
            self._delays[method] = seconds

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection without answering: a connection error after the request was sent."""
        self._program(method, _Programmed(times, drop=True))

    def _program(self, method: str, programmed: _Programmed) -> None:
        with self._lock:
            self._programmed.setdefault(method, deque()).append(programmed)

    def _take(self, method: str) -> _Programmed | None:
        with self._lock:
            queue = self._programmed.get(method)
            if not queue:
                return None
            head = queue[0]
            head.times -= 1
            if head.times <= 0:
                queue.popleft()
            return head

    # ------------------------------------------------------------------- queries
    def calls_to(self, method: str, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` arrived (work after the ack is asynchronous)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # -------------------------------------------------------------------- serving
    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                self._serve()

            def do_POST(self) -> None:  # noqa: N802
                self._serve()

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if parts.path.startswith("/response/"):
                    params = json.loads(raw) if raw else {}
                    programmed = fake._take(RESPONSE_URL_METHOD)
                    if programmed is not None:
                        self._answer(RESPONSE_URL_METHOD, params, None, programmed, programmed.body or {})
                        return
                    self._answer(RESPONSE_URL_METHOD, params, None, _Programmed(0), {"ok": True})
                    return
                method = parts.path.removeprefix("/api/")
                time.sleep(fake._delays.get(method, 0.0))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body_params: JsonDict = json.loads(raw) if raw else {}
                else:
                    body_params = dict(parse_qsl(raw, keep_blank_values=True))
                params = merge_params(dict(parse_qsl(parts.query)), body_params)
                token, basic_client = self._credentials(params)
                params.pop("token", None)
                programmed = fake._take(method)
                if programmed is not None and programmed.drop:
                    fake._record(Call(method, params, token, 0, {"dropped": True}, time.time()))
                    self.close_connection = True
                    self.connection.close()
                    return
                if programmed is not None:
                    self._answer(method, params, token, programmed, programmed.body or {})
                    return
                body, headers = fake.methods.dispatch(method, params, token, basic_client)
                self._answer(method, params, token, _Programmed(0, 200, headers), body)

            def _credentials(self, params: JsonDict) -> tuple[str | None, str | None]:
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Bearer "):
                    return auth.removeprefix("Bearer "), None
                if auth.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                    params.setdefault("client_secret", secret)
                    return None, client_id
                return params.get("token"), None

            def _answer(self, method: str, params: JsonDict, token: str | None, how: _Programmed,
                        body: JsonDict) -> None:
                fake._record(Call(method, params, token, how.status, body, time.time()))
                payload = json.dumps(body).encode()
                self.send_response(how.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in how.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


@contextmanager
def running_fake_slack(methods: SlackMethods | None = None) -> Iterator[FakeSlack]:
    fake = FakeSlack(methods).start()
    try:
        yield fake
    finally:
        fake.stop()
