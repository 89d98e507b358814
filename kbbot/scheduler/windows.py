"""What a digest covers: everything since the recipient's previous digest was sent, up to now.

Why not "the week before the scheduled moment": a person (or workspace) may
move their digest day or time, and a window read off the schedule then
overlaps the previous digest (day moved earlier: items shown twice) or leaves
a gap (day moved later: items never shown). The ledger knows when each sent
digest was built (its claim time, :func:`kbbot.scheduler.ledger.last_sent_at`),
so consecutive digests of one recipient tile time exactly, whatever the
schedule did in between. Absolute instants are compared, so a daylight-saving
change cannot stretch or shrink a window either.

Digests that were not sent (nothing worth saying, too late, refused) covered
nothing anyone read: the next one reaches back to the last one that was sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kbbot.scheduler import ledger
from kbbot.services.digest import Window

FIRST_WINDOW = timedelta(days=7)
"""A recipient's first digest: the last week, as a weekly digest promises."""

LONGEST_WINDOW = timedelta(days=28)
"""Someone back after months (or who switched digests back on) gets the last four weeks, not everything."""


def since_last_sent(session: Session, recipient: str, kind: str, end: datetime) -> Window:
    """The window of ``recipient``'s ``kind`` digest built at ``end``: ``[previous sent digest's build, end)``.

    ``end`` is the moment this digest is built (its claim time in the ledger),
    which is where the next one will begin.
    """
    previous = ledger.last_sent_at(session, recipient, kind, end)
    start = previous if previous is not None else end - FIRST_WINDOW
    return Window(start=max(start, end - LONGEST_WINDOW), end=end)
