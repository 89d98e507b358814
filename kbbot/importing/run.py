"""One import from start to end: read the history item by item, write it in batches, report.

The whole export is never in memory: people are written in groups as they
are read, each conversation as it starts, and threads in batches of at most
:data:`BATCH_THREADS` threads or :data:`BATCH_MESSAGES` messages, each batch
committed on its own (a real import) or inside one transaction rolled back
at the end (``--dry-run``, which therefore counts exactly what a real run
would create, and writes nothing).

What stays for the whole import grows with people and conversations, never
with messages: the writer's maps of people and conversations by platform id
and of tag names, the reader's 12 bytes per day file it will read (see
kbbot_adapters/slack/export.py), the summary's counts. The search
analyser's word caches, which grow with the export's vocabulary, are
emptied past :data:`CACHED_WORDS`. bench/import.py measures it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import false, update
from sqlalchemy.orm import Session, sessionmaker

from kbbot.contract.history import FileRead, History, Member, Room, Thread, Unreadable
from kbbot.importing.summary import Summary
from kbbot.importing.writer import ImportOptions, Writer
from kbbot.search import analysis
from kbbot.store.models import Workspace

BATCH_THREADS = 500
BATCH_MESSAGES = 5_000
MEMBERS_AT_ONCE = 500
CACHED_WORDS = 50_000
"""The search analyser's word caches are emptied past this many words (about 24 MB): an export's vocabulary
keeps growing with its size, the analyser's own bound (200,000 words) is made for a bot's queries."""

Progress = Callable[[int, int, int], None]
"""Called with (bytes done, bytes in all, messages read so far)."""


def run(history: History, sessions: sessionmaker[Session], options: ImportOptions, now: datetime,
        progress: Progress | None = None) -> Summary:
    """Import ``history`` into its workspace; returns what was done and what was skipped, and why."""
    summary = Summary(dry_run=options.dry_run)
    with sessions() as session:
        if options.dry_run:
            _hold(session)
        writer = Writer(session, options, summary, now)
        writer.begin(history.workspace_id, history.workspace_name)
        _commit(session, options)
        members: list[Member] = []
        threads: list[Thread] = []
        size = 0

        def write_threads() -> None:
            nonlocal size
            if threads:
                writer.threads(threads)
                threads.clear()
                size = 0
                _commit(session, options)
                analysis.trim_caches(CACHED_WORDS)

        for item in history.items:
            if isinstance(item, Member):
                members.append(item)
                if len(members) >= MEMBERS_AT_ONCE:
                    writer.members(members)
                    members.clear()
                    _commit(session, options)
                continue
            if members:
                writer.members(members)
                members.clear()
                _commit(session, options)
            if isinstance(item, Thread):
                threads.append(item)
                size += 1 + len(item.replies)
                if len(threads) >= BATCH_THREADS or size >= BATCH_MESSAGES:
                    write_threads()
            elif isinstance(item, Room):
                write_threads()
                writer.room(item)
                _commit(session, options)
            elif isinstance(item, Unreadable):
                summary.skip(item.reason, item.source, item.count)
            elif isinstance(item, FileRead):
                summary.counts["messages"] += item.messages
                if progress is not None:
                    progress(item.done, item.total, summary.counts["messages"])
        if members:
            writer.members(members)
        write_threads()
        writer.finish()
        if options.dry_run:
            session.rollback()
        else:
            session.commit()
    return summary


def _hold(session: Session) -> None:
    """Open the dry run's one transaction with a statement that changes nothing.

    Python's sqlite3 driver starts a transaction only before a data change;
    a savepoint opened first would start one itself, and releasing it would
    commit what a dry run must roll back.
    """
    session.execute(update(Workspace).where(false()).values(name=Workspace.name))


def _commit(session: Session, options: ImportOptions) -> None:
    """End a unit of work: committed in a real import; kept open (and rolled back at the end) in a dry run."""
    if options.dry_run:
        session.flush()
    else:
        session.commit()
    session.expunge_all()
