"""The audit log: every change an admin or operator makes, written in the transaction that makes it.

A works council asks "who changed what, and when"; the answer is one table
that nothing but this module writes, read by ``kbbot audit``. Values are kept
as JSON so a change of any setting (a day, a list of hours) reads back as set.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.store.models import AuditEntry, Person, Workspace

CHAT = "chat"
OPERATOR = "operator"


def record(session: Session, *, workspace_id: int | None, person: Person | None, action: str,
           key: str | None = None, old: Any = None, new: Any = None, now: datetime) -> AuditEntry:
    """Write one entry; ``person`` is who acted in chat, ``None`` for the operator's command line."""
    entry = AuditEntry(workspace_id=workspace_id, person_id=person.id if person is not None else None,
                       actor=CHAT if person is not None else OPERATOR, action=action, key=key,
                       old_value=old, new_value=new, created_at=now)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Line:
    at: datetime
    workspace: str
    who: str
    action: str
    key: str | None
    old: Any
    new: Any

    def text(self) -> str:
        change = f" {self.key}: {_shown(self.old)} → {_shown(self.new)}" if self.key else ""
        return f"{self.at.isoformat(timespec='seconds')}  {self.workspace}  {self.who}  {self.action}{change}"


def _shown(value: Any) -> str:
    return "–" if value is None else json.dumps(value, ensure_ascii=False)


def entries(session: Session, since: datetime | None = None, workspace_id: int | None = None) -> list[Line]:
    """The entries from ``since`` on, oldest first, with who acted by name (or "operator")."""
    query = (select(AuditEntry, Workspace, Person)
             .outerjoin(Workspace, Workspace.id == AuditEntry.workspace_id)
             .outerjoin(Person, Person.id == AuditEntry.person_id)
             .order_by(AuditEntry.created_at, AuditEntry.id))
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if workspace_id is not None:
        query = query.where(AuditEntry.workspace_id == workspace_id)
    return [_line(entry, space, person) for entry, space, person in session.execute(query)]


def _line(entry: AuditEntry, space: Workspace | None, person: Person | None) -> Line:
    from kbbot.privacy.placeholder import label

    where = f"{space.platform}:{space.name or space.external_id}" if space is not None else "all workspaces"
    if person is not None:
        who = label(person, "en")
    else:
        who = "operator" if entry.actor == OPERATOR else "someone erased"
    return Line(entry.created_at, where, who, entry.action, entry.key, entry.old_value, entry.new_value)


def as_json(lines: Sequence[Line]) -> str:
    return json.dumps([{"at": line.at.isoformat(), "workspace": line.workspace, "who": line.who,
                        "action": line.action, "key": line.key, "old": line.old, "new": line.new}
                       for line in lines], ensure_ascii=False, indent=2)
