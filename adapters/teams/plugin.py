"""What ``kbbot serve`` and the CLI need from the Teams adapter, and nothing botbuilder-shaped.

* :func:`configured`: are there Teams credentials?
* :func:`attach`: serve ``POST /api/messages`` on the shared aiohttp app and
  return the Outbound that sends on that app's loop;
* :func:`outbound`: an Outbound for one-off sends without a server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.outbound import Outbound

from . import auth
from .bot import RAW_ACTIVITY, KbBot
from .delivery import Courier
from .outbound import TeamsOutbound

MESSAGES_PATH = "/api/messages"


@dataclass(frozen=True)
class TeamsService:
    """The pieces :func:`attach` wired together (tests wait on ``bot.idle()``)."""

    bot: KbBot
    courier: Courier
    outbound: TeamsOutbound


SERVICE = web.AppKey("kbbot_teams", TeamsService)


def configured(settings: Settings) -> bool:
    """App id + password, or a user-assigned managed identity (client id + tenant)."""
    return auth.configured(settings)


def _courier(settings: Settings, sessions: sessionmaker[Session]) -> Courier:
    app_id = auth.app_id(settings)
    if not app_id:
        raise ValueError("Teams is not configured: set KBBOT_TEAMS_APP_ID and KBBOT_TEAMS_APP_PASSWORD")
    return Courier(auth.cloud_adapter(settings), app_id, sessions)


def attach(web_app: web.Application, settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
    """Register ``POST /api/messages`` on ``web_app``; the returned Outbound sends on its loop."""
    courier = _courier(settings, sessions)
    bot = KbBot(sessions, settings, courier)
    sender = TeamsOutbound(courier)
    adapter = courier.adapter

    async def messages(request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType()
        try:
            body = await request.json()
        except ValueError as error:
            raise web.HTTPBadRequest(text="invalid JSON") from error
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="an activity must be a JSON object")
        token = RAW_ACTIVITY.set(body)
        try:
            # botbuilder validates the JWT first and raises 401 before our bot sees anything.
            response = await adapter.process(request, bot)  # type: ignore[attr-defined]
        finally:
            RAW_ACTIVITY.reset(token)
        return response if response is not None else web.Response(status=200)

    async def started(_app: web.Application) -> None:
        sender.bind(asyncio.get_running_loop())

    async def stopping(_app: web.Application) -> None:
        await bot.idle()
        sender.bind(None)

    web_app.router.add_post(MESSAGES_PATH, messages)
    web_app.on_startup.append(started)
    web_app.on_shutdown.append(stopping)
    web_app[SERVICE] = TeamsService(bot=bot, courier=courier, outbound=sender)
    return sender


def outbound(settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
    """An Outbound for one-off sends (each on its own short-lived loop)."""
    return TeamsOutbound(_courier(settings, sessions))
