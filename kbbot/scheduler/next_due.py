"""When each person is next due: a round reads the people due now, not everyone.

Working out a person's moment (their timezone, their own days, the
workspace's, the defaults) costs little once and a lot per minute for
everyone: the round remembers, per person, the next moment after the one it
just handled (:class:`kbbot.store.scheduling.ScheduleNext`) and reads only
the people whose moment has come. Every :data:`LOOK_EVERYWHERE` (and at a
process's first round) it also looks for people with no row, or a row worked
out under other defaults (``basis``: the operator changed
``KBBOT_DIGEST_DAY`` and restarted).

Forgetting is automatic: a flush that changes anything a moment depends on
deletes the affected rows (:func:`_forget_changed`), whichever service made
the change. The delivery ledger still decides what is sent, so a row
worked out too early or twice costs a look, never a second message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import ColumnElement, delete, event, inspect, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kbbot.config import Settings
from kbbot.store.models import Person, Workspace
from kbbot.store.scheduling import PersonSchedule, ScheduleNext
from kbbot.weekly.schedules import DIGEST, PROMPT, moment

LOOK_EVERYWHERE = timedelta(minutes=10)
"""How often a round also looks for people with no next moment (new, or changed): a scan of everyone, cheap
but not free; every other round reads only the index of due moments. Far inside the misfire grace window."""

PERSON_FIELDS = ("timezone", "prompts_enabled", "digest_enabled", "is_active", "is_bot", "removed_at", "workspace_id")
"""What of a person decides whether and when they are due."""


def basis(settings: Settings) -> str:
    """A short fingerprint of the operator's defaults the rows were worked out under."""
    defaults = [(kind, moment(settings, kind, "UTC", None, None)) for kind in (PROMPT, DIGEST)]
    return hashlib.sha256(repr(defaults).encode()).hexdigest()[:16]


def stale(now: datetime, current: str) -> ColumnElement[bool]:
    """People to work out this round (with :data:`ScheduleNext` outer-joined): due, never worked out, or out of date."""
    return or_(ScheduleNext.person_id.is_(None), ScheduleNext.next_at <= now, ScheduleNext.basis != current)


def remember(session: Session, next_at: Mapping[int, datetime], current: str) -> None:
    """Store each person's next moment (in person order, so two rounds never wait on each other's rows)."""
    if not next_at:
        return
    rows = [{"person_id": person, "next_at": at, "basis": current} for person, at in sorted(next_at.items())]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ScheduleNext)
    session.connection().execute(statement.on_conflict_do_update(
        index_elements=[ScheduleNext.person_id],
        set_={"next_at": statement.excluded.next_at, "basis": statement.excluded.basis}), rows)  # an executemany


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _forget_changed(session: Session, flush_context: Any, instances: Any) -> None:
    """Delete the next moments that a change in this flush makes wrong (worked out again next round)."""
    people: set[int] = set()
    spaces: set[int] = set()
    for obj in chain(session.dirty, session.new, session.deleted):
        if isinstance(obj, PersonSchedule) and obj.person_id is not None:
            people.add(obj.person_id)
        elif isinstance(obj, Person) and obj.id is not None and _changed(obj, PERSON_FIELDS):
            people.add(obj.id)
        elif isinstance(obj, Workspace) and obj.id is not None and _changed(obj, ("settings",)):
            spaces.add(obj.id)
    if not (people or spaces):
        return
    connection = session.connection()  # not session.execute: that would flush again, inside this flush
    if people:
        connection.execute(delete(ScheduleNext).where(ScheduleNext.person_id.in_(sorted(people))))
    if spaces:
        connection.execute(delete(ScheduleNext).where(ScheduleNext.person_id.in_(
            select(Person.id).where(Person.workspace_id.in_(sorted(spaces))))))
