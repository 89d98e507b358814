"""``kbbot serve``: every configured platform and the scheduler in one aiohttp process on one port.

Platforms come from the registry (:mod:`kbbot.contract.platform`, entry points
``kbbot.platforms``): each says whether it is ``configured()`` and
``attach(web_app, settings, sessions)`` serves it and returns its Outbound.
This module only composes them, so a deployment runs one process per replica
and scales out by adding replicas against the same PostgreSQL (see ../README.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.contract.outbound import Outbound
from kbbot.contract.platform import Platform
from kbbot.pipeline import liveness, quiet_logs
from kbbot.pipeline.worker import Handler, worker_count
from kbbot.scheduler import housekeeping
from kbbot.scheduler.jobs import PRUNE_EVERY
from kbbot_adapters.hosting.workers import Supervisor, follow_parent_out

log = logging.getLogger(__name__)

SWEEPER = web.AppKey("kbbot.sweeper", asyncio.Task)
SCHEDULER = web.AppKey("kbbot.scheduler", object)
HEARTBEAT = web.AppKey("kbbot.heartbeat", liveness.Heartbeat)

HANDLER_ARGS = {"max_line_size": 32_768}
"""A request line up to 32 KB: a web search pasted too long gets the knowledge base's own page saying so."""

HOW_TO_CONFIGURE = """kbbot serve needs credentials for at least one platform.

Slack (Socket Mode, no public URL needed):
  KBBOT_SLACK_BOT_TOKEN=xoxb-…  KBBOT_SLACK_APP_TOKEN=xapp-…
Slack (HTTP mode, /slack/events on this server):
  KBBOT_SLACK_BOT_TOKEN=xoxb-…  KBBOT_SLACK_SIGNING_SECRET=…
  (or KBBOT_SLACK_CLIENT_ID / KBBOT_SLACK_CLIENT_SECRET for multi-workspace installs via /slack/install)
Microsoft Teams (/api/messages on this server):
  KBBOT_TEAMS_APP_ID=…  KBBOT_TEAMS_APP_PASSWORD=…  [KBBOT_TEAMS_APP_TYPE=SingleTenant KBBOT_TEAMS_TENANT_ID=…]

Put them in the environment or in a .env file. To try kbbot without any workspace: kbbot console"""


def plugin(name: str) -> Platform:
    """The registered platform called ``name`` (adapters register by entry point; see adapters/README.md)."""
    found = platform.get(name)
    if found is None:
        raise LookupError(f"no platform {name!r} is installed")
    return found


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms with credentials here, each by its own settings (the environment or .env)."""
    return [found.name for found in platform.platforms() if found.configured()]


def outbounds(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> dict[str, Outbound]:
    """Outbound ports for one-off sends (``kbbot digest send --now``) without serving."""
    from kbbot_adapters.console.send import ConsoleScreen

    ports: dict[str, Outbound] = {"console": ConsoleScreen(out)}
    for name in configured_platforms(settings):
        ports[name] = plugin(name).outbound(settings, sessions)
    return ports


def http_process_count(settings: Settings) -> int:
    """Processes acknowledging on the port: as configured, else two on PostgreSQL and one on SQLite."""
    import socket

    if not hasattr(socket, "SO_REUSEPORT"):  # Windows: one process per port
        return 1
    if settings.http_processes is not None:
        return settings.http_processes
    return 1 if settings.database_url.startswith("sqlite") else 2


def build(settings: Settings, sessions: sessionmaker[Session], sibling: bool = False) -> web.Application:
    """The aiohttp application with every configured platform and the scheduler attached.

    A ``sibling`` is one of the extra processes sharing the port: it only
    acknowledges (and works where there are no workers); the scheduler,
    the sweeper and the supervision of children stay with the first process.
    """
    app = web.Application()
    ports: dict[str, Outbound] = {}
    for name in configured_platforms(settings):
        ports[name] = plugin(name).attach(app, settings, sessions)
        log.info("%s attached", name)

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "platforms": sorted(ports)})

    app.router.add_get("/healthz", health)
    from kbbot.web.app import attach as attach_web

    attach_web(app, settings, sessions)  # the knowledge base in a browser, under /kb/ (kbbot/web/)
    _attach_heartbeat(app, sessions)
    if sibling:
        return app
    if settings.scheduler_enabled:
        _attach_scheduler(app, settings, sessions, ports)
    # Without the scheduler its housekeeping job does not run: the sweeper prunes instead.
    _attach_sweeper(app, settings, sessions, ports, prune=not settings.scheduler_enabled)
    # Children read the same environment and .env; the database is passed on in case it came from --database-url.
    env = {"KBBOT_DATABASE_URL": settings.database_url}
    workers = worker_count(settings)
    if workers and workable(settings):
        _attach_children(app, Supervisor(workers, env, ("worker",)))
    siblings = http_process_count(settings) - 1
    if siblings > 0:
        _attach_children(app, Supervisor(siblings, env, ("serve", "--sibling")))
    return app


def workable(settings: Settings) -> list[str]:
    """Configured platforms whose work worker processes can do (the others work in the serving process)."""
    return [name for name in configured_platforms(settings) if callable(getattr(plugin(name), "handler", None))]


def handlers(settings: Settings, sessions: sessionmaker[Session]) -> dict[str, Handler]:
    """What worker processes do per platform; platforms without one (Teams) work in the serving process."""
    return {name: plugin(name).handler(settings, sessions) for name in workable(settings)}


def sweep_once(settings: Settings, sessions: sessionmaker[Session], ports: dict[str, Outbound],
               workers: Mapping[str, Handler] | None = None) -> int:
    """Finish what a process left behind: events accepted but never handled, replies never delivered.

    An event goes to the platform's worker handler where there is one (it
    knows how to answer the original request); otherwise its replies go out
    through the platform's outbound port. Returns how many events were finished.
    """
    from kbbot.pipeline import inbox, outbox
    from kbbot.clock import system_clock

    workers = workers or {}

    finished = 0
    for found in inbox.waiting(sessions, system_clock(), inbox.STALE_AFTER, platforms=sorted(ports)):
        event = found.event
        try:
            if event.platform in workers:
                workers[event.platform].work(found)
            else:
                parcels = inbox.process_to_outbox(sessions, event, settings, system_clock(), found.context)
                outbox.deliver(sessions, parcels, outbox.through(ports[event.platform]), system_clock)
        except Exception:  # counted on the row by the inbox; the other events still get their turn
            log.exception("recovering inbound event %s/%s failed", event.platform, event.event_id)
            continue
        finished += 1
    parcels = outbox.due(sessions, system_clock(), platforms=sorted(ports))
    for name in sorted({parcel.platform for parcel in parcels}):
        send = workers[name].resend if name in workers else outbox.through(ports[name])
        outbox.deliver(sessions, [parcel for parcel in parcels if parcel.platform == name], send, system_clock)
    return finished


def _attach_sweeper(app: web.Application, settings: Settings, sessions: sessionmaker[Session],
                    ports: dict[str, Outbound], interval: float = 60.0, prune: bool = False) -> None:
    import contextlib

    from kbbot.pipeline.worker import deferred

    if deferred(settings):
        # Workers take every pending event and every reply left in the outbox of the platforms they
        # serve; doing that here too would put work back on the acknowledging process's GIL.
        left_to_workers = workable(settings)
        ports = {name: port for name, port in ports.items() if name not in left_to_workers}
        sweepers: dict[str, Handler] = {}
    else:
        sweepers = handlers(settings, sessions)

    async def loop() -> None:
        # Pruning is the scheduler's housekeeping job (kbbot/scheduler/jobs.py); this loop does it only
        # where the scheduler is off, on the same hourly rhythm.
        next_prune = 0.0
        while True:
            await asyncio.sleep(interval)
            if prune and asyncio.get_running_loop().time() >= next_prune:
                next_prune = asyncio.get_running_loop().time() + PRUNE_EVERY
                try:
                    await asyncio.to_thread(housekeeping.prune_once, sessions)
                except Exception:
                    log.exception("pruning handled events failed")
            try:
                finished = await asyncio.to_thread(sweep_once, settings, sessions, ports, sweepers)
                if finished:
                    log.info("recovered %d unfinished inbound events", finished)
            except Exception:  # a database blip must not end the sweeper
                log.exception("sweep of unfinished inbound events failed")
            quiet_logs.flush()  # how often each failure repeated since it was last told

    async def start(app: web.Application) -> None:
        app[SWEEPER] = asyncio.get_running_loop().create_task(loop())

    async def stop(app: web.Application) -> None:
        task = app[SWEEPER]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _attach_heartbeat(app: web.Application, sessions: sessionmaker[Session]) -> None:
    """Every serving process beats: the replies it stored are taken over as soon as it is gone, not 15 min later."""
    async def start(app: web.Application) -> None:
        app[HEARTBEAT] = liveness.Heartbeat(sessions, "serve").start()

    async def stop(app: web.Application) -> None:
        heartbeat = app.get(HEARTBEAT)
        if heartbeat is not None:
            await asyncio.to_thread(heartbeat.close)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _attach_scheduler(app: web.Application, settings: Settings, sessions: sessionmaker[Session],
                      ports: dict[str, Outbound]) -> None:
    from kbbot.scheduler import runner

    async def start(app: web.Application) -> None:
        app[SCHEDULER] = runner.start(settings, sessions, ports)

    async def stop(app: web.Application) -> None:
        handle = app.get(SCHEDULER)
        if handle is not None:
            handle.shutdown()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def _attach_children(app: web.Application, supervisor: Supervisor) -> None:
    async def start(app: web.Application) -> None:
        await supervisor.start()

    async def stop(app: web.Application) -> None:
        await supervisor.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


def serve(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None],
          sibling: bool = False) -> int:
    if not configured_platforms(settings):
        out(HOW_TO_CONFIGURE)
        return 2
    follow_parent_out()
    quiet_logs.install()  # a database outage: one traceback per kind of failure, then a count per interval
    shared = sibling or http_process_count(settings) > 1
    if shared and not sibling and not _port_free(settings.host, settings.port):
        out(f"kbbot: port {settings.port} on {settings.host} is already in use (KBBOT_PORT chooses another)")
        return 2
    app = build(settings, sessions, sibling)
    if not sibling:
        workers = worker_count(settings) if workable(settings) else 0
        processes = http_process_count(settings)
        out(f"kbbot serving {', '.join(configured_platforms(settings))} on http://{settings.host}:{settings.port}"
            f" ({processes} HTTP process{'es' if processes != 1 else ''}, {workers} worker"
            f"{'s' if workers != 1 else ''})")
        from kbbot.web.app import address, identity_providers

        titles = [provider.title for provider in identity_providers()]
        out(f"Knowledge base on the web: {address(settings)} " + (
            f"(sign in with {' or '.join(titles)})" if titles
            else "(nobody can sign in yet: see the sign-in settings in README.md)"))
    web.run_app(app, host=settings.host, port=settings.port, print=None, reuse_port=shared or None,
                access_log=web.access_logger if settings.access_log else None, **_handler_options())
    return 0


def _handler_options() -> dict[str, object]:
    """:data:`HANDLER_ARGS` as this aiohttp's ``run_app`` takes them (older: ``handler_args=``; newer: keywords)."""
    import inspect

    if "handler_args" in inspect.signature(web.run_app).parameters:
        return {"handler_args": HANDLER_ARGS}
    return dict(HANDLER_ARGS)


def _port_free(host: str, port: int) -> bool:
    """Whether a plain bind would succeed.

    With ``SO_REUSEPORT`` a second, unrelated kbbot (another database, say)
    on the same port would silently receive half the requests instead of
    failing to start; binding once without it first rules that out.
    """
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def work(settings: Settings, sessions: sessionmaker[Session], out: Callable[[str], None]) -> int:
    """``kbbot worker``: take accepted events from the database until SIGTERM or Ctrl-C."""
    import signal
    import threading

    from kbbot.pipeline.worker import Worker, lower_priority

    found = handlers(settings, sessions)
    if not found:
        out(HOW_TO_CONFIGURE)
        return 2
    follow_parent_out()
    quiet_logs.install()
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
