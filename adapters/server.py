"""``kbbot serve``: Slack, Teams and the scheduler in one aiohttp process on one port.

Each platform package offers ``plugin.configured(settings)`` and
``plugin.attach(web_app, settings, sessions) -> Outbound``; this module only
composes them, so a deployment runs one process per replica and scales out
by adding replicas against the same PostgreSQL (see ../README.md).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from types import ModuleType

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.outbound import Outbound

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams")

HOW_TO_CONFIGURE = """kbbot serve needs credentials for at least one platform.

Slack (Socket Mode, no public URL needed):
  KBBOT_SLACK_BOT_TOKEN=xoxb-…  KBBOT_SLACK_APP_TOKEN=xapp-…
Slack (HTTP mode, /slack/events on this server):
  KBBOT_SLACK_BOT_TOKEN=xoxb-…  KBBOT_SLACK_SIGNING_SECRET=…
  (or KBBOT_SLACK_CLIENT_ID / KBBOT_SLACK_CLIENT_SECRET for multi-workspace installs via /slack/install)
Microsoft Teams (/api/messages on this server):
  KBBOT_TEAMS_APP_ID=…  KBBOT_TEAMS_APP_PASSWORD=…  [KBBOT_TEAMS_APP_TYPE=SingleTenant KBBOT_TEAMS_TENANT_ID=…]

Put them in the environment or in a .env file. To try kbbot without any workspace: kbbot console"""


def plugin(platform: str) -> ModuleType:
    return importlib.import_module(f"kbbot_adapters.{platform}.plugin")


def configured_platforms(settings: Settings) -> list[str]:
    return [name for name in PLATFORMS if plugin(name).configured(settings)]


def outbounds(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> dict[str, Outbound]:
    """Outbound ports for one-off sends (``kbbot digest send --now``) without serving."""
    from kbbot_adapters.console.outbound import ConsoleOutbound

    ports: dict[str, Outbound] = {"console": ConsoleOutbound(out)}
    for name in configured_platforms(settings):
        ports[name] = plugin(name).outbound(settings, sessions)
    return ports


def build(settings: Settings, sessions: sessionmaker[Session]) -> web.Application:
    """The aiohttp application with every configured platform and the scheduler attached."""
    app = web.Application()
    ports: dict[str, Outbound] = {}
    for name in configured_platforms(settings):
        ports[name] = plugin(name).attach(app, settings, sessions)
        log.info("%s attached", name)

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "platforms": sorted(ports)})

    app.router.add_get("/healthz", health)
    if settings.scheduler_enabled:
        _attach_scheduler(app, settings, sessions, ports)
    _attach_sweeper(app, settings, sessions, ports)
    return app


def sweep_once(settings: Settings, sessions: sessionmaker[Session], ports: dict[str, Outbound]) -> int:
    """Finish events a replica accepted but never processed (it died after the ack).

    Their replies go out through the platform's outbound port, since the
    original request is long answered. Returns how many events were finished.
    """
    from kbbot import inbox
    from kbbot.clock import system_clock
    from kbbot.outbound import DeliveryFailed, RetryLater

    finished = 0
    for event in inbox.stale(sessions, system_clock(), platforms=sorted(ports)):
        try:
            replies = inbox.process(sessions, event, settings, system_clock())
        except Exception:  # counted on the row by the inbox; the other events still get their turn
            log.exception("recovering inbound event %s/%s failed", event.platform, event.event_id)
            continue
        for reply in replies:
            try:
                ports[event.platform].send(event.workspace_id, reply)
            except (DeliveryFailed, RetryLater) as error:
                log.warning("reply to recovered event %s not delivered: %s", event.event_id, error)
        finished += 1
    return finished


def _attach_sweeper(app: web.Application, settings: Settings, sessions: sessionmaker[Session],
                    ports: dict[str, Outbound], interval: float = 60.0) -> None:
    import asyncio
    import contextlib

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                finished = await asyncio.to_thread(sweep_once, settings, sessions, ports)
                if finished:
                    log.info("recovered %d unfinished inbound events", finished)
            except Exception:  # a database blip must not end the sweeper
                log.exception("sweep of unfinished inbound events failed")

    async def start(app: web.Application) -> None:
        app["kbbot.sweeper"] = asyncio.get_running_loop().create_task(loop())

    async def stop(app: web.Application) -> None:
        task = app["kbbot.sweeper"]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _attach_scheduler(app: web.Application, settings: Settings, sessions: sessionmaker[Session],
                      ports: dict[str, Outbound]) -> None:
    from kbbot.scheduler import runner

    async def start(app: web.Application) -> None:
        app["kbbot.scheduler"] = runner.start(settings, sessions, ports)

    async def stop(app: web.Application) -> None:
        handle = app.get("kbbot.scheduler")
        if handle is not None:
            handle.shutdown()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def serve(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> int:
    if not configured_platforms(settings):
        out(HOW_TO_CONFIGURE)
        return 2
    app = build(settings, sessions)
    out(f"kbbot serving {', '.join(configured_platforms(settings))} on http://{settings.host}:{settings.port}")
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0
