"""``kbbot audit`` and ``kbbot people forget|export``: the operator's side of the audit log, erasure and access.

An operator names a person by platform id or kbbot's number; an id found in
several workspaces needs ``--workspace``. Erasure prints what it will do and
asks for ``--yes``: on the command line there is no button to think twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.contract.problems import CommandError
from kbbot.privacy import access, audit, erasure
from kbbot.privacy.placeholder import EXTERNAL_ID
from kbbot.scheduler.cli import find_person
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, Workspace

Out = Callable[[str], None]


def parse_since(value: str) -> datetime:
    """``2026-12-01`` or ``2026-12-01T09:00`` (UTC unless an offset is given)."""
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"cannot read --since {value!r}: use a date like 2026-12-01 or 2026-12-01T09:00",
                           exit_code=2) from None
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def print_audit(sessions: sessionmaker[Session], since: datetime | None, as_json: bool, out: Out) -> int:
    with unit_of_work(sessions) as session:
        lines = audit.entries(session, since)
    if as_json:
        out(audit.as_json(lines))
    elif not lines:
        out("No audit entries" + (f" since {since.isoformat()}." if since else "."))
    else:
        for line in lines:
            out(line.text())
    return 0


def _one(session: Session, ident: str, workspace: str | None) -> Person:
    found = [p for p in find_person(session, ident) if p.external_id != EXTERNAL_ID]
    if workspace is not None:
        spaces = {s.id for s in session.scalars(select(Workspace).where(
            (Workspace.external_id == workspace) | (Workspace.name == workspace)))}
        found = [p for p in found if p.workspace_id in spaces]
    if not found:
        raise CommandError(f"unknown person: {ident}" + (f" in workspace {workspace}" if workspace else ""))
    if len(found) > 1:
        raise CommandError(f"{ident} is known in {len(found)} workspaces: name one with --workspace")
    return found[0]


def forget(sessions: sessionmaker[Session], ident: str, workspace: str | None, yes: bool, out: Out,
           clock: Clock = system_clock) -> int:
    now = clock()
    with unit_of_work(sessions) as session:
        person = _one(session, ident, workspace)
        space = session.get(Workspace, person.workspace_id)
        assert space is not None
        label = f"{person.display_name or person.external_id} ({space.platform}:{space.name or space.external_id})"
        if not yes:
            data = access.collect(session, person, now)
            rows = sum(len(rows) for rows in data["tables"].values())
            policy = erasure.knowledge_policy(space)
            out(f"This erases {label}: {rows} records in {len(data['tables'])} places. Their questions and answers "
                + ("are deleted (the workspace's policy)." if policy == erasure.DELETE
                   else "stay, shown as written by a former colleague.")
                + " Run again with --yes to erase.")
            return 2
        done = erasure.forget(session, person, now)
        audit.record(session, workspace_id=space.id, person=None, action="forget", key="operator", now=now)
    out(f"Erased {label}.")
    for line in done.lines():
        out(f"  {line}")
    return 0


def export(sessions: sessionmaker[Session], ident: str, workspace: str | None, out: Out,
           clock: Clock = system_clock) -> str:
    """The person's data as JSON (the caller prints or writes it); the export itself is audited."""
    now = clock()
    with unit_of_work(sessions) as session:
        person = _one(session, ident, workspace)
        data = access.collect(session, person, now)
        audit.record(session, workspace_id=person.workspace_id, person=None, action="export",
                     key=f"person {person.id}", now=now)
    return access.as_json(data)
