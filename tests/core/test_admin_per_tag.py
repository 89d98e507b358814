"""Per-tag settings in ``/kb admin``: a tag's escalation channel and its re-verification interval.

Alice administers the workspace. She sends unanswered #terraform questions to
#tf-help and has #postgres answers re-checked every 30 days; the ladder and
the verification rule read exactly that. Bob, a member, is refused in his
language and changes nothing; every change is in the audit log with the tag,
its old value and its new one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from console_chat import Chat
from routing_support import Clock, Recorder, office_hours
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import Post
from kbbot.routing import ladder
from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, RoutingSettings, TagVerificationInterval

STEP_3 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # the repost step of a question asked Monday 10:00 in Amsterdam
SEARCH = "/kb search rotate staging database password"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(settings: Settings) -> Settings:
    return office_hours(settings, admins="alice", expert_notify="dm", routing_first_invites=1,
                        routing_repost_channel="C-ask-anything")


@pytest.fixture
def chat(sessions: sessionmaker[Session], office: Settings, clock: Clock) -> Chat:
    return Chat(sessions, office, clock)


def reposts(sessions: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, str]:
    """One routing round; what it reposted in channels, by channel."""
    recorder = Recorder()
    ladder.run(sessions, settings, {"console": recorder}, clock=clock)
    return {r.to.conversation_id: str(r.blocks) for r in recorder.sent if isinstance(r.to, Post)}


def audit_trail(sessions: sessionmaker[Session]) -> list[tuple[str | None, object, object]]:
    with unit_of_work(sessions) as session:
        return [(e.key, e.old_value, e.new_value)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_a_question_tagged_terraform_escalates_to_the_channel_set_for_terraform(
        chat: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    chat(":as carol", ":in #tf-help", "hi")
    assert "escalation for #terraform is now #C-tf-help (was #C-ask-anything)." in chat(
        ":as alice", "/kb admin set escalation Terraform #C-tf-help")
    panel = chat("/kb admin")
    assert "escalation: #C-ask-anything by default" in panel and "#terraform: #C-tf-help" in panel
    chat(":as alice", ":in #general", "/ask Which terraform version do we pin? #terraform")
    chat(":as alice", ":in #general", "/ask Where is the VPN config kept? #vpn")
    clock.set(STEP_3)
    reposted = reposts(sessions, office, clock)
    assert set(reposted) == {"C-tf-help", "C-ask-anything"}
    assert "terraform version" in reposted["C-tf-help"] and "VPN config" in reposted["C-ask-anything"]
    assert audit_trail(sessions) == [("tag_channel", None, {"terraform": "C-tf-help"})]


def test_a_reset_sends_the_tag_back_to_the_workspace_channel_and_private_channels_are_refused(
        chat: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    chat(":as bob", ":in #secret private", "hello")
    chat(":as alice nl")
    assert "`#C-secret` is geen openbaar kanaal" in chat("/kb beheer zet escalatie terraform #C-secret")
    assert "escalatie voor #terraform is nu #C-tf-help (was #C-ask-anything)." in chat(
        "/kb beheer zet escalatie terraform #C-tf-help")
    assert "escalatie voor #terraform is al #C-tf-help." in chat("/kb beheer zet escalatie terraform C-tf-help")
    assert "escalatie voor #terraform staat weer op de standaard, #C-ask-anything." in chat(
        "/kb beheer herstel escalatie terraform")
    assert "Gebruik `/kb beheer zet escalatie postgres #db-help`" in chat("/kb beheer zet escalatie terraform")
    chat(":in #general", "/ask Which terraform version do we pin? #terraform")
    clock.set(STEP_3)
    assert list(reposts(sessions, office, clock)) == ["C-ask-anything"]
    assert audit_trail(sessions) == [("tag_channel", None, {"terraform": "C-tf-help"}),
                                     ("tag_channel", {"terraform": "C-tf-help"}, None)]
    with unit_of_work(sessions) as session:
        assert session.scalars(select(RoutingSettings.tag_channels)).one() is None


def test_an_answer_tagged_postgres_is_due_after_the_interval_set_for_postgres(
        chat: Chat, sessions: sessionmaker[Session], clock: Clock) -> None:
    chat(":as alice", "/ask How do I rotate the staging database password? #postgres", ":as bob",
         ":reply 1 Use the vault CLI: vault write -f database/rotate-root/staging", ":as alice")
    assert "accepted" in chat(":react 2 ✅")
    assert "verify-every for #postgresql is now 30 days (was 180 days)." in chat(
        "/kb admin set verify-every postgres 30")  # the alias names the same tag
    assert "use a number of days from 1 to 3650" in chat("/kb admin set verify-every postgres 0")
    assert "#postgresql: 30 days" in chat("/kb admin")
    clock.advance(days=29)
    assert "due for a re-check" not in chat(":as erin", SEARCH)
    clock.advance(days=2)
    assert "due for a re-check" in chat(":as erin", SEARCH)
    chat(":as alice", "/kb admin reset verify-every postgres")
    assert "due for a re-check" not in chat(":as erin", SEARCH)  # the default, 180 days, again
    assert audit_trail(sessions) == [("tag_verification_days", None, {"postgresql": 30}),
                                     ("tag_verification_days", {"postgresql": 30}, None)]


def test_a_member_is_refused_in_his_language_and_nothing_changes(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "Only workspace admins can change kbbot's settings." in chat(
        ":as bob", "/kb admin set escalation terraform #C-tf-help")
    assert "Alleen beheerders van de werkruimte kunnen de instellingen van kbbot wijzigen." in chat(
        ":as daan nl", "/kb beheer zet bevestig-elke postgres 30")
    assert audit_trail(sessions) == []
    with unit_of_work(sessions) as session:
        assert session.scalars(select(RoutingSettings)).all() == []
        assert session.scalars(select(TagVerificationInterval)).all() == []


def test_the_settings_form_lists_fifteen_tags_says_how_many_more_and_saves_a_very_long_tag(
        chat: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    """The form the core hands any platform: its per-tag rows stay within what a submission may carry."""
    WORKSPACE = "local"  # the console's one workspace

    from kbbot.contract.events import Actor, FormRequested, FormSubmitted, Place
    from kbbot.pipeline import forms

    for number in range(17):
        chat(":as alice", f"/kb admin set verify-every topic-{number:02} {30 + number}")
    where = {"platform": "console", "workspace_id": WORKSPACE, "actor": Actor(id="alice"),
             "conversation": Place(id="dm-alice", kind="dm")}
    form = forms.open_form(sessions, office, clock(), FormRequested(**where, event_id="f1", form="settings"))
    rows = [name for name in form.names() if name.startswith("tag_days.")]
    assert rows == [f"tag_days.topic-{number:02}" for number in range(15)]
    assert form.notice is not None and "2 more tags have rules of their own" in form.notice
    assert len(form.fields) <= 64 and all(len(name) <= 64 for name in form.names())

    long_tag = "a-" + "very-long-topic-" * 4  # 66 characters: too long to be part of a field's name
    chat(":as alice", f"/kb admin set verify-every {long_tag} 45")
    again = forms.open_form(sessions, office, clock(), FormRequested(**where, event_id="f2", form="settings"))
    [name] = [n for n in again.names() if n.startswith("tag_days.a-very")]  # sorted first, so listed
    field = again.field(name)
    assert len(name) <= 64 and "~" in name and field is not None and field.value == "45"
    assert "3 more tags" in (again.notice or "")
    # The cut name still finds its tag: a bad value is refused beside it, a good one passes.
    refused = forms.form_verdict(sessions, office, clock(), FormSubmitted(
        **where, event_id="f3", form="settings", values={name: "0"}))
    assert refused is not None and refused.errors == {name: "0: use a number of days from 1 to 3650."}
    assert forms.form_verdict(sessions, office, clock(), FormSubmitted(
        **where, event_id="f4", form="settings", values={name: ""})) is None
