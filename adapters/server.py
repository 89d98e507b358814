"""``kbbot serve``: Slack, Teams and the scheduler in one aiohttp process on one port.

Each platform package offers ``plugin.configured(settings)`` and
``plugin.attach(web_app, settings, sessions) -> Outbound``; this module only
composes them, so a deployment runs one process per replica and scales out
by adding replicas against the same PostgreSQL (see ../README.md).
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Mapping
from types import ModuleType

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.outbound import Outbound
from kbbot.worker import Handler, worker_count

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
    workers = worker_count(settings)
    if workers and handlers(settings, sessions):
        _attach_workers(app, settings, workers)
    return app


def handlers(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Handler]:
    """What worker processes do per platform; platforms without one (Teams) work in the serving process."""
    found: dict[str, Handler] = {}
    for name in configured_platforms(settings):
        module = plugin(name)
        if hasattr(module, "handler"):
            found[name] = module.handler(settings, sessions)
    return found


def sweep_once(settings: Settings, sessions: sessionmaker[Session], ports: dict[str, Outbound],
               workers: Mapping[str, Handler] | None = None) -> int:
    """Finish what a process left behind: events accepted but never handled, replies never delivered.

    An event goes to the platform's worker handler where there is one (it
    knows how to answer the original request); otherwise its replies go out
    through the platform's outbound port. Returns how many events were finished.
    """
    from kbbot import inbox, outbox
    from kbbot.clock import system_clock

    workers = workers or {}

    def through_port(parcel: outbox.Parcel) -> object:
        return ports[parcel.platform].send(parcel.workspace_id, parcel.reply)

    finished = 0
    for found in inbox.waiting(sessions, system_clock(), inbox.STALE_AFTER, platforms=sorted(ports)):
        event = found.event
        try:
            if event.platform in workers:
                workers[event.platform].work(found)
            else:
                parcels = inbox.process_to_outbox(sessions, event, settings, system_clock(), found.context)
                outbox.deliver(sessions, parcels, through_port, system_clock)
        except Exception:  # counted on the row by the inbox; the other events still get their turn
            log.exception("recovering inbound event %s/%s failed", event.platform, event.event_id)
            continue
        finished += 1
    parcels = outbox.due(sessions, system_clock(), platforms=sorted(ports))
    for platform in sorted({parcel.platform for parcel in parcels}):
        send = workers[platform].resend if platform in workers else through_port
        outbox.deliver(sessions, [parcel for parcel in parcels if parcel.platform == platform], send, system_clock)
    return finished


def _attach_sweeper(app: web.Application, settings: Settings, sessions: sessionmaker[Session],
                    ports: dict[str, Outbound], interval: float = 60.0) -> None:
    import asyncio
    import contextlib

    sweepers = handlers(settings, sessions)

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                finished = await asyncio.to_thread(sweep_once, settings, sessions, ports, sweepers)
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


def _attach_workers(app: web.Application, settings: Settings, count: int) -> None:
    from kbbot_adapters.workers import Supervisor

    async def start(app: web.Application) -> None:
        # Children read the same environment and .env; the database is passed on in case it came from --database-url.
        supervisor = Supervisor(count, {"KBBOT_DATABASE_URL": settings.database_url})
        app["kbbot.workers"] = supervisor
        await supervisor.start()

    async def stop(app: web.Application) -> None:
        supervisor = app.get("kbbot.workers")
        if supervisor is not None:
            await supervisor.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def serve(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> int:
    if not configured_platforms(settings):
        out(HOW_TO_CONFIGURE)
        return 2
    app = build(settings, sessions)
    workers = worker_count(settings) if handlers(settings, sessions) else 0
    helpers = f", with {workers} worker process{'es' if workers != 1 else ''}" if workers else ""
    out(f"kbbot serving {', '.join(configured_platforms(settings))} on http://{settings.host}:{settings.port}"
        f"{helpers}")
    web.run_app(app, host=settings.host, port=settings.port, print=None,
                access_log=web.access_logger if settings.access_log else None)
    return 0


def work(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> int:
    """``kbbot worker``: take accepted events from the database until SIGTERM or Ctrl-C."""
    import signal
    import threading

    from kbbot.worker import Worker, lower_priority

    found = handlers(settings, sessions)
    if not found:
        out(HOW_TO_CONFIGURE)
        return 2
    lower_priority(settings.worker_nice)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    worker = Worker(settings, sessions, found, threads=settings.worker_threads)
    out(f"kbbot worker for {', '.join(sorted(found))} (pid {os.getpid()})")
    try:
        worker.run(stop)
    finally:
        worker.close()
    return 0
