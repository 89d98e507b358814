"""Who administers a workspace: the platform's own word where it has one, else the operator's list.

Slack says who is an admin or owner (``users.info``); the adapter passes it
in the actor, and it is remembered here (and forgotten when Slack stops
saying so). Teams has no such flag for a tenant: the operator names admins
with ``KBBOT_ADMINS`` (platform ids, comma separated, optionally
``platform:id``), and a team's owners administer kbbot for their team when
the adapter reports them. The console uses ``KBBOT_ADMINS`` too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.store.models import Person, Workspace, WorkspaceAdmin

PLATFORM = "platform"


def _platform_names() -> set[str]:
    return {found.name.casefold() for found in platform.platforms()}


def listed(settings: Settings, platform: str) -> set[str]:
    """The platform ids ``KBBOT_ADMINS`` names for ``platform`` (an id without a platform counts for every one)."""
    found: set[str] = set()
    for entry in (settings.admins or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        named, sep, ident = entry.partition(":")
        if sep and named.casefold() == platform.casefold():
            found.add(ident.strip())
        elif not sep or named.casefold() not in _platform_names():
            found.add(entry)  # an id that itself holds a colon (Teams' "29:…")
    return found


def note(session: Session, person: Person, is_admin: bool | None, now: datetime, source: str = PLATFORM) -> None:
    """Remember what the platform said of ``person`` (``None``: it said nothing, keep what is known)."""
    if is_admin is None or person.id is None:
        return
    known = session.get(WorkspaceAdmin, (person.workspace_id, person.id))
    if is_admin and known is None:
        session.add(WorkspaceAdmin(workspace_id=person.workspace_id, person_id=person.id, source=source,
                                   created_at=now))
    elif not is_admin and known is not None and known.source == source:
        session.delete(known)
        session.flush()


def is_admin(session: Session, settings: Settings, space: Workspace, person: Person) -> bool:
    if person.external_id in listed(settings, space.platform):
        return True
    return session.scalar(select(WorkspaceAdmin.person_id).where(
        WorkspaceAdmin.workspace_id == space.id, WorkspaceAdmin.person_id == person.id)) is not None
