"""``/kb my data`` and ``kbbot people export``: every row about the person, from every table that refers to people."""

from __future__ import annotations

import json
import re

import pytest
from console_chat import Chat
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli
from kbbot.config import Settings
from kbbot.privacy import personal
from kbbot.store.db import unit_of_work
from kbbot.store.models import Base, Person
from privacy_support import wilhelminas_week


def _rows_about(sessions: sessionmaker[Session], person_id: int, external_id: str) -> dict[str, int]:
    """Per ``table.column``, how many rows of the database refer to the person, found independently of the export."""
    counts: dict[str, int] = {}
    with unit_of_work(sessions) as session:
        for found in personal.person_columns():
            count = session.scalar(select(func.count()).select_from(found.table).where(found.column == person_id))
            if count:
                counts[found.key] = count
        for ref in personal.REFERENCES:
            table = Base.metadata.tables[ref.table]
            value = ref.template.format(id=person_id, external_id=external_id)
            count = session.scalar(select(func.count()).select_from(table).where(
                table.c[ref.column] == value, *(table.c[k] == v for k, v in ref.where)))
            if count:
                counts[f"{ref.table}.{ref.column}"] = count
    return counts


def _export_in(shown: str) -> dict:
    parts = re.findall(r"```\n(.*?)\n *│ ```", shown, re.DOTALL)
    return json.loads("\n".join(re.sub(r"^ *│ ", "", part, flags=re.MULTILINE) for part in parts))


def test_my_data_sends_every_row_about_her_by_direct_message(chat: Chat, sessions: sessionmaker[Session]) -> None:
    wilhelminas_week(chat, sessions)
    with unit_of_work(sessions) as session:
        her = session.scalars(select(Person).where(Person.external_id == "wilhelmina")).one()
    expected = _rows_about(sessions, her.id, her.external_id)
    # The scenario touches most tables that refer to people; the export must match each one.
    assert len(expected) >= 9, expected

    shown = chat(":as wilhelmina", ":in #general", "/kb my data")
    assert "kbbot → DM to wilhelmina" in shown
    assert "I sent you everything kbbot holds about you in a direct message." in shown
    data = _export_in(shown)
    assert data["person"]["external_id"] == "wilhelmina" and data["person"]["display_name"] == "Wilhelmina"
    assert {key: len(rows) for key, rows in data["tables"].items()} == expected
    assert {row["text"] for row in data["tables"]["shared_posts.author_id"]} == {
        "Just for me: wilhelmina keeps forgetting the etcd flags", "Learned how harbor replication works"}
    assert "Bob" not in json.dumps(data)  # colleagues appear as ids, never by name

    dutch = chat(":as wilhelmina nl", ":dm", "/kb mijn gegevens")
    assert "Alles wat kbbot over je bewaart" in dutch and "Deel 1 van" in dutch
    assert "Typ `/kb mijn gegevens`." in chat("/kb mijn fiets")


def test_the_operator_exports_a_persons_data_as_json_and_the_export_is_audited(
        chat: Chat, sessions: sessionmaker[Session], settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    wilhelminas_week(chat, sessions)

    def run(*argv: str) -> int:
        return cli.main(["--database-url", settings.database_url, *argv],
                        settings_factory=lambda **kw: Settings(_env_file=None, **kw))

    capsys.readouterr()
    assert run("people", "export", "wilhelmina") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "kbbot-personal-data/1"
    assert {key: len(rows) for key, rows in data["tables"].items()} == _rows_about(
        sessions, data["person"]["id"], "wilhelmina")
    assert run("audit", "--json") == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["who"] == "operator" and entry["action"] == "export"
