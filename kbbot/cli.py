"""The ``kbbot`` command.

``kbbot`` alone starts whatever is configured: the server for every
platform whose credentials are set, otherwise the platform that runs in this
terminal, so that a first run needs nothing but ``pip install``. Platforms
are found through the registry (:mod:`kbbot.contract.platform`) and add
their own subcommands; their SDKs are imported only when one is used.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.store.db import DatabaseNotMigrated, ensure_migrated, make_engine, session_factory, unit_of_work, upgrade


def _out(text: str) -> None:
    print(text, flush=True)


def _sessions(settings: Settings, semantic: bool = True) -> sessionmaker[Session]:
    """Open the database and refuse to go on if it is not migrated (the error says what to run).

    ``semantic=False`` skips loading the search model, for commands that never search.
    """
    engine = make_engine(settings.database_url)
    ensure_migrated(engine)
    if semantic and settings.semantic_model:
        from kbbot.search import semantic

        semantic.configure(semantic.load(settings.semantic_model))
    return session_factory(engine)


def _start(args: argparse.Namespace, settings: Settings) -> int:
    if any(found.configured() for found in platform.platforms()):
        return _serve(args, settings)
    local = next((found for found in platform.platforms() if hasattr(found, "start_locally")), None)
    if local is None:
        _out("No platform is configured, and none runs in this terminal: see `kbbot serve`.")
        return 2
    served = " or ".join(platform.title(found) for found in platform.platforms() if not hasattr(found, "start_locally"))
    _out(f"No {served} credentials set: starting kbbot in this terminal (`kbbot serve` says how to connect a workspace).")
    return int(local.start_locally(settings, _sessions(settings)))  # type: ignore[attr-defined]


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot_adapters.hosting import server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return server.serve(settings, _sessions(settings), _out, sibling=getattr(args, "sibling", False))


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    from kbbot_adapters.hosting import server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return server.work(settings, _sessions(settings), _out)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings.database_url, args.revision)
    _out(f"Database {make_engine(settings.database_url).url.render_as_string(hide_password=True)} is at {args.revision}.")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.services import export

    with unit_of_work(_sessions(settings)) as session:
        items = list(export.records(session, args.workspace, args.include_private))
    document = export.render(items, args.format, system_clock())
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
        _out(f"Exported {len(items)} questions to {args.output}.")
    else:
        sys.stdout.write(document)
    return 0


def _digest_preview(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.scheduler import cli as scheduler_cli

    return scheduler_cli.preview(_sessions(settings), settings, args.person, args.week, _out)


def _digest_send(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.scheduler import cli as scheduler_cli
    from kbbot_adapters.hosting import server

    if not args.now:
        _out("Digests are sent by `kbbot serve` on schedule; use `kbbot digest send --now` to send the due ones now.")
        return 2
    sessions = _sessions(settings)
    return scheduler_cli.send_now(sessions, settings, server.outbounds(settings, sessions, _out), _out)


def _report_adoption(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.services import adoption

    now = system_clock()
    with unit_of_work(_sessions(settings)) as session:
        weeks = adoption.weekly(session, now, args.weeks, args.workspace)
    _out(adoption.table(weeks))
    if args.output:
        Path(args.output).write_text(adoption.html(weeks, now), encoding="utf-8")
        _out(f"Report with chart written to {args.output}.")
    return 0


def _search_reindex(_args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.search import reindex

    sessions = _sessions(settings)
    total = reindex.run(sessions.kw["bind"], _out)
    _out(f"Re-indexed {total} documents.")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot import status

    snapshot = status.snapshot(_sessions(settings, semantic=False), system_clock(), settings.default_timezone)
    _out(status.as_json(snapshot) if args.json else status.text(snapshot))
    return 1 if args.check and snapshot.concerns else 0


def parser() -> argparse.ArgumentParser:
    """The whole command line, built in one place so ``kbbot --help`` lists everything."""
    served = [platform.title(found) for found in platform.platforms() if not hasattr(found, "start_locally")]
    top = argparse.ArgumentParser(prog="kbbot", description=f"Knowledge-sharing bot for {' and '.join(served)}.")
    top.add_argument("--database-url", help="SQLAlchemy URL (default: $KBBOT_DATABASE_URL or sqlite:///kbbot.db)")
    top.set_defaults(run=_start)
    sub = top.add_subparsers(title="commands", metavar="COMMAND")

    serve = sub.add_parser("serve", help=f"serve {', '.join(served)} and the scheduler on one port")
    # Started by kbbot serve itself (KBBOT_HTTP_PROCESSES > 1): one more process acknowledging on the shared port.
    serve.add_argument("--sibling", action="store_true", help=argparse.SUPPRESS)
    serve.set_defaults(run=_serve)
    sub.add_parser("worker", help="do the work after the acks of `kbbot serve` (it starts its own on PostgreSQL)"
                   ).set_defaults(run=_worker)

    db = sub.add_parser("db", help="database schema").add_subparsers(title="db commands", metavar="ACTION", required=True)
    up = db.add_parser("upgrade", help="create or migrate the schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(run=_db_upgrade)

    export = sub.add_parser("export", help="write the knowledge base as JSON or Markdown")
    export.add_argument("--format", choices=["json", "markdown"], default="json")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.add_argument("--workspace", help="only this workspace (id or name)")
    export.add_argument("--include-private", action="store_true",
                        help="also private channels and DMs (for backups; anonymous askers stay anonymous)")
    export.set_defaults(run=_export)

    digest = sub.add_parser("digest", help="weekly digests").add_subparsers(title="digest commands", metavar="ACTION", required=True)
    preview = digest.add_parser("preview", help="print a person's digest as they would see it")
    preview.add_argument("--person", required=True, help="kbbot person id or platform user id")
    preview.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: the current week)")
    preview.set_defaults(run=_digest_preview)
    send = digest.add_parser("send", help="send the digests that are due")
    send.add_argument("--now", action="store_true", help="send now instead of waiting for the schedule")
    send.set_defaults(run=_digest_send)

    search = sub.add_parser("search", help="the search index").add_subparsers(
        title="search commands", metavar="ACTION", required=True)
    search.add_parser("reindex", help="rebuild the search index, with progress").set_defaults(run=_search_reindex)

    report = sub.add_parser("report", help="reports for the organisation").add_subparsers(
        title="reports", metavar="REPORT", required=True)
    adoption = report.add_parser("adoption", help="people consuming, contributing and creating, per week (no names)")
    adoption.add_argument("--weeks", type=int, default=12, choices=range(1, 105), metavar="N")
    adoption.add_argument("--workspace", help="only this workspace (id or name)")
    adoption.add_argument("--output", "-o", help="also write an HTML report with a chart")
    adoption.set_defaults(run=_report_adoption)

    status = sub.add_parser("status", help="for operators: work waiting or given up in the inbox, outbox and scheduler")
    status.add_argument("--json", action="store_true", help="print the snapshot as JSON, for monitoring")
    status.add_argument("--check", action="store_true", help="exit with 1 when there are concerns (for cron or a probe)")
    status.set_defaults(run=_status)

    cli = platform.CommandLine(sessions=_sessions, out=_out)
    for found in platform.platforms():
        add_commands = getattr(found, "add_commands", None)
        if add_commands is not None:
            add_commands(sub, cli)
    return top


def main(argv: Sequence[str] | None = None, settings_factory: Callable[..., Settings] = Settings) -> int:
    """Run one command; errors a user can fix (an unmigrated or unreachable database) become a message and exit code 3."""
    args = parser().parse_args(argv)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = settings_factory(**overrides)
    try:
        return int(args.run(args, settings) or 0)
    except DatabaseNotMigrated as error:
        print(f"kbbot: {error}", file=sys.stderr)
        return 3
    except OperationalError as error:
        print(f"kbbot: cannot use the database: {error.orig}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
