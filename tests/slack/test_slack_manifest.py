"""manifest.yaml and the code agree: every command, event, action and scope in one is in the other."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kbbot.contract import actions
from kbbot_adapters.slack import listeners
from kbbot_adapters.slack.app import BOT_SCOPES, EVENTS_PATH, REDIRECT_PATH
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load(MANIFEST.read_text())


def declared_commands(manifest: dict[str, Any]) -> set[str]:
    return {c["command"] for c in manifest["features"]["slash_commands"]}


def declared_events(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_commands_declared_are_exactly_those_handled(manifest: dict[str, Any]) -> None:
    assert declared_commands(manifest) == set(listeners.COMMANDS)


def test_events_subscribed_are_exactly_those_handled(manifest: dict[str, Any]) -> None:
    handled = {subscription for names in listeners.EVENTS.values() for subscription in names}
    assert declared_events(manifest) == handled


def test_every_core_button_is_handled_and_interactivity_is_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert all(listeners.ACTIONS.match(action_id) for action_id in actions.ALL)
    assert not listeners.ACTIONS.match("someone_elses_button")


def test_scopes_requested_on_install_are_those_declared(manifest: dict[str, Any]) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)


def test_the_manifest_points_at_kbbots_routes_and_enables_both_modes(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            *(c["url"] for c in manifest["features"]["slash_commands"])]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert all(url.endswith(REDIRECT_PATH) for url in manifest["oauth_config"]["redirect_urls"])
    assert settings["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"]
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000


def _event_of_type(subscription: str) -> dict[str, Any]:
    envelope = fixture("event_message.json")
    if subscription.startswith("message."):
        channel_type = {"channels": "channel", "groups": "group", "im": "im", "mpim": "mpim"}[subscription[8:]]
        envelope["event"]["channel_type"] = channel_type
        envelope["event"]["channel"] = {"channel": "C_GENERAL", "group": "G_PRIVATE", "im": "D_ALICE",
                                        "mpim": "G_MPIM"}[channel_type]
        envelope["event"].pop("thread_ts")
    else:
        envelope["event"] = {"type": subscription, "user": "U_ALICE", "channel": "C_GENERAL", "channel_type": "C",
                             "event_ts": "1700000900.000100", "tab": "home", "text": "<@U_KBBOT> hi",
                             "ts": "1700000900.000100", "reaction": "eyes",
                             "item": {"type": "message", "channel": "C_GENERAL", "ts": "1700000000.000100"}}
    envelope["event_id"] = "Ev" + re.sub(r"\W", "", subscription).upper()
    return envelope


def test_the_running_app_answers_every_declared_command_and_event_and_nothing_else(
        slack: SlackServer, fake_slack: FakeSlack, manifest: dict[str, Any]) -> None:
    form = fixture("command_ask.json", fake_slack.response_url())
    for command in sorted(declared_commands(manifest)):
        assert slack.command({**form, "command": command, "text": "help"}).status == 200, command
    assert slack.command({**form, "command": "/unknown"}).status == 404

    for subscription in sorted(declared_events(manifest)):
        assert slack.event(_event_of_type(subscription)).status == 200, subscription
    undeclared = copy.deepcopy(_event_of_type("channel_created"))
    assert slack.event(undeclared).status == 404

    challenge = {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "type": "url_verification",
                 "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    verified = slack.event(challenge)  # what Slack sends when the Events request URL is saved
    assert verified.status == 200 and challenge["challenge"] in verified.body

    click = fixture("block_actions_ephemeral.json", fake_slack.response_url())
    for action_id in sorted(actions.ALL):
        click["actions"][0]["action_id"] = action_id
        assert slack.action(click).status == 200, action_id
    click["actions"][0]["action_id"] = "someone_elses_button"
    assert slack.action(click).status == 404
    slack.settle()
