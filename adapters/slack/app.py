"""Builds kbbot's Bolt ``AsyncApp`` and mounts it on the shared aiohttp application.

Why ``AsyncApp``: ``kbbot serve`` is one aiohttp process (Slack, Teams and
the scheduler on one port and one event loop). Bolt's asyncio app plugs
into it without a second server, and Socket Mode's aiohttp client runs on
the same loop. The core is synchronous SQLAlchemy; it runs in the threads of
the core's :class:`~kbbot.pipeline.ingest.Ingest`, which every listener hands
its translated event to. We do not use ``AsyncApp.web_app()`` (it builds its own
aiohttp application); instead the three routes are added to the given one
with Bolt's own aiohttp request/response converters.

``process_before_response=True`` makes Bolt answer when the listener
returns instead of polling for ``ack()`` every 10 ms: the listener persists
the event, acknowledges and returns at once, and the work continues in the
ingest path's threads (or a worker process). Bolt's middleware runs first, so a request with a wrong
signature or a timestamp older than five minutes is answered 401 before any
kbbot code runs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.response import BoltResponse
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.pipeline.ingest import Ingest
from kbbot_adapters.slack import translate
from kbbot_adapters.slack.authorize import InstalledBotAuthorize, token_authorize
from kbbot_adapters.slack.clients import Tokens, async_web_client
from kbbot_adapters.slack.listeners import Listeners, context_of
from kbbot_adapters.slack.lookups import steps
from kbbot_adapters.slack.permalinks import Permalinks
from kbbot_adapters.slack.send import Origin, SlackSend, sender
from kbbot_adapters.slack.settings import SlackSettings

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

BOT_SCOPES = (
    "app_mentions:read", "channels:history", "channels:join", "channels:read", "chat:write", "commands",
    "groups:history", "groups:read", "im:history", "im:read", "im:write", "mpim:history", "mpim:read",
    "reactions:read", "users:read",
)
"""The bot scopes kbbot asks for on install; the manifest test checks ``manifest.yaml`` declares the same."""


def uses_oauth(slack: SlackSettings) -> bool:
    return slack.uses_oauth


def uses_socket_mode(slack: SlackSettings) -> bool:
    return slack.uses_socket_mode


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the Slack adapter needs a sessionmaker bound to an Engine")
    return bind


@dataclass
class SlackRuntime:
    """Everything one attached Slack app consists of; kept on the aiohttp app for tests and shutdown."""

    bolt: AsyncApp
    ingest: Ingest
    outbound: SlackSend
    """The scheduler's port: the same sends as replies to events, but impatient with rate limits."""
    socket_mode: AsyncSocketModeHandler | None = None


RUNTIME = web.AppKey("kbbot.slack", SlackRuntime)


def installations(slack: SlackSettings, sessions: sessionmaker[Session]) -> SQLAlchemyInstallationStore | None:
    """Bolt's installation store on kbbot's database when installs come through OAuth; None with one bot token."""
    if not slack.uses_oauth:
        return None
    # Imported only here: slack_sdk's SQLAlchemy stores need greenlet, which HTTP or Socket Mode
    # with a single bot token does not.
    from kbbot_adapters.slack import stores

    assert slack.client_id is not None
    return stores.installation_store(slack.client_id, engine_of(sessions))


def ingest(settings: Settings, sessions: sessionmaker[Session], slack: SlackSettings, tokens: Tokens,
           links: Permalinks | None = None, clock: Clock = system_clock, deferred: bool = False) -> Ingest:
    """The core's ingest path for Slack events: Slack's steps after the ack, the patient port for replies."""
    return Ingest(settings, sessions, sender(slack, tokens, links), steps=steps(slack, tokens), clock=clock,
                  deferred=deferred)


def build(settings: Settings, sessions: sessionmaker[Session], slack: SlackSettings | None = None,
          clock: Clock = system_clock, deferred: bool = False) -> SlackRuntime:
    """The Bolt app with kbbot's listeners, OAuth (when configured) and the outbound port.

    ``slack``: the adapter's settings (from the environment when not given).
    ``deferred``: only acknowledge here and leave the work to worker processes.
    """
    slack = slack or SlackSettings()
    if not slack.uses_socket_mode and not slack.signing_secret:
        # Never serve /slack/events without verifying who sent the request.
        raise ValueError("Slack HTTP mode needs KBBOT_SLACK_SIGNING_SECRET (or use Socket Mode)")
    installed = installations(slack, sessions)
    tokens = Tokens(slack, installed)
    links = Permalinks()
    path = ingest(settings, sessions, slack, tokens, links, clock, deferred)
    oauth_flow = None
    authorize = None
    revocation = None
    if installed is not None:
        from kbbot_adapters.slack import stores

        async_installations = stores.ThreadedInstallationStore(installed)
        oauth_flow = AsyncOAuthFlow(client=async_web_client(slack), settings=AsyncOAuthSettings(
            client_id=slack.client_id, client_secret=slack.client_secret,
            scopes=list(BOT_SCOPES), install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
            installation_store=async_installations,
            state_store=stores.ThreadedStateStore(stores.state_store(engine_of(sessions))),
            callback_options=AsyncCallbackOptions(success=lambda args: _installed(path, args),
                                                  failure=lambda args: args.default.failure(args))))
        authorize = InstalledBotAuthorize(async_installations)
        revocation = AsyncTokenRevocationListeners(async_installations)
    elif slack.bot_token:
        authorize = token_authorize(slack.bot_token)
    bolt = AsyncApp(
        name="kbbot",
        client=async_web_client(slack),
        signing_secret=slack.signing_secret or "",
        request_verification_enabled=bool(slack.signing_secret),
        oauth_flow=oauth_flow,
        authorize=authorize,
        process_before_response=True,
    )
    Listeners(path, revocation=revocation).register(bolt)
    runtime = SlackRuntime(bolt=bolt, ingest=path, outbound=sender(slack, tokens, links, patient=False))
    if slack.uses_socket_mode:
        runtime.socket_mode = AsyncSocketModeHandler(bolt, slack.app_token, web_client=async_web_client(slack))
    return runtime


async def _installed(path: Ingest, args: AsyncSuccessArgs) -> BoltResponse:
    """After Bolt stored a new installation: the workspace takes kbbot (back), then Bolt's own page."""
    found = args.installation
    if found.team_id:
        event = translate.installation(found.team_id, found.team_name, found.user_id, found.installed_at)
        try:
            await path.receive(event, context_of(Origin(user_id=found.user_id)))
        except Exception:  # the install itself succeeded; the workspace's first event will say so too
            log.exception("could not record the installation in Slack workspace %s", found.team_id)
    return await args.default.success(args)


_TIMESTAMP = re.compile(r"[0-9]{1,15}")


def malformed(request: web.Request) -> web.Response | None:
    """401 for a signature timestamp that is not a number of seconds, before Bolt reads it.

    Bolt's verifier calls ``int()`` on the header and answers an exception
    with a 500, which Slack retries. A missing header, a wrong or
    other-version signature and a stale or future timestamp are Bolt's to
    refuse (401); this only keeps garbage from reaching it.
    """
    stamp = request.headers.get("X-Slack-Request-Timestamp")
    if stamp is not None and not _TIMESTAMP.fullmatch(stamp):
        log.info("slack request with a malformed timestamp header refused")
        return web.Response(status=401, text="invalid request")
    return None


def mount(web_app: web.Application, runtime: SlackRuntime) -> None:
    """Add the HTTP routes (or the Socket Mode connection) and the shutdown hooks to ``web_app``."""
    bolt = runtime.bolt

    async def events(request: web.Request) -> web.Response:
        refused = malformed(request)
        if refused is not None:
            return refused
        try:
            bolt_request = await to_bolt_request(request)
        except UnicodeDecodeError:
            # Slack sends UTF-8; anything else is not Slack (nor signed text Bolt could check).
            return web.Response(status=400, text="the request body is not UTF-8")
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    if runtime.socket_mode is None:
        web_app.router.add_post(EVENTS_PATH, events)
    flow = bolt.oauth_flow
    if flow is not None:
        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        web_app.router.add_get(INSTALL_PATH, install)
        web_app.router.add_get(REDIRECT_PATH, redirect)

    async def start(_: web.Application) -> None:
        if runtime.socket_mode is not None:
            await runtime.socket_mode.connect_async()
            log.info("slack socket mode connected")

    async def stop(_: web.Application) -> None:
        if runtime.socket_mode is not None:
            await runtime.socket_mode.close_async()
        await runtime.ingest.close()

    web_app.on_startup.append(start)
    web_app.on_cleanup.append(stop)
    web_app[RUNTIME] = runtime
