"""Stored platform addresses: what an adapter needs to write somewhere days after it last heard from there.

Teams lets a bot message a person or a conversation on its own initiative
only with a *conversation reference* captured from an earlier activity; the
scheduler's prompts and digests need one long after that activity. The core
keeps these addresses for every platform in one table
(:class:`~kbbot.store.models.PlatformAddress`) without looking inside them:
an adapter stores the JSON it will need and gets it back. Adapters call
these functions and never the model, so the schema stays the core's.

One address per (platform, workspace, scope, key): ``scope`` is
:data:`PERSON` (key: the person's platform id, the conversation their
personal chat) or :data:`CONVERSATION` (key: the conversation id).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import PlatformAddress

Scope = Literal["person", "conversation"]
PERSON: Scope = "person"
CONVERSATION: Scope = "conversation"


def remember(sessions: sessionmaker[Session], platform: str, workspace_id: str, scope: Scope, key: str,
             conversation_id: str, address: dict[str, Any], now: datetime) -> bool:
    """Insert or refresh one address; True when it is new. Safe when two replicas store it at once."""
    return remember_all(sessions, platform, workspace_id, [(scope, key)], conversation_id, address, now)[0]


def remember_all(sessions: sessionmaker[Session], platform: str, workspace_id: str,
                 keys: Sequence[tuple[Scope, str]], conversation_id: str, address: dict[str, Any],
                 now: datetime) -> list[bool]:
    """One address under several keys (a conversation and the person whose chat it is), in one transaction:
    this runs before a platform's request is acknowledged, so one commit instead of one per key."""
    with unit_of_work(sessions) as session:
        return [_remember(session, platform, workspace_id, scope, key, conversation_id, address, now)
                for scope, key in keys]


def _remember(session: Session, platform: str, workspace_id: str, scope: Scope, key: str, conversation_id: str,
              address: dict[str, Any], now: datetime) -> bool:
    row = _row(session, platform, workspace_id, scope, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(PlatformAddress(platform=platform, workspace_id=workspace_id, scope=scope, key=key,
                                            conversation_id=conversation_id, address=address,
                                            created_at=now, updated_at=now))
            return True
        except IntegrityError:
            row = _row(session, platform, workspace_id, scope, key)
            if row is None:  # pragma: no cover - the conflicting row vanished again
                raise
    if (row.conversation_id, row.address) != (conversation_id, address):
        row.conversation_id = conversation_id
        row.address = address
        row.updated_at = now
    return False


def find(sessions: sessionmaker[Session], platform: str, workspace_id: str, scope: Scope,
         key: str) -> dict[str, Any] | None:
    """The address stored under ``key``, or None when the platform never told us one."""
    with unit_of_work(sessions) as session:
        row = _row(session, platform, workspace_id, scope, key)
        return dict(row.address) if row is not None else None


def any_in_workspace(sessions: sessionmaker[Session], platform: str, workspace_id: str) -> dict[str, Any] | None:
    """The workspace's most recently refreshed address: its service and bot account reach new places there."""
    with unit_of_work(sessions) as session:
        row = session.scalars(select(PlatformAddress)
                              .where(PlatformAddress.platform == platform, PlatformAddress.workspace_id == workspace_id)
                              .order_by(PlatformAddress.updated_at.desc(), PlatformAddress.id.desc())).first()
        return dict(row.address) if row is not None else None


def _row(session: Session, platform: str, workspace_id: str, scope: Scope, key: str) -> PlatformAddress | None:
    return session.scalars(select(PlatformAddress).where(
        PlatformAddress.platform == platform, PlatformAddress.workspace_id == workspace_id,
        PlatformAddress.scope == scope, PlatformAddress.key == key)).first()
