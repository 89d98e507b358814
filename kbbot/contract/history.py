"""A chat platform's history, as an adapter reads it from an export: the contract of ``kbbot import``.

An adapter that can read its platform's export offers ``read_history(path,
options)`` on its :class:`~kbbot.contract.platform.Platform` and returns a
:class:`History`. The adapter only parses: it groups replies under the
message that started their thread, names reactions by the emoji itself (as
live events do) and reports what it could not read as :class:`Unreadable`.
Everything that is a rule (what is a question, which reply is accepted, who
may see what, whether direct messages are imported at all) is decided by the
core in :mod:`kbbot.importing`.

Items arrive in an order the core can rely on: the :class:`Member` list
first, then, per conversation, one :class:`Room` before its threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from kbbot.contract.events import ConversationKindName


@dataclass(frozen=True)
class HistoryOptions:
    """What the operator asked to read; an adapter may use it to skip whole files early."""

    conversations: frozenset[str] = frozenset()
    """Names or ids of the only conversations to read; empty: all."""
    since: date | None = None
    """Threads started before this day are left out."""
    include_direct: bool = False
    """Read direct and group direct messages too (they are never imported otherwise)."""


@dataclass(frozen=True)
class Member:
    """A person of the workspace as the export lists them."""

    id: str
    name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    is_bot: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Room:
    """A conversation and the people in it according to the export."""

    id: str
    name: str | None
    kind: ConversationKindName
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reaction:
    """One reaction on a message: the emoji (in the core's vocabulary) and who reacted with it."""

    emoji: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class Said:
    """One message of a thread."""

    id: str
    """The platform's message id (Slack's ``ts``): with the conversation, what makes a re-import harmless."""
    author: str | None
    """The author's platform id; None for a message with no person behind it (an integration)."""
    text: str
    at: datetime
    edited_at: datetime | None = None
    reactions: tuple[Reaction, ...] = ()
    by_bot: bool = False
    files: int = 0


@dataclass(frozen=True)
class Thread:
    """A message that got replies, with its replies in the order they were written."""

    room: str
    """The :attr:`Room.id` it was said in."""
    start: Said
    replies: tuple[Said, ...]
    source: str
    """The file the thread started in, for reports."""


@dataclass(frozen=True)
class Unreadable:
    """Something the adapter could not use, and why; ``reason`` is one of :data:`REASONS`."""

    source: str
    reason: str
    count: int = 1
    detail: str = ""


@dataclass(frozen=True)
class FileRead:
    """One file read: how many messages it held and how far through the export that is (for progress)."""

    source: str
    messages: int
    done: int
    total: int


REASONS = {
    "not_json": "not JSON (damaged or cut short)",
    "unreadable": "could not be read from the archive (damaged or cut short)",
    "too_large": "file larger than the import reads",
    "too_long": "message longer than a message can be",
    "unknown_user": "written by someone the export does not list",
    "unknown_conversation": "a folder no conversation list names",
    "not_a_message": "not a message (a channel event such as a join, a topic or a pin)",
    "not_in_thread": "not part of a thread",
    "orphan_reply": "a reply whose thread's first message is not in the export",
    "before_since": "thread started before --since",
    "direct_messages": "direct or group direct messages (use --include-dms)",
}
"""Why something was left out, as the import's summary says it."""


@dataclass
class History:
    """An opened export: its workspace and the items read from it, one at a time."""

    workspace_id: str
    workspace_name: str | None
    items: Iterator[Member | Room | Thread | Unreadable | FileRead]


class HistoryReader(Protocol):
    """``read_history`` as a platform offers it; raises :class:`~kbbot.contract.problems.CommandError` when
    the export cannot be opened at all (not an archive, no member list)."""

    def __call__(self, path: str, options: HistoryOptions) -> History: ...
