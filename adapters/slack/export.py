"""Slack's workspace export (a ZIP) read as a :class:`kbbot.contract.history.History`, one file at a time.

The archive is laid out as Slack documents it ("How to read Slack data
exports"): ``users.json`` (``org_users.json`` on Enterprise Grid),
``channels.json`` (public channels), ``groups.json`` (private channels),
``mpims.json`` (group direct messages) and ``dms.json`` (direct messages),
and per conversation a folder with one ``YYYY-MM-DD.json`` per day, named
after the channel (the conversation's id for direct messages). Messages are
shaped as the Web API returns them: ``ts``, ``thread_ts``, ``reply_count``,
``latest_reply``, ``reactions`` (``name``, ``users``, ``count``), ``edited``,
``files``, ``subtype``.

Nothing here decides what is knowledge. This module only parses: it groups
replies under the message that started their thread and names reactions by
the emoji itself. A thread is handed on as soon as it is complete (all its
``reply_count`` replies seen, or the days read have passed its
``latest_reply``), so memory holds the threads still open in one channel,
never the export. The archive itself is read through :mod:`.archive`, which
walks its directory record by record: what is kept per file is the 12 bytes
of :class:`_Folder` for the day files that will be read, not a ``ZipInfo``. Files that cannot be used are reported as
:class:`~kbbot.contract.history.Unreadable` and the rest is still read.
"""

from __future__ import annotations

import json
import re
import struct
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from kbbot.contract.events import ConversationKindName
from kbbot.contract.history import (
    FileRead,
    History,
    HistoryOptions,
    Member,
    Reaction,
    Room,
    Said,
    Thread,
    Unreadable,
)
from kbbot.contract.problems import CommandError
from kbbot_adapters.slack.archive import Archive, Entry, EntryError, NotAnArchive
from kbbot_adapters.slack.translate import REACTIONS

MAX_DAY_FILE = 16 * 1024 * 1024
"""The largest day file read (uncompressed). A busy channel's day is a few MB; one far larger is damaged or holds
a message no person wrote, and parsing it would cost many times its size in memory."""
MAX_LIST_FILE = 512 * 1024 * 1024
"""The largest member or conversation list read: these must be read whole, and a large workspace's are big."""

CONVERSATION_LISTS: tuple[tuple[str, ConversationKindName, bool], ...] = (
    ("channels.json", "channel", False), ("groups.json", "private", False),
    ("mpims.json", "group", False), ("dms.json", "dm", True),
)
"""Each list, the kind of conversation it holds, and whether its folders are named by id instead of name."""
MEMBER_LISTS = ("users.json", "org_users.json")
_DAY_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.json$")
# Subtypes that are a person writing; others (joins, topic changes, pins) are channel events.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
_BOT_SUBTYPES = frozenset({"bot_message"})
SHORTCODES = {":question:": "❓", ":grey_question:": "❔", ":white_check_mark:": "✅"}
"""Emoji people type in text that mean something to the core (a question marker), as the emoji itself."""
MORE_REACTIONS = {"-1": "👎", "thumbsdown": "👎", "heart": "❤", "raised_hands": "🙌", "tada": "🎉", "100": "💯",
                  "pray": "🙏", "clap": "👏", "star": "⭐", "fire": "🔥", "x": "❌", "eyes": "👀",
                  "question": "❓", "confused": "😕"}
"""Slack's names for common reactions besides those live events map (translate.REACTIONS)."""
DAY = timedelta(days=1)


def reaction(name: str) -> str:
    """A reaction name as the emoji (``+1::skin-tone-2`` → 👍); names without a known emoji stay as they are."""
    base = name.split("::", 1)[0]
    return REACTIONS.get(base) or MORE_REACTIONS.get(base) or base


def _when(ts: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(ts), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _text(raw: object) -> str:
    text = raw if isinstance(raw, str) else ""
    for code, emoji in SHORTCODES.items():
        if code in text:
            text = text.replace(code, emoji)
    return text


@dataclass
class _Open:
    """A thread whose replies may still come in a later day's file."""

    start: Said
    source: str
    expected: int
    latest: datetime | None
    replies: dict[str, Said] = field(default_factory=dict)


@dataclass
class _Folder:
    """A conversation and its day files: per file its day and where its directory record is, 12 bytes in all."""

    room: Room
    days: array[int] = field(default_factory=lambda: array("i"))
    """Each day file's day, as :meth:`datetime.date.toordinal`."""
    positions: array[int] = field(default_factory=lambda: array("q"))
    """Each day file's :attr:`~kbbot_adapters.slack.archive.Entry.position`, in the same order."""


def read(path: str, options: HistoryOptions) -> History:
    """Open the export at ``path``; a file that is no ZIP, or no Slack export, is refused whole with the reason."""
    try:
        archive = Archive(path)
    except FileNotFoundError:
        raise CommandError(f"cannot read {path}: there is no such file", exit_code=1) from None
    except IsADirectoryError:
        raise CommandError(f"cannot read {path}: it is a folder; give the export's .zip file", exit_code=1) from None
    except (NotAnArchive, OSError, struct.error) as error:
        raise CommandError(f"cannot read {path}: not a ZIP archive, or cut short ({error}); "
                           "download the export again") from None
    try:
        reader = _Reader(archive, options)
        members = reader.members()
    except (NotAnArchive, OSError, struct.error) as error:
        archive.close()
        raise CommandError(f"cannot read {path}: not a ZIP archive, or cut short ({error}); "
                           "download the export again") from None
    except Exception:
        archive.close()
        raise
    teams = Counter(str(raw.get("team_id") or raw.get("team") or "") for raw in members if isinstance(raw, dict))
    teams.pop("", None)
    if not teams:
        archive.close()
        raise CommandError(f"cannot read {path}: its member list names no workspace (no team_id)")
    return History(workspace_id=teams.most_common(1)[0][0], workspace_name=None, items=reader.items(members))


LISTS = frozenset((*MEMBER_LISTS, *(name for name, _, _ in CONVERSATION_LISTS)))


class _Reader:
    """Walks the archive's directory twice (where the lists are; which day files there are) and keeps neither."""

    def __init__(self, archive: Archive, options: HistoryOptions) -> None:
        self.archive = archive
        self.options = options
        self.lists: dict[str, int] = {}
        anchor = None
        for entry in archive.entries():
            base = entry.name.rsplit("/", 1)[-1]  # not PurePosixPath: it interns every part it sees
            if base in LISTS:
                self.lists.setdefault(entry.name, entry.position)
                if anchor is None and base in MEMBER_LISTS:
                    anchor = entry.name
        self.root = str(PurePosixPath(anchor).parent) if anchor else ""
        self.root = "" if self.root == "." else self.root
        self.total = 0

    def _path(self, name: str) -> str:
        return f"{self.root}/{name}" if self.root else name

    def _load(self, name: str, limit: int) -> tuple[Any, Unreadable | None]:
        """A JSON file of the archive, or why it could not be read."""
        position = self.lists.get(self._path(name))
        if position is None:
            return None, None
        try:
            entry = self.archive.entry_at(position)
            if entry.size > limit:
                return None, Unreadable(name, "too_large", detail=f"{entry.size:,} bytes")
            return json.loads(self.archive.read(entry, limit)), None
        except (EntryError, NotAnArchive, OSError, struct.error) as error:
            return None, Unreadable(name, "unreadable", detail=str(error))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            return None, Unreadable(name, "not_json", detail=str(error)[:200])

    def members(self) -> list[dict[str, Any]]:
        for name in MEMBER_LISTS:
            found, problem = self._load(name, MAX_LIST_FILE)
            if problem is not None:
                raise CommandError(f"cannot read {name} in the export: {problem.detail or problem.reason}")
            if found is not None:
                if not isinstance(found, list):
                    raise CommandError(f"cannot read {name} in the export: it is not a list of members")
                return found
        raise CommandError("this is not a Slack workspace export: it has no users.json")

    def items(self, members: list[dict[str, Any]]) -> Iterator[Member | Room | Thread | Unreadable | FileRead]:
        try:
            yield from self._members(members)
            del members
            wanted, problems, direct = self._folders()
            yield from problems
            if direct:
                yield Unreadable("dms.json, mpims.json", "direct_messages", direct)
            total = self.total or 1
            done = 0
            for folder in wanted:
                yield folder.room
                for item in self._threads(folder):
                    if isinstance(item, FileRead):
                        done += item.done
                        item = FileRead(item.source, item.messages, done, total)
                    yield item
        finally:
            self.archive.close()

    def _members(self, members: list[dict[str, Any]]) -> Iterator[Member]:
        for raw in members:
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                continue
            profile = raw.get("profile") if isinstance(raw.get("profile"), dict) else {}
            name = profile.get("display_name") or profile.get("real_name") or raw.get("real_name") or raw.get("name")
            yield Member(id=raw["id"], name=str(name) if name else None, locale=raw.get("locale"),
                         timezone=raw.get("tz"), is_bot=bool(raw.get("is_bot") or raw.get("is_app_user")),
                         deleted=bool(raw.get("deleted")))

    def _folders(self) -> tuple[list[_Folder], list[Unreadable], int]:
        """The conversations to read, each with its day files (from ``--since`` on); what could not be placed; and
        how many direct conversations were left unread.

        One walk over the archive's directory, keeping 12 bytes per day file
        read (its day and where its record is), nothing for the others.
        """
        problems: list[Unreadable] = []
        by_folder: dict[str, Room] = {}
        for name, kind, by_id in CONVERSATION_LISTS:
            found, problem = self._load(name, MAX_LIST_FILE)
            if problem is not None:
                problems.append(problem)
            for raw in found if isinstance(found, list) else []:
                if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                    continue
                members = tuple(m for m in raw.get("members") or () if isinstance(m, str))
                label = raw.get("name") if isinstance(raw.get("name"), str) else None
                folder = raw["id"] if by_id or not label else label
                by_folder[folder] = Room(id=raw["id"], name=None if kind == "dm" else label, kind=kind,
                                         members=members)
            del found
        wanted, direct = self._wanted(by_folder)
        folders = {name: _Folder(room) for name, room in wanted.items()}
        since = self.options.since.toordinal() if self.options.since else None
        strays: Counter[str] = Counter()
        prefix = f"{self.root}/" if self.root else ""
        for entry in self.archive.entries():
            if entry.is_dir() or not entry.name.startswith(prefix):
                continue
            parts = entry.name[len(prefix):].split("/")  # not PurePosixPath: it interns every part it sees
            if len(parts) != 2 or not (match := _DAY_FILE.match(parts[1])):
                continue
            try:
                day = date(int(match[1]), int(match[2]), int(match[3])).toordinal()
            except ValueError:
                continue
            folder = folders.get(parts[0])
            if folder is None:
                if parts[0] not in by_folder:
                    strays[parts[0]] += 1
                continue
            if since is not None and day < since:
                continue
            folder.days.append(day)
            folder.positions.append(entry.position)
            self.total += entry.compressed
        problems.extend(Unreadable(f"{folder}/", "unknown_conversation", count) for folder, count in strays.items())
        # A conversation with no messages still has members: private channels' visibility depends on them.
        ordered = sorted(folders.items(), key=lambda pair: (not pair[1].days, pair[0]))
        return [folder for _, folder in ordered], problems, direct

    def _wanted(self, rooms: dict[str, Room]) -> tuple[dict[str, Room], int]:
        """The conversations asked for, and how many direct conversations were left unread."""
        chosen = self.options.conversations
        wanted = {folder: room for folder, room in rooms.items() if not chosen or room.id in chosen
                  or (room.name or "") in chosen or f"#{room.name}" in chosen}
        if self.options.include_direct:
            return wanted, 0
        kept = {folder: room for folder, room in wanted.items() if room.kind not in ("dm", "group")}
        return kept, len(wanted) - len(kept)

    def _threads(self, folder: _Folder) -> Iterator[Thread | Unreadable | FileRead]:
        room = folder.room
        open_threads: dict[str, _Open] = {}
        for index in sorted(range(len(folder.days)), key=folder.days.__getitem__):
            day = date.fromordinal(folder.days[index])
            try:
                entry = self.archive.entry_at(folder.positions[index])
            except (EntryError, NotAnArchive, OSError, struct.error) as error:
                yield Unreadable(f"{room.name or room.id}/{day.isoformat()}.json", "unreadable", detail=str(error))
                continue
            source = entry.name[len(self.root) + 1:] if self.root else entry.name
            if entry.size > MAX_DAY_FILE:
                yield Unreadable(source, "too_large", detail=f"{entry.size:,} bytes")
                yield FileRead(source, 0, entry.compressed, 0)
                continue
            messages, problem = self._day(entry, source)
            if problem is not None:
                yield problem
                yield FileRead(source, 0, entry.compressed, 0)
                continue
            counts: Counter[str] = Counter()
            for raw in messages:
                counts[self._take(raw, room, source, open_threads)] += 1
            for reason in ("not_a_message", "not_in_thread", "orphan_reply", "before_since"):
                if counts[reason]:
                    yield Unreadable(source, reason, counts[reason])
            cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC) - DAY
            for key in [k for k, t in open_threads.items() if len(t.replies) >= t.expected > 0
                        or (t.latest is not None and t.latest < cutoff)]:
                yield self._close(room, open_threads.pop(key))
            yield FileRead(source, len(messages), entry.compressed, 0)
        for key in list(open_threads):
            yield self._close(room, open_threads.pop(key))

    def _day(self, entry: Entry, source: str) -> tuple[list[Any], Unreadable | None]:
        try:
            found = json.loads(self.archive.read(entry, MAX_DAY_FILE))
        except (EntryError, OSError) as error:
            return [], Unreadable(source, "unreadable", detail=str(error)[:200])
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            return [], Unreadable(source, "not_json", detail=str(error)[:200])
        if not isinstance(found, list):
            return [], Unreadable(source, "not_json", detail="not a list of messages")
        return found, None

    def _take(self, raw: Any, room: Room, source: str, open_threads: dict[str, _Open]) -> str:
        """File one message under its thread; returns how it was counted."""
        if not isinstance(raw, dict) or not isinstance(raw.get("ts"), str) or (at := _when(raw["ts"])) is None:
            return "not_a_message"
        subtype = raw.get("subtype")
        by_bot = subtype in _BOT_SUBTYPES or (raw.get("bot_id") is not None and not raw.get("user"))
        if subtype not in _PERSON_SUBTYPES and not by_bot:
            return "not_a_message"
        thread_ts = raw.get("thread_ts")
        ts = raw["ts"]
        said = Said(id=ts, author=raw.get("user") if isinstance(raw.get("user"), str) else None,
                    text=_text(raw.get("text")), at=at, edited_at=_when((raw.get("edited") or {}).get("ts")
                                                                       if isinstance(raw.get("edited"), dict) else None),
                    reactions=tuple(_reactions(raw.get("reactions"))), by_bot=by_bot,
                    files=len(raw["files"]) if isinstance(raw.get("files"), list) else 0)
        if not isinstance(thread_ts, str):
            return "not_in_thread"
        if thread_ts == ts:
            expected = raw.get("reply_count") if isinstance(raw.get("reply_count"), int) else 0
            replies = raw.get("replies") if isinstance(raw.get("replies"), list) else []
            if not expected and not replies and not raw.get("latest_reply"):
                return "not_in_thread"
            open_threads.setdefault(ts, _Open(said, source, expected or len(replies), _when(raw.get("latest_reply"))))
            return "thread_start"
        thread = open_threads.get(thread_ts)
        if thread is None:
            started = _when(thread_ts)
            since = self.options.since
            if since and started is not None and started.date() < since:
                return "before_since"
            return "orphan_reply"
        thread.replies.setdefault(ts, said)
        return "reply"

    @staticmethod
    def _close(room: Room, thread: _Open) -> Thread:
        return Thread(room=room.id, start=thread.start, source=thread.source,
                      replies=tuple(sorted(thread.replies.values(), key=lambda said: float(said.id))))


def _reactions(raw: object) -> Iterator[Reaction]:
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            people = tuple(p for p in item.get("users") or () if isinstance(p, str))
            yield Reaction(emoji=reaction(item["name"]), people=people)
