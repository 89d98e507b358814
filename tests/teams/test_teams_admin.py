"""``admin`` on Teams: admins are the ids the operator lists in KBBOT_ADMINS; the words are the console's."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from teams_support.activities import ALICE, BOB, DAAN, personal, submit
from teams_support.harness import TeamsHarness, card_actions, card_texts

from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, Workspace
from kbbot.weekly.schedules import DIGEST, moment

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admins": f"teams:{ALICE.id}, slack:U_SOMEONE_ELSE"})


def said(teams: TeamsHarness, who, text: str) -> str:  # type: ignore[no-untyped-def]
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, who, text))
    return "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))


def test_an_admin_named_by_the_operator_moves_the_digest_day_and_others_are_refused(
        teams: TeamsHarness, settings: Settings, sessions: sessionmaker[Session]) -> None:
    assert "Only workspace admins can change kbbot's settings." in said(teams, BOB, "admin set digest-day tue")
    assert "Alleen beheerders van de werkruimte" in said(teams, DAAN, "beheer zet samenvattingsdag di")

    listed = said(teams, ALICE, "admin")
    assert "digest-day: mon (default)" in listed and "/kb" not in listed  # Teams people type words
    assert "digest-day is now tue for this workspace (was mon)." in said(teams, ALICE, "admin set digest-day tue")

    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        assert moment(settings, DIGEST, "Europe/Amsterdam", space.settings, None).day == "tue"
        (entry,) = session.scalars(select(AuditEntry)).all()
        assert (entry.key, entry.old_value, entry.new_value) == ("digest_day", None, "tue")


def test_the_admin_panel_is_an_adaptive_card_whose_buttons_change_a_setting(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, ALICE, "admin"))
    (panel,) = teams.seen_since(mark)
    [dm] = [action for action in card_actions(panel) if action["title"] == "dm"]
    mark = len(teams.fake.sent)
    teams.post(submit(teams.fake, ALICE, dm["data"], panel.assigned_id, panel.conversation_id))
    shown = "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))
    assert "expert-notify is now dm for this workspace (was thread)." in shown
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Workspace)).one().settings == {"expert_notify": "dm"}


def test_daan_is_forgotten_on_teams_and_no_address_or_name_of_his_is_left(
        teams: TeamsHarness, engine) -> None:  # type: ignore[no-untyped-def]
    from privacy_support import traces

    said(teams, DAAN, "vraag Hoe herstart ik een pod? #kubernetes")
    assert traces(engine, DAAN.id, DAAN.name)
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "vergeet mij"))
    (confirmation,) = teams.seen_since(mark)
    assert "Alles wissen wat kbbot over je bewaart?" in card_texts(confirmation)
    [yes] = [action for action in card_actions(confirmation) if action["title"] == "Ja, vergeet mij"]
    mark = len(teams.fake.sent)
    teams.post(submit(teams.fake, DAAN, yes["data"], confirmation.assigned_id, confirmation.conversation_id))
    assert any("kbbot bewaart niets meer over je" in text for item in teams.seen_since(mark)
               for text in card_texts(item))
    assert traces(engine, DAAN.id, DAAN.name) == []
