"""The data export (GDPR article 15): every row kbbot holds about a person, as JSON.

The same walk as erasure (:mod:`kbbot.privacy.personal`): each table's rows
whose person columns point at them, and the rows that name them without a
foreign key, keyed ``<table>.<column>``. Questions they asked anonymously are
theirs and are included; other people are present only as ids, never names.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from kbbot.privacy import personal
from kbbot.store.models import Person, Workspace

FORMAT = "kbbot-personal-data/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value  # an enum member
    return value


def _rows(session: Session, table: Table, condition: Any) -> list[dict[str, Any]]:
    order = list(table.primary_key.columns)
    return [{key: _plain(value) for key, value in row._mapping.items()}
            for row in session.execute(select(table).where(condition).order_by(*order))]


def collect(session: Session, person: Person, now: datetime) -> dict[str, Any]:
    """Everything about ``person``: their profile, then every table's rows about them."""
    space = session.get(Workspace, person.workspace_id)
    assert space is not None
    people = personal.Base.metadata.tables[personal.PEOPLE]
    tables: dict[str, list[dict[str, Any]]] = {}
    for found in personal.person_columns():
        rows = _rows(session, found.table, found.column == person.id)
        if rows:
            tables[found.key] = rows
    for ref in personal.REFERENCES:
        condition = ref.condition(person.id, person.external_id, space.platform, space.external_id)
        rows = _rows(session, personal.Base.metadata.tables[ref.table], condition)
        if rows:
            tables[f"{ref.table}.{ref.column}"] = rows
    return {
        "format": FORMAT,
        "generated_at": now.isoformat(),
        "workspace": {"platform": space.platform, "id": space.external_id, "name": space.name},
        "person": _rows(session, people, people.c.id == person.id)[0],
        "tables": tables,
    }


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str)
