"""The activity log: raw material for the consume → contribute → create picture.

It records kinds of acts, not content, so the adoption figures never need to
read what anyone wrote. Which kind counts towards which stage is decided in
one place, :mod:`kbbot.services.stats`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kbbot.store.models import Activity, Person


def log(session: Session, person: Person, kind: str, now: datetime, subject_id: int | None = None) -> None:
    """Record that ``person`` did ``kind`` (to ``subject_id``, a question or answer id)."""
    session.add(Activity(workspace_id=person.workspace_id, person_id=person.id, kind=kind,
                         subject_id=subject_id, created_at=now))
