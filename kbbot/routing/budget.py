"""Ping budgets: how many invitations a person gets a week, and the counter that enforces it.

The counter is one row per person and week. :func:`reserve` raises it with
``UPDATE … SET used = used + 1 WHERE used < budget`` inside the transaction
that records the invitation: on PostgreSQL the row lock makes a concurrent
asker wait and then re-check ``used`` against the committed value, so two
askers can never both take a person's last ping. SQLite has one writer at a
time, which gives the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kbbot.store.models import PingCount, RoutingPreference

MAX_PINGS = 50


def pings_for(session: Session, person_id: int, default: int) -> int:
    """A person's own weekly budget, else the workspace's ``default``."""
    own = session.get(RoutingPreference, person_id)
    return own.pings_per_week if own is not None else default


def budgets(session: Session, person_ids: Iterable[int], default: int) -> dict[int, int]:
    """:func:`pings_for` for many people in one query."""
    ids = list(person_ids)
    own = dict(session.execute(select(RoutingPreference.person_id, RoutingPreference.pings_per_week)
                               .where(RoutingPreference.person_id.in_(ids))).all()) if ids else {}
    return {person_id: own.get(person_id, default) for person_id in ids}


def set_pings(session: Session, person_id: int, pings: int, now: datetime) -> None:
    """``/kb settings pings N``: the person's own budget from now on (0: never invite me)."""
    own = session.get(RoutingPreference, person_id)
    if own is None:
        session.add(RoutingPreference(person_id=person_id, pings_per_week=pings, updated_at=now))
    else:
        own.pings_per_week, own.updated_at = pings, now


def used(session: Session, person_ids: Iterable[int], periods: dict[int, str]) -> dict[int, int]:
    """Invitations already counted for each person in their week ``periods[person]``."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.execute(select(PingCount.person_id, PingCount.period, PingCount.used)
                           .where(PingCount.person_id.in_(ids), PingCount.period.in_(set(periods.values()))))
    found = {(person_id, period): count for person_id, period, count in rows}
    return {person_id: found.get((person_id, periods[person_id]), 0) for person_id in ids}


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert(PingCount) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(PingCount)


def reserve(session: Session, person_id: int, period: str, budget: int) -> bool:
    """Count one invitation against ``person_id``'s week ``period``; False (nothing counted) when over budget.

    Runs in the caller's transaction, which records the invitation: a
    rollback takes the count back with it.
    """
    if budget <= 0:
        return False
    session.execute(_insert(session).values(person_id=person_id, period=period, used=0)
                    .on_conflict_do_nothing(index_elements=["person_id", "period"]))
    result = session.execute(update(PingCount)
                             .where(PingCount.person_id == person_id, PingCount.period == period,
                                    PingCount.used < budget)
                             .values(used=PingCount.used + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def release(session: Session, person_id: int, period: str) -> None:
    """Give back a ping that was never used (a waiting invitation whose question was settled first)."""
    session.execute(update(PingCount).where(PingCount.person_id == person_id, PingCount.period == period,
                                            PingCount.used > 0)
                    .values(used=PingCount.used - 1).execution_options(synchronize_session=False))
