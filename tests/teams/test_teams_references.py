"""Teams' conversation references, kept by the core's address port, and the migration that moved them there.

Until migration 0012 the Teams adapter had a table of its own
(``teams_conversation_references``); references stored there must keep
reaching people after the upgrade, and the downgrade must give them back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import DirectMessage, Reply, Text
from kbbot.pipeline import addresses
from kbbot.store.db import _alembic_config, make_engine, session_factory, upgrade
from teams_support import ids
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import TeamsHarness, card_texts, teams_settings

pytest_plugins = ["teams_support.fixtures"]  # the fake

OLD = "teams_conversation_references"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_an_address_is_stored_once_and_refreshed(sessions: sessionmaker[Session]) -> None:
    reference = {"conversation": {"id": "a:1", "conversationType": "personal"}, "serviceUrl": "https://s/emea/"}
    assert addresses.remember(sessions, "teams", "tenant", addresses.PERSON, "29:x", "a:1", reference, NOW) is True
    moved = {**reference, "serviceUrl": "https://s/amer/"}
    assert addresses.remember(sessions, "teams", "tenant", addresses.PERSON, "29:x", "a:1", moved,
                              NOW + timedelta(days=1)) is False
    assert addresses.find(sessions, "teams", "tenant", addresses.PERSON, "29:x") == moved
    assert addresses.find(sessions, "teams", "other-tenant", addresses.PERSON, "29:x") is None
    assert addresses.find(sessions, "slack", "tenant", addresses.PERSON, "29:x") is None
    assert addresses.any_in_workspace(sessions, "teams", "tenant") == moved
    assert addresses.any_in_workspace(sessions, "teams", "other-tenant") is None


def _seed_old_reference(engine: Engine, fake: FakeMicrosoft) -> None:
    """Alice's personal chat as the adapter stored it before 0012 (its JSON without ``serviceUrl``, as some were)."""
    old = sa.table(OLD, sa.column("tenant_id"), sa.column("scope"), sa.column("key"), sa.column("conversation_id"),
                   sa.column("service_url"), sa.column("reference", sa.JSON), sa.column("created_at"),
                   sa.column("updated_at"))
    reference = {"bot": {"id": f"28:{fake.app_id}", "name": "kbbot"}, "user": {"id": ids.ALICE_ID},
                 "channelId": "msteams",
                 "conversation": {"id": ids.ALICE_PERSONAL_CONVERSATION_ID, "conversationType": "personal",
                                  "tenantId": ids.TENANT_ID}}
    with engine.begin() as connection:
        connection.execute(sa.insert(old).values(
            tenant_id=ids.TENANT_ID, scope="person", key=ids.ALICE_ID,
            conversation_id=ids.ALICE_PERSONAL_CONVERSATION_ID, service_url=fake.service_url,
            reference=reference, created_at=NOW, updated_at=NOW))


def test_a_reference_stored_before_0012_still_reaches_its_person_after_the_upgrade(
        fake: FakeMicrosoft, settings: Settings, db_url: str) -> None:
    command.downgrade(_alembic_config(db_url), "0011")
    engine = make_engine(db_url)
    try:
        assert OLD in inspect(engine).get_table_names()
        assert "platform_addresses" not in inspect(engine).get_table_names()
        _seed_old_reference(engine, fake)
        upgrade(db_url)
        assert OLD not in inspect(engine).get_table_names()

        teams = TeamsHarness(fake, settings, session_factory(engine), teams_settings(fake)).start()
        try:
            assert teams.outbound is not None
            prompt = Reply(text="What did you learn this week?", to=DirectMessage(person_id=ids.ALICE_ID),
                           blocks=[Text(text="What did you learn this week?")])
            posted = teams.outbound.send(ids.TENANT_ID, prompt)
            (sent,) = fake.sent
            assert sent.kind == "send"  # no new chat: the migrated reference is used
            assert sent.conversation_id == ids.ALICE_PERSONAL_CONVERSATION_ID
            assert posted is not None and sent.assigned_id == posted.message_id
            assert card_texts(sent) == ["What did you learn this week?"]
        finally:
            teams.stop()
    finally:
        engine.dispose()


@pytest.mark.parametrize("teams_sdk", ["agents"], indirect=True)  # a schema test: once is enough, no SDK runs
def test_the_downgrade_gives_the_references_back(fake: FakeMicrosoft, db_url: str) -> None:
    command.downgrade(_alembic_config(db_url), "0011")
    engine = make_engine(db_url)
    try:
        _seed_old_reference(engine, fake)
        upgrade(db_url)
        command.downgrade(_alembic_config(db_url), "0011")
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                f"SELECT tenant_id, scope, key, conversation_id, service_url FROM {OLD}")).all()
        assert [tuple(row) for row in rows] == [(ids.TENANT_ID, "person", ids.ALICE_ID,
                                                 ids.ALICE_PERSONAL_CONVERSATION_ID, fake.service_url)]
        upgrade(db_url)
    finally:
        engine.dispose()
