"""``/kb admin`` on Slack: Slack's own admin flag (users.info) decides, the change is audited and takes effect."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, Person
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text, ask, dms_to


def kb(slack: SlackServer, fake: FakeSlack, user: str, text: str, command: str = "/kb") -> str:
    fake.clear()
    form = fixture("command_ask.json", fake.response_url())
    form.update(user_id=user, user_name=user.removeprefix("U_").lower(), command=command, text=text)
    assert slack.command(form).status == 200
    slack.settle()
    return "\n".join(all_text(call.params["blocks"]) for call in fake.calls_to(RESPONSE_URL_METHOD))


def test_a_slack_admin_sets_expert_notification_to_dm_and_a_member_is_refused(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True

    assert "Only workspace admins can change kbbot's settings." in kb(slack, fake_slack, "U_BOB",
                                                                       "admin set expert-notify dm")
    listed = kb(slack, fake_slack, "U_ALICE", "admin")
    assert "kbbot settings for this workspace" in listed and "expert-notify: thread (default)" in listed
    assert "expert-notify is now dm for this workspace (was thread)." in kb(
        slack, fake_slack, "U_ALICE", "admin set expert-notify dm")

    kb(slack, fake_slack, "U_BOB", "add postgres", command="/expertise")
    fake_slack.clear()
    ask(slack, fake_slack)  # Alice asks about #postgres: Bob is told by DM now, not in the thread
    [dm] = dms_to(fake_slack, "U_BOB")
    assert "A colleague asks about #postgresql in #general" in all_text(dm.json_param("blocks"))

    with unit_of_work(sessions) as session:
        (entry,) = session.scalars(select(AuditEntry)).all()
        who = session.get(Person, entry.person_id)
        assert who is not None and who.external_id == "U_ALICE"
        assert (entry.actor, entry.action, entry.key, entry.old_value, entry.new_value) == (
            "chat", "setting", "expert_notify", None, "dm")


def test_a_dutch_member_is_refused_in_dutch(slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_DAAN", "daan", locale="nl-NL", tz="Europe/Amsterdam")
    refused = kb(slack, fake_slack, "U_DAAN", "beheer zet samenvattingsdag di")
    assert "Alleen beheerders van de werkruimte kunnen de instellingen van kbbot wijzigen." in refused


def test_alice_is_forgotten_on_slack_after_pressing_the_confirmation(
        slack: SlackServer, fake_slack: FakeSlack, engine) -> None:  # type: ignore[no-untyped-def]
    from privacy_support import traces
    from test_slack_conversations import buttons

    ask(slack, fake_slack, text="How do I rotate the staging database password? #postgres")
    assert traces(engine, "U_ALICE", "Alice Asker")
    fake_slack.clear()
    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(user_id="U_ALICE", user_name="alice", command="/kb", text="forget me")
    assert slack.command(form).status == 200
    slack.settle()
    [confirmation] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "Erase everything kbbot holds about you?" in all_text(confirmation.params["blocks"])
    button = buttons(confirmation.params["blocks"])["Yes, forget me"]
    click = fixture("block_actions_ephemeral.json", fake_slack.response_url("r2"))
    click["user"].update(id="U_ALICE", username="alice", name="alice")
    click["actions"][0].update(action_id=button["action_id"], value=button["value"])
    assert slack.action(click).status == 200
    slack.settle()
    [done] = [c for c in fake_slack.calls_to(RESPONSE_URL_METHOD) if c.params.get("replace_original")]
    assert "kbbot no longer holds anything about you" in all_text(done.params["blocks"])
    assert traces(engine, "U_ALICE", "Alice Asker") == []
    listed = kb(slack, fake_slack, "U_BOB", "search staging database password")
    assert "asked by a former colleague" in listed
