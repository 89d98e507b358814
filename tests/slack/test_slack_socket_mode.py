"""Socket Mode: Bolt's real Socket Mode handler connects to a fake Slack WebSocket and handles its envelopes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.store.db import make_engine, session_factory
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_methods import BOT_TOKEN
from slack_support.fake_socket_mode import FakeSocketMode
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack  # noqa: F401 - pytest fixture
from slack_support.harness import SlackServer, fixture, running_slack_server
from test_slack_conversations import all_text

APP_TOKEN = "xapp-1-A_KBBOT-1234-abcdef"


@pytest.fixture
def socket(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    fake_slack.methods.socket_mode_url = server.url
    yield server
    server.stop()


@pytest.fixture
def socket_settings(fake_slack: FakeSlack, socket: FakeSocketMode) -> SlackSettings:
    """Socket Mode as a newcomer configures it: a bot token and an app-level token, no public URL."""
    return SlackSettings(_env_file=None, bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=fake_slack.url)


@pytest.fixture
def connected(settings: Settings, socket_settings: SlackSettings, sessions: sessionmaker[Session],
              socket: FakeSocketMode) -> Iterator[SlackServer]:
    assert platform.configured(slack=socket_settings)
    with running_slack_server(settings, sessions, socket_settings) as server:
        socket.wait_connected()
        yield server


def test_events_and_commands_over_socket_mode_are_acked_and_handled_once_even_when_redelivered(
        connected: SlackServer, socket: FakeSocketMode, fake_slack: FakeSlack) -> None:
    mention = fixture("event_app_mention.json")
    first = socket.push("events_api", mention)
    assert socket.ack(first) is not None
    connected.settle()
    again = socket.push("events_api", mention, retry_attempt=1)
    assert socket.ack(again) is not None
    connected.settle()
    [card] = fake_slack.calls_to("chat.postMessage")
    assert card.params["channel"] == "C_GENERAL"
    assert "how do I get access to the staging cluster?" in all_text(card.json_param("blocks"))
    assert [c.token for c in fake_slack.calls_to("apps.connections.open")] == [APP_TOKEN]

    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(command="/kb", text="help")
    envelope = socket.push("slash_commands", form)
    assert socket.ack(envelope) is not None
    connected.settle()
    [help_text] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "/ask" in all_text(help_text.params["blocks"])


def test_without_a_database_the_envelope_is_not_acked_so_slack_redelivers_it(
        settings: Settings, socket_settings: SlackSettings, socket: FakeSocketMode, fake_slack: FakeSlack) -> None:
    down = make_engine("sqlite:////nonexistent-kbbot-dir/kbbot.db")
    try:
        with running_slack_server(settings, session_factory(down), socket_settings) as server:
            socket.wait_connected()
            envelope = socket.push("events_api", fixture("event_app_mention.json"))
            assert socket.ack(envelope, timeout=1.0) is None
            server.settle()
    finally:
        down.dispose()
    assert fake_slack.calls_to("chat.postMessage") == []
