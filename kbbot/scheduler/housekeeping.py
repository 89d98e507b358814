"""Housekeeping: forget what kbbot no longer needs, so its tables stay the size of recent traffic.

A registered job of the scheduler (:mod:`kbbot.scheduler.jobs`), like the
delivery round, so every ``kbbot serve`` replica runs it on the same
schedule; deleting what is old is safe to do twice.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.pipeline import inbox, outbox

log = logging.getLogger(__name__)


def prune_once(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """Forget old handled events and failed replies; the counts of each."""
    events = 0
    while (removed := inbox.prune(sessions, system_clock())) > 0:
        events += removed
    replies = outbox.prune(sessions, system_clock())
    if events or replies:
        log.info("forgot %d handled events and %d failed replies", events, replies)
    return events, replies
