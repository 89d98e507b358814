"""Everything Microsoft, served from one threaded HTTP server on 127.0.0.1.

The real adapter, on either SDK (botbuilder, the Microsoft 365 Agents SDK),
talks to three Microsoft services, and this server plays all of them:

* the Bot Framework OpenID metadata + JWKS (``login.botframework.com``), used
  to validate inbound channel tokens;
* Azure AD's token endpoint (``login.microsoftonline.com``), used by MSAL to
  get the bot's outbound access token (client-credentials grant);
* the Bot Connector service (``smba.trafficmanager.net``), where the bot sends,
  replies to, updates and deletes activities, creates conversations and lists
  a conversation's members (``GET …/pagedmembers``, page by page, as
  documented);
* Microsoft Graph (``graph.microsoft.com/v1.0``), where the bot reads, under a
  team's resource-specific consent, who owns the team and a channel post's
  replies (:mod:`.fake_graph`).

The routes live by service: :mod:`.fake_identity` (OpenID metadata, JWKS,
Azure AD) and :mod:`.fake_connector` (the Bot Connector); this module composes
them into one server and keeps the state and the knobs tests turn.

Why a *thread* and not an aiohttp app on the test's event loop: botbuilder
does its HTTP with ``requests``, some of it blocking on the event loop (its
own OpenID metadata refresh, which kbbot moves into a thread, and MSAL's
token requests), so a fake living on that same loop would deadlock.

One port serves both plain HTTP and HTTPS (the first byte of a connection
decides: 0x16 is a TLS handshake). HTTPS exists only because MSAL insists on
an ``https://`` authority; see ``tls.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, Literal, Mapping
from urllib.parse import urlsplit

from . import ids
from .fake_connector import (
    CONNECTOR_PREFIX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    PAGE_SIZE_MIN,
    ConnectorCall,
    ConnectorRoutes,
    SentActivity,
    SentKind,
)
from .fake_graph import GRAPH_PREFIX, GraphCall, GraphRoutes, GraphTeam
from .fake_identity import AAD_DISCOVERY_SUFFIX, JWKS_PATH, OPENID_PATH, IdentityRoutes, TokenRequest, identity_route
from .keys import SigningKey, bearer, default_signing_key, sign_channel_token
from .tls import FakeCertificateAuthority, create_fake_ca

Route = Literal["connector", "token", "openid", "graph"]

__all__ = ["FakeMicrosoft", "SentActivity", "SentKind", "ConnectorCall", "TokenRequest", "Route", "GraphCall",
           "PAGE_SIZE_MIN", "PAGE_SIZE_DEFAULT", "PAGE_SIZE_MAX"]


@dataclass
class _Failure:
    route: Route
    status: int
    retry_after: float | None
    body: dict[str, Any] | None
    method: str | None
    after: int = 0


class FakeMicrosoft:
    """Fake Bot Framework + AAD + Bot Connector on ``127.0.0.1:<random port>``.

    Use as a context manager (or ``start()``/``stop()``). All recorded state is
    guarded by one lock because requests arrive on server threads.
    """

    def __init__(
        self,
        *,
        app_id: str = ids.BOT_APP_ID,
        app_password: str = ids.BOT_APP_PASSWORD,
        signing_key: SigningKey | None = None,
        extra_keys: Iterable[SigningKey] = (),
        members: Iterable[Mapping[str, Any]] = ids.DEFAULT_MEMBERS,
        personal_conversations: Mapping[str, str] = ids.DEFAULT_PERSONAL_CONVERSATIONS,
        require_connector_auth: bool = True,
    ) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.signing_key = signing_key or default_signing_key()
        self.published_keys: list[SigningKey] = [self.signing_key, *extra_keys]
        self.require_connector_auth = require_connector_auth
        #: Unique per instance: botframework-connector caches metadata per URL for a day
        #: (``JwtTokenExtractor.metadataCache``), so a reused port must not hit a stale entry.
        self.instance_tag = uuid.uuid4().hex[:12]

        self._lock = threading.Condition()
        self._sent: list[SentActivity] = []
        self._calls: list[ConnectorCall] = []
        self._token_requests: list[TokenRequest] = []
        self._failures: list[_Failure] = []
        self._issued_tokens: set[str] = set()
        self._token_scopes: dict[str, str | None] = {}
        self._graph_teams: dict[str, GraphTeam] = {}
        self._graph_calls: list[GraphCall] = []
        self._openid_fetches = 0
        self._openid_requests = 0
        self._jwks_fetches = 0
        #: Seconds the OpenID document takes to arrive (a slow login.botframework.com).
        self.openid_delay = 0.0
        self._members: dict[str | None, dict[str, dict[str, Any]]] = {None: {}}
        for member in members:
            self.add_member(member)
        self._personal_conversations = dict(personal_conversations)
        self._rosters: dict[str, dict[str, dict[str, Any]]] = {}
        self._ids = itertools.count(1)

        self._ca: FakeCertificateAuthority | None = None
        self._server: _DualProtocolServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeMicrosoft":
        self._ca = create_fake_ca()
        self._server = _DualProtocolServer(self, self._ca.server_context())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"fake-microsoft-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakeMicrosoft":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeMicrosoft is not started")
        return self._server.server_address[1]

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def https_base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_bundle_path(self) -> str:
        """PEM to put in ``REQUESTS_CA_BUNDLE`` so MSAL's ``requests`` trusts the HTTPS side."""
        if self._ca is None:
            raise RuntimeError("FakeMicrosoft is not started")
        return self._ca.ca_path

    @property
    def ca(self) -> FakeCertificateAuthority:
        if self._ca is None:
            raise RuntimeError("FakeMicrosoft is not started")
        return self._ca

    @property
    def openid_metadata_url(self) -> str:
        """Stand-in for https://login.botframework.com/v1/.well-known/openidconfiguration."""
        return f"{self.http_base}{OPENID_PATH}?instance={self.instance_tag}"

    @property
    def emulator_openid_metadata_url(self) -> str:
        """Stand-in for the emulator/skill metadata; same keys, only so nothing points at the internet."""
        return f"{self.http_base}/common/v2.0{AAD_DISCOVERY_SUFFIX}?instance={self.instance_tag}"

    @property
    def jwks_url(self) -> str:
        return f"{self.http_base}{JWKS_PATH}"

    @property
    def login_authority(self) -> str:
        """Value for ``TO_CHANNEL_FROM_BOT_LOGIN_URL``; botbuilder passes it to MSAL as ``authority``.

        ``/adfs`` is MSAL's documented convention for an authority "known to the
        developer": MSAL then skips *instance discovery*, which would otherwise
        call https://login.microsoftonline.com/common/discovery/instance. MSAL
        still does tenant discovery (``/adfs/.well-known/openid-configuration``)
        and then POSTs the client-credentials grant to the ``token_endpoint`` we
        advertise — both answered here.
        """
        return f"{self.https_base}/adfs"

    @property
    def token_endpoint(self) -> str:
        return f"{self.https_base}/adfs/oauth2/v2.0/token"

    @property
    def graph_url(self) -> str:
        """Stand-in for https://graph.microsoft.com/v1.0 (``KBBOT_TEAMS_GRAPH_URL``)."""
        return f"{self.http_base}{GRAPH_PREFIX}"

    @property
    def graph_token_url(self) -> str:
        """Stand-in for Azure AD's token endpoint per tenant (``KBBOT_TEAMS_GRAPH_TOKEN_URL``)."""
        return f"{self.http_base}/{{tenant}}/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        """serviceUrl to put in activities (and in the token's ``serviceurl`` claim).

        Has a region path like the real ``https://smba.trafficmanager.net/emea/``
        so code that builds URLs from it is checked for keeping the path.
        """
        return f"{self.http_base}/emea/"

    # ------------------------------------------------------------------ tokens
    def channel_token(self, **overrides: Any) -> str:
        """A channel->bot JWT valid for this server's keys, app id and serviceUrl.

        ``overrides`` go to :func:`keys.sign_channel_token` (``issuer=``,
        ``audience=``, ``expires_in=``, ``sign_with=``, ``service_url=None``...).
        """
        params: dict[str, Any] = {"app_id": self.app_id, "service_url": self.service_url}
        params.update(overrides)
        return sign_channel_token(self.signing_key, **params)

    def channel_auth_header(self, **overrides: Any) -> str:
        return bearer(self.channel_token(**overrides))

    # ------------------------------------------------------------------ behaviour knobs
    def fail_next(
        self,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: float | None = None,
        route: Route = "connector",
        method: str | None = None,
        body: Mapping[str, Any] | None = None,
        after: int = 0,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead of serving them.

        ``retry_after`` adds a ``Retry-After`` header (seconds). ``method``
        restricts the failure to e.g. ``"POST"``. ``body`` overrides the error
        JSON (e.g. ``{"error": {"code": "ConversationBlockedByUser"}}`` with 403).
        ``after`` lets that many matching requests through first (the second page of a list, say).
        """
        with self._lock:
            for number in range(times):
                self._failures.append(
                    _Failure(route, status, retry_after, dict(body) if body else None,
                             method.upper() if method else None, after if number == 0 else 0)
                )

    def add_member(self, member: Mapping[str, Any], conversation_id: str | None = None) -> None:
        """Make the members routes (``…/members[/{id}]``, ``…/pagedmembers``) know ``member``.

        In ``conversation_id`` only, or everywhere when it is None.
        """
        with self._lock:
            self._members.setdefault(conversation_id, {})[member["id"]] = dict(member)

    def set_roster(self, conversation_id: str, members: Iterable[Mapping[str, Any]]) -> None:
        """Make ``conversation_id`` (a private channel, say) have exactly ``members``, no global ones."""
        with self._lock:
            self._rosters[conversation_id] = {member["id"]: dict(member) for member in members}

    def set_graph_team(self, group_id: str, members: Iterable[Mapping[str, Any]] = (),
                       threads: Iterable[tuple[str, Mapping[str, Any], Iterable[Mapping[str, Any]]]] = ()) -> None:
        """Make Graph know team ``group_id`` (it consented): its ``conversationMember`` list and channel threads.

        ``threads`` are (channel id, root ``chatMessage``, reply ``chatMessage`` list). A team not set here
        answers 403, as Graph does without the team's consent.
        """
        team = GraphTeam(members=[dict(member) for member in members])
        for channel_id, root, replies in threads:
            team.threads[(channel_id, str(root["id"]))] = (dict(root), [dict(reply) for reply in replies])
        with self._lock:
            self._graph_teams[group_id] = team

    def graph_team(self, group_id: str) -> GraphTeam | None:
        with self._lock:
            return self._graph_teams.get(group_id)

    def token_scope(self, token: str) -> str | None:
        """The scope the fake Azure AD issued ``token`` for; None for a token it never issued."""
        with self._lock:
            return self._token_scopes.get(token)

    def reset(self) -> None:
        """Forget recorded traffic and pending failures (keys, members and tokens stay)."""
        with self._lock:
            self._sent.clear()
            self._calls.clear()
            self._token_requests.clear()
            self._failures.clear()
            self._graph_calls.clear()

    # ------------------------------------------------------------------ observations
    @property
    def sent(self) -> list[SentActivity]:
        with self._lock:
            return list(self._sent)

    @property
    def connector_calls(self) -> list[ConnectorCall]:
        with self._lock:
            return list(self._calls)

    @property
    def graph_calls(self) -> list[GraphCall]:
        with self._lock:
            return list(self._graph_calls)

    @property
    def token_requests(self) -> list[TokenRequest]:
        with self._lock:
            return list(self._token_requests)

    @property
    def issued_tokens(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._issued_tokens)

    def wait_for_openid_request(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until the OpenID document was asked for ``count`` times (answered or not yet)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._openid_requests < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"the OpenID document was asked for {self._openid_requests} times")
                self._lock.wait(remaining)

    @property
    def metadata_fetches(self) -> tuple[int, int]:
        """(OpenID document fetches, JWKS fetches) — shows botbuilder's metadata cache at work."""
        with self._lock:
            return self._openid_fetches, self._jwks_fetches

    def wait_for(self, count: int, timeout: float = 5.0, *, kind: SentKind | None = None) -> list[SentActivity]:
        """Block until at least ``count`` activities (of ``kind``) were sent; return them.

        Do not call this from the event loop that runs the bot — it blocks that
        loop; use :meth:`wait_for_async` there.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                matching = self._matching(kind)
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._timeout_message(count, kind, matching))
                self._lock.wait(remaining)

    async def wait_for_async(
        self, count: int, timeout: float = 5.0, *, kind: SentKind | None = None
    ) -> list[SentActivity]:
        """Like :meth:`wait_for` but yields to the event loop (for proactive/background sends)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                matching = self._matching(kind)
            if len(matching) >= count:
                return matching
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(count, kind, matching))
            await asyncio.sleep(0.02)

    def _matching(self, kind: SentKind | None) -> list[SentActivity]:
        return [item for item in self._sent if kind is None or item.kind == kind]

    def _timeout_message(self, count: int, kind: SentKind | None, got: list[SentActivity]) -> str:
        return (
            f"expected {count} sent activities (kind={kind}), got {len(got)}: {got!r}; "
            f"connector calls: {self._calls!r}; token requests: {self._token_requests!r}"
        )

    # ------------------------------------------------------------------ used by the handler thread
    def _take_failure(self, route: Route, method: str) -> _Failure | None:
        with self._lock:
            for index, failure in enumerate(self._failures):
                if failure.route == route and failure.method in (None, method):
                    if failure.after:
                        failure.after -= 1
                        return None
                    return self._failures.pop(index)
        return None

    def _next_id(self) -> str:
        # Teams activity ids are epoch milliseconds; keep that shape.
        return str(1_700_000_100_000 + next(self._ids))

    def _record_graph(self, call: GraphCall) -> None:
        with self._lock:
            self._graph_calls.append(call)

    def _record(self, call: ConnectorCall, sent: SentActivity | None = None) -> None:
        with self._lock:
            self._calls.append(call)
            if sent is not None:
                self._sent.append(sent)
            self._lock.notify_all()


class _DualProtocolServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that also accepts TLS on the same port."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeMicrosoft, tls_context: ssl.SSLContext) -> None:
        self.fake = fake
        self.tls_context = tls_context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: socket.socket, client_address: Any) -> None:  # type: ignore[override]
        request.settimeout(10)
        try:
            first = request.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first != b"\x16":  # not a TLS ClientHello: plain HTTP
            self.RequestHandlerClass(request, client_address, self)
            return
        try:
            tls_socket = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls_socket, client_address, self)
        finally:
            tls_socket.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients dropping keep-alive connections is normal; stay quiet about it.
        return


class _Handler(IdentityRoutes, ConnectorRoutes, GraphRoutes, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: _DualProtocolServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    # -- plumbing
    @property
    def fake(self) -> FakeMicrosoft:
        return self.server.fake

    def _base(self) -> str:
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self) -> dict[str, Any]:
        raw = self._body()
        return json.loads(raw) if raw else {}

    def _reply(self, status: int, payload: Any = None, headers: Mapping[str, str] | None = None) -> None:
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _fail(self, failure: _Failure) -> None:
        headers = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = f"{failure.retry_after:g}"
        body = failure.body or {"error": {"code": f"Injected{failure.status}", "message": "injected by fail_next()"}}
        self._reply(failure.status, body, headers)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    # -- routing
    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        route = identity_route(self.command, path)
        if path.startswith(GRAPH_PREFIX):
            self._graph(path)
        elif CONNECTOR_PREFIX in path:
            self._connector(path)
        elif route is not None:
            self._identity(route, path)
        else:
            self._body()
            self._reply(404, {"error": {"code": "NotFound", "message": f"{self.command} {path}"}})
