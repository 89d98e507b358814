"""Who administers a workspace: the platform's own word where it has one, the operator's list, a team's owners.

Slack says who is an admin or owner (``users.info``); the adapter passes it
in the actor, and it is remembered here (and forgotten when Slack stops
saying so). Teams has no such flag for a tenant: the operator names admins
with ``KBBOT_ADMINS`` (platform ids, comma separated, optionally
``platform:id``). The console uses ``KBBOT_ADMINS`` too.

A team's owners administer kbbot "for their team" (issue 18). What that can
honestly mean, given that kbbot keeps one set of settings per *workspace* and
a Teams workspace is the whole tenant (every team in it shares the digest
day, the retention periods, …), is decided here:

* An owner is recognised only where ownership is a fact: in their own team's
  channels, as the adapter reports it for that event (``Actor.owns_place``,
  asked of Microsoft Graph; not known means not granted). It is never
  remembered: in a personal chat, in a group chat or in another team they are
  whoever they otherwise are, and an owner who is demoted in Teams loses it
  with the adapter's next answer.
* There are no per-team settings to give them, so what an owner changes there
  is the workspace's setting, for every team, and the audit log names them.
  The settings that decide what happens to everyone's data (retention,
  erasure: :attr:`~kbbot.privacy.workspace_settings.Setting.policy`) would
  then be one team's owner deciding for the whole organisation; those stay
  with the workspace's admins (``KBBOT_ADMINS``, or the platform's own
  admins). An owner sees them and is told who may change them.
* The panel an owner opens shows no buttons: Teams shows it in their personal
  chat, where a click could not prove ownership; they type the change in the
  team's channel instead, and the panel says so.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

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


class Authority(Enum):
    """How far a person may administer kbbot, here and now."""

    NONE = "none"
    OWNER = "owner"
    """A group's owner in that group's conversations: settings, except :attr:`Setting.policy` ones."""
    ADMIN = "admin"
    """A workspace admin: every setting, everywhere in the workspace."""


def authority(session: Session, settings: Settings, space: Workspace, person: Person, owns_place: bool) -> Authority:
    """What ``person`` may do with the workspace's settings; ``owns_place`` is this event's fact, never stored."""
    if is_admin(session, settings, space, person):
        return Authority.ADMIN
    return Authority.OWNER if owns_place else Authority.NONE


def may_change(found: Authority, policy: bool) -> bool:
    """Whether someone with ``found`` authority may change a setting (``policy``: it rules everyone's data)."""
    return found is Authority.ADMIN or (found is Authority.OWNER and not policy)
