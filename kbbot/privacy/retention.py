"""Retention: what each workspace keeps, and for how long, deleted by a scheduled job.

Every kind of record has a default here and may be shortened (or, for
knowledge, limited at all) by the workspace's admin with ``/kb admin set``.
Handled inbound events keep no content, only their platform key, and carry no
workspace once handled, so the shortest period any workspace of a platform
chose applies to that platform's events. Deleting what is old is safe to run
on every replica at once: a row is deleted once whoever gets to it first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, AuditEntry, InboundEvent, OutboxReply, Question, SharedPost, Workspace

log = logging.getLogger(__name__)

EVENTS, OUTBOX, AUDIT, POSTS, KNOWLEDGE, DELETED = "events", "outbox", "audit", "posts", "knowledge", "deleted"
KINDS = (EVENTS, OUTBOX, AUDIT, POSTS, KNOWLEDGE, DELETED)
DEFAULT_DAYS: dict[str, int | None] = {EVENTS: 7, OUTBOX: 30, AUDIT: 730, POSTS: None, KNOWLEDGE: None, DELETED: 30}
"""``deleted``: an answer whose message was deleted on the platform is kept (hidden, its text as a
revision) for this long, so that a mistaken deletion can be looked into; then it is gone for good."""
"""Days each kind is kept unless the workspace says otherwise; ``None``: kept until deleted or erased."""
LIMITS: dict[str, tuple[int, int, bool]] = {EVENTS: (1, 7, False), OUTBOX: (1, 30, False), AUDIT: (30, 36_500, True),
                                            POSTS: (1, 36_500, True), KNOWLEDGE: (30, 36_500, True),
                                            DELETED: (1, 30, False)}
"""Per kind: the fewest and most days an admin may choose, and whether "keep" (forever) is allowed.
Events and failed replies are forgotten by housekeeping after 7 and 30 days anyway; the audit
trail and knowledge are never cut to less than a month by a slip of the keyboard."""


def setting_key(kind: str) -> str:
    """The key in ``Workspace.settings``."""
    return f"retention_{kind}_days"


def days(settings: dict | None, kind: str) -> int | None:
    """The workspace's period for ``kind``, else the default; ``None`` keeps everything."""
    chosen = settings or {}
    if setting_key(kind) not in chosen:
        return DEFAULT_DAYS[kind]
    value = chosen[setting_key(kind)]
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class Pruned:
    events: int = 0
    outbox: int = 0
    audit: int = 0
    posts: int = 0
    questions: int = 0
    deleted_answers: int = 0

    def total(self) -> int:
        return self.events + self.outbox + self.audit + self.posts + self.questions + self.deleted_answers


def prune(session: Session, now: datetime) -> Pruned:
    """Delete, in every workspace, what is older than its retention; how many of each."""
    counts = dict(events=0, outbox=0, audit=0, posts=0, questions=0, deleted_answers=0)
    shortest_events: dict[str, int] = {}
    for space in session.scalars(select(Workspace)):
        settings = space.settings or {}
        if (kept := days(settings, EVENTS)) is not None:
            shortest_events[space.platform] = min(kept, shortest_events.get(space.platform, kept))
        if (kept := days(settings, OUTBOX)) is not None:
            counts["outbox"] += session.execute(delete(OutboxReply).where(
                OutboxReply.platform == space.platform, OutboxReply.workspace_id == space.external_id,
                OutboxReply.created_at < now - timedelta(days=kept))).rowcount
        if (kept := days(settings, AUDIT)) is not None:
            counts["audit"] += session.execute(delete(AuditEntry).where(
                AuditEntry.workspace_id == space.id, AuditEntry.created_at < now - timedelta(days=kept))).rowcount
        if (kept := days(settings, POSTS)) is not None:
            counts["posts"] += session.execute(delete(SharedPost).where(
                SharedPost.workspace_id == space.id, SharedPost.created_at < now - timedelta(days=kept))).rowcount
        if (kept := days(settings, KNOWLEDGE)) is not None:
            # Knowledge ages from its last change: an old question answered last week is still alive.
            counts["questions"] += session.execute(delete(Question).where(
                Question.workspace_id == space.id, Question.updated_at < now - timedelta(days=kept))).rowcount
        if (kept := days(settings, DELETED)) is not None:
            # With the answer go its revisions (the deleted text), votes and flags (ON DELETE CASCADE).
            counts["deleted_answers"] += session.execute(delete(Answer).where(
                Answer.question_id.in_(select(Question.id).where(Question.workspace_id == space.id)),
                Answer.deleted_at < now - timedelta(days=kept))).rowcount
    for platform, kept in shortest_events.items():
        counts["events"] += session.execute(delete(InboundEvent).where(
            InboundEvent.platform == platform, InboundEvent.status != "pending",
            InboundEvent.received_at < now - timedelta(days=kept))).rowcount
    return Pruned(**counts)


def run_once(sessions: sessionmaker[Session], now: datetime) -> Pruned:
    """One pass, in one transaction (the scheduler's retention job)."""
    with unit_of_work(sessions) as session:
        pruned = prune(session, now)
    if pruned.total():
        log.info("retention deleted %s", pruned)
    return pruned
