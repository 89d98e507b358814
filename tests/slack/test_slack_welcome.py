"""Newcomers on Slack: ``team_join`` and ``member_joined_channel`` as Slack sends them, one DM per person.

Nina joins the workspace and Slack puts her in three channels: four
events, one greeting, in her language, listing what #general already
knows (and nothing from the private channel she is not in).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture, running_slack_server
from kbbot_adapters.slack.settings import SlackSettings

from test_slack_save_thread import BOB_REPLY, ROOT, seed_thread, shortcut, submit


def join_channel(slack: SlackServer, user: str, channel: str, channel_type: str = "C", number: int = 0) -> None:
    envelope = fixture("event_member_joined_channel.json")
    envelope["event"].update(user=user, channel=channel, channel_type=channel_type)
    envelope["event_id"] = f"Ev0JOINED{user}{channel}{number}"
    assert slack.event(envelope).status == 200
    slack.settle()


def join_team(slack: SlackServer, fake: FakeSlack, user: str = "U_NEW", locale: str = "en-US") -> None:
    envelope = fixture("event_team_join.json")
    envelope["event"]["user"]["id"] = user
    fake.methods.workspace.add_user(user, envelope["event"]["user"]["name"], real_name="Nina Nieuw", locale=locale)
    assert slack.event(envelope).status == 200
    slack.settle()


def dms_to(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [call.params for call in fake.calls_to("chat.postMessage") if call.params["channel"] == user]


def text_of(params: dict[str, Any]) -> str:
    return json.dumps(params["blocks"], ensure_ascii=False)


def some_knowledge(slack: SlackServer, fake: FakeSlack) -> None:
    """Bob saved Alice's #general thread about the staging password: accepted knowledge in #general."""
    seed_thread(fake)
    view = shortcut(slack, fake)
    assert view is not None
    submit(slack, view, question="How do we rotate the staging database password?", answer=BOB_REPLY, tags="#vault")
    fake.methods.add_message("G_PRIVATE", "U_ALICE", "Budget for the secret project?", ts="1700000500.000100")
    fake.methods.add_message("G_PRIVATE", "U_ALICE", "Forty million", ts="1700000510.000100",
                             thread_ts="1700000500.000100")
    private = shortcut(slack, fake, user="U_ALICE", channel="G_PRIVATE", channel_name="secret-project",
                       message_ts="1700000510.000100", root="1700000500.000100")  # on the reply: its thread
    assert private is not None and "1700000500.000100" in private["private_metadata"]
    submit(slack, private, question="Budget for the secret project?", answer="1700000510.000100", user="U_ALICE")
    fake.clear()


def test_a_newcomer_joining_the_workspace_and_three_channels_is_greeted_once(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    some_knowledge(slack, fake_slack)
    ws = fake_slack.methods.workspace
    ws.add_channel("C_RANDOM", "random", members=["U_ALICE", "U_KBBOT"])
    ws.add_channel("C_DEV", "dev", members=["U_BOB", "U_KBBOT"])
    join_team(slack, fake_slack)
    for number, where in enumerate(("C_GENERAL", "C_RANDOM", "C_DEV")):
        join_channel(slack, "U_NEW", where, number=number)
    join_channel(slack, "U_NEW", "C_GENERAL", number=9)  # Slack delivering again, or leaving and coming back

    [greeting] = dms_to(fake_slack, "U_NEW")
    text = text_of(greeting)
    assert "Welcome, nina! I'm kbbot." in text
    assert "/ask &lt;question&gt;" in text and "/kb search" in text and "/expertise add" in text
    assert "staging database password" in text and "Use the vault CLI" in text and "#vault" in text
    assert "Budget" not in text and "Forty million" not in text


def test_a_dutch_newcomer_gets_the_welcome_in_dutch(slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_NEW", "nina", locale="nl-NL")
    join_channel(slack, "U_NEW", "C_GENERAL")
    [greeting] = dms_to(fake_slack, "U_NEW")
    assert "Welkom, nina! Ik ben kbbot." in text_of(greeting) and "Drie opdrachten" in text_of(greeting)


def test_kbbot_joining_a_channel_and_bots_joining_the_workspace_greet_no_one(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    join_channel(slack, "U_KBBOT", "C_GENERAL")
    envelope = fixture("event_team_join.json")
    envelope["event"]["user"].update(id="U_ROBOT", is_bot=True)
    assert slack.event(envelope).status == 200
    slack.settle()
    assert fake_slack.calls_to("chat.postMessage") == []


def test_no_welcome_where_the_operator_turned_it_off(
        settings: Settings, sessions: sessionmaker[Session], slack_settings: SlackSettings,
        fake_slack: FakeSlack) -> None:
    with running_slack_server(settings.model_copy(update={"welcome": False}), sessions, slack_settings) as server:
        fake_slack.methods.workspace.add_user("U_NEW", "nina")
        join_channel(server, "U_NEW", "C_GENERAL")
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_forged_join_is_refused(slack: SlackServer, fake_slack: FakeSlack) -> None:
    envelope = copy.deepcopy(fixture("event_member_joined_channel.json"))
    assert slack.event(envelope, secret="not-the-signing-secret").status == 401
    slack.settle()
    assert fake_slack.calls_to("chat.postMessage") == []
