"""What the admin tests read back from the database: the audit trail, the workspace's settings, its per-tag rules.

Shared by the Slack and Teams settings-form tests, which check the same stored state after their platform's form.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.services import verification
from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, RoutingSettings, Workspace


def trail(sessions: sessionmaker[Session]) -> list[tuple[str | None, object, object]]:
    with unit_of_work(sessions) as session:
        return [(e.key, e.old_value, e.new_value) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def chosen(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with unit_of_work(sessions) as session:
        return dict(session.scalars(select(Workspace)).one().settings or {})


def tag_rules(sessions: sessionmaker[Session]) -> tuple[dict[str, str], dict[str, int]]:
    """The workspace's per-tag rules as the ladder and the verification rule read them: channels, days."""
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        routing = session.get(RoutingSettings, space.id)
        return dict((routing.tag_channels if routing else None) or {}), verification.tag_intervals(session, space.id)
