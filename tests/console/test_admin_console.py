"""``/kb admin`` in the console: KBBOT_ADMINS decides, every change is audited, and settings take effect."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from console_chat import Chat
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, Workspace


@pytest.fixture
def admin_chat(sessions: sessionmaker[Session], settings: Settings) -> Chat:
    return Chat(sessions, settings.model_copy(update={"admins": "alice"}))


def test_an_admin_sets_the_questions_channel_and_a_question_asked_in_a_dm_goes_there(admin_chat: Chat) -> None:
    chat = admin_chat
    before = chat(":as bob", ":dm", "/ask How do we book a meeting room?")
    assert "ask an admin to set a questions channel" in before and "Question from" not in before
    assert "questions-channel is now #C-questions for this workspace (was not set)." in chat(
        ":as alice", "/kb admin set questions-channel <#C-questions|questions>")
    after = chat(":as bob", ":dm", "/ask Where do I find the expense policy?")
    assert "kbbot in #questions:" in after and "Question from Bob" in after
    assert "Your question is posted in #C-questions." in after


def test_members_are_refused_in_their_language_and_nothing_changes(admin_chat: Chat,
                                                                   sessions: sessionmaker[Session]) -> None:
    chat = admin_chat
    assert "Only workspace admins can change kbbot's settings." in chat(":as bob", "/kb admin")
    assert "Alleen beheerders van de werkruimte kunnen de instellingen van kbbot wijzigen." in chat(
        ":as bob nl", "/kb beheer zet samenvattingsdag di")
    with unit_of_work(sessions) as session:
        assert session.scalars(select(AuditEntry)).all() == []
        assert all(not space.settings for space in session.scalars(select(Workspace)))


def test_bad_values_are_explained_and_a_reset_goes_back_to_the_default(admin_chat: Chat) -> None:
    chat = admin_chat
    chat(":as alice")
    assert "Prompts go out on workdays only" in chat("/kb admin set prompt-day sat")
    assert "`25:00` is not a time: use HH:MM." in chat("/kb admin set digest-time 25:00")
    assert "use a number of days from 1 to 7" in chat("/kb admin set retention-events 30")
    assert "There is no setting `colour`." in chat("/kb admin set colour blue")
    assert "Use `/kb admin`" in chat("/kb admin frobnicate")
    assert "working-hours is now 08:30-17:00" in chat("/kb admin set working-hours 8:30-17:00")
    assert "retention-posts is now 90 days" in chat("/kb admin set retention-posts 90")
    assert "retention-posts already is 90 days." in chat("/kb admin set retention-posts 90")
    assert "retention-posts is back to the default, kept." in chat("/kb admin reset retention-posts")
    dutch = chat(":as alice nl", "/kb beheer zet welkom uit", "/kb beheer")
    assert "welkom is nu uit voor deze werkruimte (was aan)." in dutch
    assert "welkom: uit (hier ingesteld)" in dutch and "werktijden: 08:30-17:00 (hier ingesteld)" in dutch
    assert "samenvattingsdag: mon (standaard)" in dutch


def test_the_audit_trail_says_who_changed_what_when_from_what_to_what(
        admin_chat: Chat, sessions: sessionmaker[Session], settings: Settings,
        capsys: pytest.CaptureFixture[str]) -> None:
    chat = admin_chat
    chat(":as alice", "/kb admin set digest-day tue", "/kb admin set digest-day wed", "/kb admin reset digest-day",
         "/kb admin set erasure delete")
    with unit_of_work(sessions) as session:
        trail = [(e.actor, e.action, e.key, e.old_value, e.new_value)
                 for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        first = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        assert first is not None
        first.created_at = datetime(2026, 1, 1, tzinfo=timezone.utc)  # an old entry, before --since
    assert trail == [("chat", "setting", "digest_day", None, "tue"), ("chat", "setting", "digest_day", "tue", "wed"),
                     ("chat", "setting", "digest_day", "wed", None),
                     ("chat", "setting", "erasure_knowledge", None, "delete")]

    def run(*argv: str) -> int:
        return cli.main(["--database-url", settings.database_url, *argv],
                        settings_factory=lambda **kw: Settings(_env_file=None, **kw))

    capsys.readouterr()
    assert run("audit") == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and "console:Local console  Alice  setting digest_day: – → \"tue\"" in printed[0]
    since = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    assert run("audit", "--since", since) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert run("audit", "--since", "yesterday") == 2
    assert "cannot read --since" in capsys.readouterr().err


def test_the_panel_offers_the_few_valued_settings_as_buttons_and_a_click_is_a_change(
        admin_chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat = admin_chat
    panel = chat(":as alice", "/kb admin")
    assert "expert-notify: thread (default)" in panel
    clicked = chat(f":click {chat.button('dm', panel)}")
    assert "expert-notify is now dm for this workspace (was thread)." in clicked
    assert "expert-notify: dm (set here)" in clicked
    assert "Only workspace admins" in chat(":as bob", f":click {chat.button('off', clicked)}")
    with unit_of_work(sessions) as session:
        assert [(e.key, e.new_value) for e in session.scalars(select(AuditEntry))] == [("expert_notify", "dm")]


def test_working_hours_and_welcome_set_in_chat_are_what_routing_and_the_welcome_read(
        admin_chat: Chat, sessions: sessionmaker[Session], settings: Settings) -> None:
    from kbbot.routing.policy import policy
    from kbbot.services import welcome

    chat = admin_chat
    chat(":as alice", "/kb admin set working-hours 10:00-15:30", "/kb admin set welcome off")
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        found = policy(session, settings, space.id)
        assert (found.work_start, found.work_end) == ("10:00", "15:30")  # invitations wait for these hours
        assert not welcome.enabled(space, settings)  # newcomers are not greeted here
    chat("/kb admin reset working-hours", "/kb admin set welcome on")
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        found = policy(session, settings, space.id)
        assert (found.work_start, found.work_end) == (settings.routing_work_start, settings.routing_work_end)
        assert welcome.enabled(space, settings)
