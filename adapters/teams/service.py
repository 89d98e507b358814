"""The Teams adapter wired together: the ``/api/messages`` endpoint, the ingest path, the outbound port.

What :mod:`.platform` hands out when asked, kept apart so that importing
the platform never imports botbuilder. The serving process and a worker
process build the same ingest path (:class:`kbbot.pipeline.ingest.Ingest`
with the roster step, :mod:`.roster`); they differ only in the event loop
the sends run on: the server's, or one of the worker's own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import requests
from aiohttp import ClientError, web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError
from botframework.connector.auth import AuthenticateRequestResult
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.pipeline.ingest import Ingest
from kbbot.pipeline.worker import deferred

from kbbot_adapters.teams import auth, signing_keys
from kbbot_adapters.teams.bot import RAW_ACTIVITY, KbBot
from kbbot_adapters.teams.connectors import BotbuilderKit
from kbbot_adapters.teams.graph import Graph
from kbbot_adapters.teams.owners import TeamOwners
from kbbot_adapters.teams.platform import MESSAGES_PATH
from kbbot_adapters.teams.roles import GuestRoles
from kbbot_adapters.teams.roster import RosterSync
from kbbot_adapters.teams.send import Courier, TeamsOutbound
from kbbot_adapters.teams.settings import TeamsSettings
from kbbot_adapters.teams.turns import Turns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamsService:
    """The pieces :func:`attach` wired together (tests wait on ``bot.idle()``)."""

    bot: Turns  # KbBot on botbuilder, KbAgent on the Agents SDK
    courier: Courier
    outbound: TeamsOutbound
    ingest: Ingest
    roster: RosterSync


SERVICE = web.AppKey("kbbot_teams", TeamsService)


async def authenticate(adapter: CloudAdapter, activity: Activity, header: str) -> AuthenticateRequestResult:
    """botbuilder's JWT validation; any token it cannot vouch for is a 401.

    botbuilder signals some rejections with PermissionError but lets others
    escape as whatever broke (PyJWT's errors for a bad signature or an
    expired token, an IndexError for an unknown key id); all of them mean
    "not Microsoft". Only failing to reach the OpenID metadata is our
    problem, and answers 503 so that Teams retries.
    """
    if not header.startswith("Bearer "):
        log.info("Teams request refused: no bearer token")
        raise web.HTTPUnauthorized()
    try:
        return await adapter.bot_framework_authentication.authenticate_request(activity, header)
    except PermissionError as error:  # an OSError too, so it comes first
        log.info("Teams request refused: %s", error)
        raise web.HTTPUnauthorized() from None
    except (requests.RequestException, ClientError, OSError, asyncio.TimeoutError) as error:
        log.warning("Teams request not authenticated, OpenID metadata unreachable: %s", error)
        raise web.HTTPServiceUnavailable() from None
    except Exception as error:  # noqa: BLE001 - see above: every other failure is a refusal
        log.info("Teams request refused: %s: %s", type(error).__name__, error)
        raise web.HTTPUnauthorized() from None


def courier(sessions: sessionmaker[Session], teams: TeamsSettings) -> Courier:
    """The outbound courier on the SDK ``teams.sdk`` names (``KBBOT_TEAMS_SDK``)."""
    app_id = auth.app_id(teams)
    if not app_id:
        raise ValueError("Teams is not configured: set KBBOT_TEAMS_APP_ID and KBBOT_TEAMS_APP_PASSWORD")
    if teams.sdk == "agents":
        from kbbot_adapters.teams.agents.connectors import AgentsKit

        return Courier(AgentsKit(teams), app_id, sessions)
    return Courier(BotbuilderKit(auth.cloud_adapter(teams), app_id), app_id, sessions)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or the HTTP error both SDKs' endpoints answer before any SDK sees it."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        raise web.HTTPUnsupportedMediaType()
    try:
        body = await request.json()
    except ValueError as error:
        raise web.HTTPBadRequest(text="invalid JSON") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="an activity must be a JSON object")
    return body


def ingest_path(settings: Settings, sessions: sessionmaker[Session], sender: TeamsOutbound,
                work_here: bool, graph: Graph) -> tuple[Ingest, RosterSync]:
    """The ingest path with the adapter's steps; ``work_here`` False leaves the work to worker processes."""
    roster = RosterSync(sender.courier, sender.run)
    roles = GuestRoles(sender.courier, sender.run)
    ingest = Ingest(settings, sessions, sender, steps=(roster, roles, TeamOwners(graph)), deferred=not work_here)
    roster.ingest = ingest
    return ingest, roster


def attach(web_app: web.Application, settings: Settings, sessions: sessionmaker[Session],
           teams: TeamsSettings) -> TeamsOutbound:
    """Register ``POST /api/messages`` on ``web_app``; the returned Outbound sends on its loop."""
    if teams.sdk == "agents":
        from kbbot_adapters.teams.agents.service import attach as attach_agents

        return attach_agents(web_app, settings, sessions, teams)
    sender = TeamsOutbound(courier(sessions, teams))
    graph = Graph(teams)
    ingest, roster = ingest_path(settings, sessions, sender, work_here=not deferred(settings), graph=graph)
    bot = KbBot(sessions, teams, ingest, roster, graph)
    adapter = sender.courier.kit.adapter
    keys = signing_keys.install(auth.openid_metadata_urls(teams))

    async def messages(request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        try:
            activity = Activity().deserialize(body)
        except DeserializationError as error:  # a field of the wrong shape: not an activity Teams would send
            raise web.HTTPBadRequest(text="not a Bot Framework activity") from error
        if not activity.type:
            raise web.HTTPBadRequest(text="an activity needs a type")
        # Authentication first and on its own: a request that fails it never reaches any kbbot code.
        authenticated = await authenticate(adapter, activity, request.headers.get("Authorization", ""))
        token = RAW_ACTIVITY.set(body)
        try:
            invoke = await adapter.process_activity(authenticated, activity, bot.on_turn)
        finally:
            RAW_ACTIVITY.reset(token)
        if invoke is not None:
            body = invoke.body  # plain JSON from the shared turn; a botbuilder model would need serialising
            return web.json_response(body if isinstance(body, (dict, list, type(None))) else serializer_helper(body),
                                     status=invoke.status)
        return web.Response(status=200)

    def fetch_keys() -> None:
        # The channel's keys, fetched before Teams first calls (in a thread: start-up does not wait).
        # The emulator's are for emulator and skill tokens only, which Teams never sends.
        keys[0].refresh()

    mount(web_app, messages, bot, sender, ingest, roster, fetch_keys)
    return sender


def mount(web_app: web.Application, messages: Callable[[web.Request], Awaitable[web.StreamResponse]], turns: Turns,
          sender: TeamsOutbound, ingest: Ingest, roster: RosterSync,
          on_start: Callable[[], None] | None = None) -> None:
    """What both SDKs' endpoints share: the route, the sender bound to the server's loop, an orderly stop."""

    async def started(_app: web.Application) -> None:
        sender.bind(asyncio.get_running_loop())
        if on_start is not None:
            on_start()

    async def stopping(_app: web.Application) -> None:
        await turns.idle()
        await ingest.close()
        sender.bind(None)
        await sender.courier.close()

    web_app.router.add_post(MESSAGES_PATH, messages)
    web_app.on_startup.append(started)
    web_app.on_shutdown.append(stopping)
    web_app[SERVICE] = TeamsService(bot=turns, courier=sender.courier, outbound=sender, ingest=ingest, roster=roster)


def outbound(sessions: sessionmaker[Session], teams: TeamsSettings) -> TeamsOutbound:
    """An Outbound for one-off sends (each on its own short-lived loop)."""
    return TeamsOutbound(courier(sessions, teams))


def handler(settings: Settings, sessions: sessionmaker[Session], teams: TeamsSettings) -> Ingest:
    """The ingest path for a worker process: it works on accepted events, its sends on a loop of its own."""
    sender = TeamsOutbound(courier(sessions, teams))
    loop = asyncio.new_event_loop()
    running = threading.Event()
    loop.call_soon(running.set)
    threading.Thread(target=loop.run_forever, name="kbbot-teams-sends", daemon=True).start()
    running.wait(10)
    sender.bind(loop)
    ingest, _ = ingest_path(settings, sessions, sender, work_here=True, graph=Graph(teams))
    return ingest
