"""The ``kbbot`` command.

``kbbot`` alone starts whatever is configured: the server for every
platform whose credentials are set, otherwise the platform that runs in this
terminal, so that a first run needs nothing but ``pip install``. Platforms
are found through the registry (:mod:`kbbot.contract.platform`) and add
their own subcommands; their SDKs are imported only when one is used.

What goes wrong in a way the operator can fix (a :class:`CommandError`, a
file that cannot be written, a setting or database URL that cannot be used)
ends as one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.contract.problems import CommandError
from kbbot.store.db import DatabaseNotMigrated, ensure_migrated, make_engine, session_factory, unit_of_work, upgrade
from kbbot.store.models import Person, Workspace
from kbbot.weekly.timing import parse_week

MAX_REPORT_WEEKS = 104
"""Two years: as far back as ``kbbot report adoption`` looks."""
KNOWN_SHOWN = 10
"""Known workspaces listed after an unknown one; a large organisation's list is cut there."""


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(f"kbbot: {text}", file=sys.stderr, flush=True)


def _engine(url: str) -> Engine:
    """The database's engine, or a :class:`CommandError` for a URL kbbot cannot use (never echoing a password)."""
    try:
        return make_engine(url)
    except ArgumentError as error:
        raise CommandError(f"cannot use the database URL (KBBOT_DATABASE_URL or --database-url): {error}",
                           exit_code=3) from None
    except ImportError as error:
        raise CommandError(f"cannot use the database URL (KBBOT_DATABASE_URL or --database-url): its driver is "
                           f"not installed ({error})", exit_code=3) from None


def _sessions(settings: Settings, semantic: bool = True) -> sessionmaker[Session]:
    """Open the database and refuse to go on if it is not migrated (the error says what to run).

    ``semantic=False`` skips loading the search model, for commands that never search; the
    others say at start, on standard error, when a configured model cannot be used.
    """
    engine = _engine(settings.database_url)
    ensure_migrated(engine)
    if semantic and settings.semantic_model:
        from kbbot.search import semantic

        semantic.configure(semantic.load(settings.semantic_model, notice=_err))
    return session_factory(engine)


def _check_workspace(session: Session, ident: str | None) -> None:
    """Refuse a ``--workspace`` that names none (by platform id or name), listing those there are.

    Without this an unknown workspace reads as one where nothing happened: zeros, or an empty export.
    """
    if ident is None:
        return
    spaces = list(session.scalars(select(Workspace).order_by(Workspace.platform, Workspace.external_id)))
    if any(ident in (space.external_id, space.name) for space in spaces):
        return
    if not spaces:
        raise CommandError(f"unknown workspace: {ident} (there is no workspace yet: kbbot has not been used)")
    known = [f"{space.external_id} ({space.name})" if space.name else space.external_id
             for space in spaces[:KNOWN_SHOWN]]
    more = f" and {len(spaces) - KNOWN_SHOWN} more" if len(spaces) > KNOWN_SHOWN else ""
    raise CommandError(f"unknown workspace: {ident} (known: {', '.join(known)}{more})")


def _output(name: str | None) -> Path | None:
    """The file an ``--output`` names, refused before any work is done if it cannot be a file there."""
    if name is None:
        return None
    path = Path(name)
    if path.is_dir():
        raise CommandError(f"cannot write {name}: it is a folder; name a file in it", exit_code=1)
    if not path.parent.is_dir():
        raise CommandError(f"cannot write {name}: there is no folder {path.parent}", exit_code=1)
    return path


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all: into a file next to ``path``, renamed over it once complete.

    An export interrupted half-way (a full disk, Ctrl-C) thus never leaves a
    truncated document where a reader, or the previous good export, expects one.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", exit_code=1) from None
    finally:
        partial.unlink(missing_ok=True)


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


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _web(args: argparse.Namespace, settings: Settings) -> int:
    """``kbbot web``: the knowledge base in a browser with a local-only sign-in, for trying kbbot."""
    from aiohttp import web

    from kbbot.web.app import address, attach

    settings = settings.model_copy(update={"web_url": None, **({"port": args.port} if args.port else {})})
    if settings.host not in LOOPBACK:
        raise CommandError(f"kbbot web lets anyone sign in as anyone, so it listens on this computer only, not on "
                           f"{settings.host} (set KBBOT_HOST=127.0.0.1; `kbbot serve` signs people in for real)")
    app = web.Application()
    attach(app, settings, _sessions(settings), local_sign_in=True)
    _out(f"kbbot web: {address(settings)}  (LOCAL ONLY: anyone on this computer can sign in as anyone; "
         f"for real sign-in use `kbbot serve`). Ctrl-C stops it.")
    web.run_app(app, host=settings.host, port=settings.port, print=None)
    return 0


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    from kbbot_adapters.hosting import server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return server.work(settings, _sessions(settings), _out)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from alembic.util import CommandError as MigrationError

    _engine(settings.database_url).dispose()
    try:
        upgrade(settings.database_url, args.revision)
    except MigrationError as error:
        raise CommandError(f"cannot upgrade the database to {args.revision}: {error}") from None
    _out(f"Database {make_engine(settings.database_url).url.render_as_string(hide_password=True)} is at {args.revision}.")
    return 0


def _viewer(session: Session, ident: str) -> Person:
    """The one person ``--as`` names (a kbbot person id or a platform user id), or a one-line refusal."""
    from kbbot.scheduler.cli import find_person

    found = find_person(session, ident)
    if len(found) != 1:
        raise CommandError(f"unknown person: {ident}" if not found else
                           f"{ident} matches several people; give the kbbot person id")
    return found[0]


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.services import export

    output = _output(args.output)
    with unit_of_work(_sessions(settings, semantic=False)) as session:
        _check_workspace(session, args.workspace)
        viewer = _viewer(session, args.as_person) if getattr(args, "as_person", None) else None
        items = list(export.records(session, args.workspace, args.include_private, viewer))
    document = export.render(items, args.format, system_clock())
    if output:
        _write(output, document)
        _out(f"Exported {len(items)} questions to {args.output}.")
    else:
        sys.stdout.write(document)
    return 0


def _digest_preview(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.scheduler import cli as scheduler_cli

    return scheduler_cli.preview(_sessions(settings, semantic=False), settings, args.person, args.week, _out, err=_err)


def _digest_send(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.scheduler import cli as scheduler_cli
    from kbbot_adapters.hosting import server

    if not args.now:
        _out("Digests are sent by `kbbot serve` on schedule; use `kbbot digest send --now` to send the due ones now.")
        return 2
    sessions = _sessions(settings, semantic=False)
    return scheduler_cli.send_now(sessions, settings, server.outbounds(settings, sessions, _out), _out)


def _report_adoption(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.services import adoption

    return _report(args, settings, lambda session, now: adoption.weekly(session, now, args.weeks, args.workspace),
                   adoption.html, adoption.table)


def _report_knowledge(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.services import knowledge_report

    return _report(args, settings, lambda session, now: knowledge_report.figures(
        session, now, settings.verification_interval_days, args.workspace), knowledge_report.html,
        knowledge_report.table)


def _report(args: argparse.Namespace, settings: Settings, figures: Callable[[Session, datetime], Any],
            html: Callable[[Any, datetime], str], table: Callable[[Any], str]) -> int:
    """A report's table on the terminal and, with ``-o``, an HTML page with its chart; counts only, no names."""
    output = _output(args.output)
    now = system_clock()
    with unit_of_work(_sessions(settings, semantic=False)) as session:
        _check_workspace(session, args.workspace)
        rows = figures(session, now)
    if output:
        _write(output, html(rows, now))
    _out(table(rows))
    if output:
        _out(f"Report with chart written to {args.output}.")
    return 0


def _search_reindex(_args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.search import reindex

    sessions = _sessions(settings, semantic=False)
    total = reindex.run(sessions.kw["bind"], _out)
    _out(f"Re-indexed {total} documents.")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot import status

    snapshot = status.snapshot(_sessions(settings, semantic=False), system_clock(), settings.default_timezone)
    _out(status.as_json(snapshot) if args.json else status.text(snapshot))
    return 1 if args.check and snapshot.concerns else 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    """``kbbot import PLATFORM EXPORT``: a platform's export into the knowledge base (kbbot/importing/)."""
    from kbbot.contract.history import HistoryOptions
    from kbbot.importing import progress, run
    from kbbot.importing.writer import ImportOptions

    found = platform.get(args.platform)
    assert found is not None  # argparse's choices
    wanted = frozenset(name.strip() for name in (args.channels or "").split(",") if name.strip())
    history = found.read_history(args.export, HistoryOptions(  # type: ignore[attr-defined]
        conversations=wanted, since=args.since, include_direct=args.include_dms))
    options = ImportOptions(platform=found.name, source=Path(args.export).name, include_direct=args.include_dms,
                            dry_run=args.dry_run, default_timezone=settings.default_timezone,
                            default_locale=settings.default_locale, max_text=found.capabilities.max_text)
    bar = progress.Bar()
    try:
        summary = run.run(history, _sessions(settings, semantic=False), options, system_clock(), bar)
    finally:
        bar.close()
    for line in summary.lines():
        _out(line)
    return 0


def _day(value: str) -> date:
    """``--since``: a calendar day, ``2024-01-31``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day like 2024-01-31") from None


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.privacy import cli as privacy_cli

    since = privacy_cli.parse_since(args.since) if args.since else None
    return privacy_cli.print_audit(_sessions(settings, semantic=False), since, args.json, _out)


def _people_forget(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.privacy import cli as privacy_cli

    return privacy_cli.forget(_sessions(settings, semantic=False), args.person, args.workspace, args.yes, _out)


def _people_export(args: argparse.Namespace, settings: Settings) -> int:
    from kbbot.privacy import cli as privacy_cli

    output = _output(args.output)
    document = privacy_cli.export(_sessions(settings, semantic=False), args.person, args.workspace, _out)
    if output:
        _write(output, document + "\n")
        _out(f"Exported the personal data of {args.person} to {args.output}.")
    else:
        sys.stdout.write(document + "\n")
    return 0


def _weeks(value: str) -> int:
    """``--weeks``: a whole number in the report's range, refused by saying the range (not every choice in it)."""
    try:
        weeks = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number between 1 and {MAX_REPORT_WEEKS}") from None
    if not 1 <= weeks <= MAX_REPORT_WEEKS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_REPORT_WEEKS}, not {weeks}")
    return weeks


def _iso_week(value: str) -> str:
    """``--week``: an ISO week that exists (``2026-W48``), refused with what is wrong with it."""
    text = value.strip()
    try:
        parse_week(text)
    except ValueError as problem:
        year, _, week = text.partition("-W")
        if year.isdigit() and week.isdigit() and len(week) == 2 and 1 <= int(year) <= 9999:
            last = date(int(year), 12, 28).isocalendar().week  # 28 December is always in the year's last week
            raise argparse.ArgumentTypeError(f"{text} does not exist: {year} has weeks 1 to {last}") from None
        raise argparse.ArgumentTypeError(str(problem)) from None
    return text


def _invalid_setting(error: ValidationError) -> str:
    """One line naming the environment variables behind a settings class's refusal.

    Settings classes read ``KBBOT_`` (:class:`kbbot.config.Settings`) or, for
    a class named ``<Name>Settings``, ``KBBOT_<NAME>_``.
    """
    scope = error.title.removesuffix("Settings").upper()
    prefix = f"KBBOT_{scope}_" if scope else "KBBOT_"
    problems = []
    for detail in error.errors():
        name = f"{prefix}{'_'.join(map(str, detail['loc'])).upper()}"
        # A value is repeated only where it cannot be a secret (a token, a password, a URL with one).
        secret = any(word in name for word in ("URL", "TOKEN", "SECRET", "PASSWORD", "KEY"))
        problems.append(f"{name}{'' if secret else '=' + repr(detail.get('input'))}: {detail['msg']}")
    return "invalid setting " + "; ".join(problems)


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
    export.add_argument("--as", dest="as_person", metavar="PERSON",
                        help="only what this person may see (kbbot person id or platform user id)")
    export.set_defaults(run=_export)

    digest = sub.add_parser("digest", help="weekly digests").add_subparsers(title="digest commands", metavar="ACTION", required=True)
    preview = digest.add_parser("preview", help="print a person's digest as they would see it")
    preview.add_argument("--person", required=True, help="kbbot person id or platform user id")
    preview.add_argument("--week", type=_iso_week, help="ISO week, e.g. 2026-W48 (default: the current week)")
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
    adoption.add_argument("--weeks", type=_weeks, default=12, metavar="N",
                          help=f"how many weeks back, 1 to {MAX_REPORT_WEEKS} (default: 12)")
    adoption.add_argument("--workspace", help="only this workspace (id or name)")
    adoption.add_argument("--output", "-o", help="also write an HTML report with a chart")
    adoption.set_defaults(run=_report_adoption)
    knowledge = report.add_parser("knowledge", help="answers per tag: current, due, flagged, retired (no names)")
    knowledge.add_argument("--workspace", help="only this workspace (id or name)")
    knowledge.add_argument("--output", "-o", help="also write an HTML report with a chart")
    knowledge.set_defaults(run=_report_knowledge)

    browse = sub.add_parser("web", help="the knowledge base in a browser, with a local-only sign-in for trying it")
    browse.add_argument("--port", type=int, help="port on 127.0.0.1 (default: $KBBOT_PORT or 3000)")
    browse.set_defaults(run=_web)

    status = sub.add_parser("status", help="for operators: work waiting or given up in the inbox, outbox and scheduler")
    status.add_argument("--json", action="store_true", help="print the snapshot as JSON, for monitoring")
    status.add_argument("--check", action="store_true", help="exit with 1 when there are concerns (for cron or a probe)")
    status.set_defaults(run=_status)

    readers = [found.name for found in platform.platforms() if hasattr(found, "read_history")]
    if readers:
        imports = sub.add_parser("import", help="bring in a platform's history export: threads that asked become "
                                 "answered questions")
        imports.add_argument("platform", choices=readers, help="where the export comes from")
        imports.add_argument("export", help="the export file (a ZIP, as the platform makes it)")
        imports.add_argument("--channels", metavar="A,B", help="only these channels (names or ids, comma-separated)")
        imports.add_argument("--since", type=_day, metavar="DAY", help="only threads started on or after this day")
        imports.add_argument("--dry-run", action="store_true", help="read and count everything, write nothing")
        imports.add_argument("--include-dms", action="store_true",
                             help="also direct and group messages (visible to their participants only)")
        imports.set_defaults(run=_import)
    audit = sub.add_parser("audit", help="who changed which setting, and who was erased, when")
    audit.add_argument("--since", help="only entries from this date or time on (2026-12-01, 2026-12-01T09:00)")
    audit.add_argument("--json", action="store_true", help="print the entries as JSON")
    audit.set_defaults(run=_audit)

    people = sub.add_parser("people", help="a person's data: erase it or export it (GDPR)").add_subparsers(
        title="people commands", metavar="ACTION", required=True)
    forget = people.add_parser("forget", help="erase a person; their knowledge stays, de-identified")
    forget.add_argument("person", metavar="PERSON", help="platform user id or kbbot person number")
    forget.add_argument("--workspace", help="the workspace (id or name), when the id is known in several")
    forget.add_argument("--yes", action="store_true", help="erase (without it, only say what would be erased)")
    forget.set_defaults(run=_people_forget)
    person_export = people.add_parser("export", help="everything kbbot holds about a person, as JSON")
    person_export.add_argument("person", metavar="PERSON", help="platform user id or kbbot person number")
    person_export.add_argument("--workspace", help="the workspace (id or name), when the id is known in several")
    person_export.add_argument("--output", "-o", help="file to write (default: standard output)")
    person_export.set_defaults(run=_people_export)

    cli = platform.CommandLine(sessions=_sessions, out=_out)
    for found in platform.platforms():
        add_commands = getattr(found, "add_commands", None)
        if add_commands is not None:
            add_commands(sub, cli)
    return top


def main(argv: Sequence[str] | None = None, settings_factory: Callable[..., Settings] = Settings) -> int:
    """Run one command; an error the operator can fix becomes one line on standard error and a non-zero exit.

    Exit codes: 1 a file or the system refused, 2 a command, option or setting that cannot be
    used (as for argparse's usage errors), 3 the database (unmigrated, unreachable, a bad URL).
    """
    args = parser().parse_args(argv)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    try:
        settings = settings_factory(**overrides)
        return int(args.run(args, settings) or 0)
    except CommandError as error:
        _err(str(error))
        return error.exit_code
    except DatabaseNotMigrated as error:
        _err(str(error))
        return 3
    except OperationalError as error:
        _err(f"cannot use the database: {error.orig}")
        return 3
    except ValidationError as error:
        if not error.title.endswith("Settings"):
            raise  # a bug in kbbot's own models, not the operator's settings: keep its traceback
        _err(_invalid_setting(error))
        return 2
    except OSError as error:  # a file or folder named on the command line or in a setting
        _err(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
